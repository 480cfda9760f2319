from django import forms

from cmrnet.network.models import FIELD_STRENGTHS, Centre


class CentreForm(forms.ModelForm):
    field_strengths = forms.MultipleChoiceField(choices=FIELD_STRENGTHS, widget=forms.CheckboxSelectMultiple, required=False)

    class Meta:
        model = Centre
        fields = ["name", "city", "country", "beds", "annual_scan_volume", "stress_perfusion", "congenital",
                  "device_scanning", "field_strengths", "joined_on", "training_since", "trainees_trained"]
        widgets = {"joined_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean_country(self):
        country = self.cleaned_data["country"].strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise forms.ValidationError("Use the two-letter ISO country code, e.g. DE.")
        return country


class CentreFilterForm(forms.Form):
    text = forms.CharField(required=False, label="Name or city")
    country = forms.CharField(required=False, max_length=2)
    size = forms.ChoiceField(required=False, choices=[("", "any size"), ("small", "small (< 400 beds)"),
                                                      ("medium", "medium (400-1000)"), ("large", "large (> 1000)")])
    capability = forms.ChoiceField(required=False, choices=[("", "any capability"), ("stress_perfusion", "stress perfusion"),
                                                            ("congenital", "congenital"), ("device_scanning", "implanted devices")])
