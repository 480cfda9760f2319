from django import forms

from cmrnet.core.widgets import DayInput


class AuditFilterForm(forms.Form):
    actor = forms.CharField(required=False, label="Actor e-mail contains")
    action = forms.ChoiceField(required=False)
    object_type = forms.ChoiceField(required=False, label="Object type")
    text = forms.CharField(required=False, label="Object contains")
    since = forms.DateField(required=False, widget=DayInput())
    until = forms.DateField(required=False, widget=DayInput())

    def __init__(self, *args, facets: dict[str, list[str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "any")] + [(a, a) for a in facets["actions"]]
        self.fields["object_type"].choices = [("", "any")] + [(t, t) for t in facets["object_types"]]
