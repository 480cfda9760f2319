from django import forms

from cmrnet.notifications.models import Delivery


class PreferenceForm(forms.Form):
    delivery = forms.ChoiceField(choices=Delivery.choices, widget=forms.RadioSelect, label="E-mail me")
