import re

from django import forms

from cmrnet.core.countries import CountryField
from cmrnet.core.widgets import DayInput
from cmrnet.network.models import FIELD_STRENGTHS, Accreditation, Centre, Scanner, normalise_country

HOST_RE = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[?[0-9A-Fa-f:]+\]?")


class CentreForm(forms.ModelForm):
    country = CountryField(label="Country")
    field_strengths = forms.MultipleChoiceField(choices=FIELD_STRENGTHS, widget=forms.CheckboxSelectMultiple, required=False)

    class Meta:
        model = Centre
        fields = ["name", "city", "country", "beds", "annual_scan_volume", "stress_perfusion", "congenital",
                  "device_scanning", "field_strengths", "joined_on", "training_since", "trainees_trained",
                  "service_lead", "sector"]
        widgets = {"joined_on": DayInput()}

    def clean_country(self):
        return normalise_country(self.cleaned_data["country"])


class CentreFilterForm(forms.Form):
    text = forms.CharField(required=False, label="Name or city")
    country = CountryField(required=False, blank="any country")
    size = forms.ChoiceField(required=False, choices=[("", "any size"), ("small", "small (< 400 beds)"),
                                                      ("medium", "medium (400-1000)"), ("large", "large (> 1000)")])
    capability = forms.ChoiceField(required=False, choices=[("", "any capability"), ("stress_perfusion", "stress perfusion"),
                                                            ("congenital", "congenital"), ("device_scanning", "implanted devices")])


class ScannerForm(forms.ModelForm):
    """The VNC secret is write-only: never rendered back (render_value=False); empty keeps it."""

    vnc_secret = forms.CharField(label="Console VNC password", required=False, max_length=128, strip=False,
                                 widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
                                 help_text="Stored sealed on the server and never shown again. Leave empty to keep the current one.")
    clear_vnc_secret = forms.BooleanField(label="Remove the stored VNC password", required=False)

    class Meta:
        model = Scanner
        fields = ["name", "vendor", "model", "field_strength", "active", "vnc_host", "vnc_port"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["clear_vnc_secret"]  # nothing stored yet
            self.fields["vnc_secret"].help_text = "Stored sealed on the server and never shown again."

    def clean_vnc_host(self):
        host = self.cleaned_data["vnc_host"].strip()
        if host and (not HOST_RE.fullmatch(host)):
            raise forms.ValidationError("A host name or IP address only (no scheme, path or port), e.g. console-mr1.hospital.local.")
        return host


class AccreditationForm(forms.ModelForm):
    class Meta:
        model = Accreditation
        fields = ["body", "title", "awarded_on", "expires_on", "reference"]
        widgets = {"awarded_on": DayInput(),
                   "expires_on": DayInput()}

    def clean(self):
        data = super().clean()
        if data.get("expires_on") and data.get("awarded_on") and data["expires_on"] <= data["awarded_on"]:
            self.add_error("expires_on", "The accreditation expires on or before its award date.")
        return data
