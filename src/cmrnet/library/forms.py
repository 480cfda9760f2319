from django import forms

from cmrnet.library.models import CATEGORY_CHOICES, Difficulty


class CaseForm(forms.Form):
    title = forms.CharField(max_length=200)
    category = forms.ChoiceField(choices=CATEGORY_CHOICES)
    difficulty = forms.ChoiceField(choices=Difficulty.choices, initial=Difficulty.INTERMEDIATE)
    normal = forms.BooleanField(required=False, label="A normal study")
    teaching_points = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
