from django import forms

from cmrnet.core.countries import CountryField
from cmrnet.core.widgets import DayInput
from cmrnet.people.models import Certification, User
from cmrnet.people.roles import Role

DATE = DayInput()
MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
EVIDENCE_TYPES = {".pdf", ".png", ".jpg", ".jpeg"}


def validate_evidence(upload) -> None:
    """Evidence files: PDF or image, at most 5 MB (checked by extension and magic bytes)."""
    if not upload or not hasattr(upload, "size"):
        return
    name = upload.name.lower()
    if not any(name.endswith(ext) for ext in EVIDENCE_TYPES):
        raise forms.ValidationError("Upload a PDF, PNG or JPEG file.")
    if upload.size > MAX_EVIDENCE_BYTES:
        raise forms.ValidationError("The file is larger than 5 MB.")
    head = upload.read(8)
    upload.seek(0)
    if not (head.startswith(b"%PDF") or head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8")):
        raise forms.ValidationError("The file's content is not a PDF, PNG or JPEG.")


class ProfileForm(forms.ModelForm):
    registration_country = CountryField(required=False, blank="not recorded", label="Registration country")

    class Meta:
        model = User
        fields = ["full_name", "specialty", "languages", "registration_country", "registration_number",
                  "registration_valid_until", "acls_valid_until", "acls_evidence", "time_zone"]
        widgets = {"registration_valid_until": DATE, "acls_valid_until": DATE}

    def clean_acls_evidence(self):
        upload = self.cleaned_data.get("acls_evidence")
        validate_evidence(upload)
        return upload

    def clean_registration_country(self):
        return (self.cleaned_data["registration_country"] or "").upper()


class AdminProfileForm(ProfileForm):
    class Meta(ProfileForm.Meta):
        fields = ["full_name", "email", "centre", *ProfileForm.Meta.fields[1:]]


class PersonCreateForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False)

    class Meta:
        model = User
        fields = ["full_name", "email", "centre", "specialty"]


class RolesForm(forms.Form):
    roles = forms.MultipleChoiceField(choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=False)


class CertificationForm(forms.ModelForm):
    class Meta:
        model = Certification
        fields = ["body", "level", "awarded_on", "valid_until"]
        widgets = {"awarded_on": DATE, "valid_until": DATE}

    def clean(self):
        data = super().clean()
        if data.get("awarded_on") and data.get("valid_until") and data["valid_until"] <= data["awarded_on"]:
            self.add_error("valid_until", "Must be after the award date.")
        return data


class RevocationForm(forms.Form):
    revoked_on = forms.DateField(widget=DATE, label="Revoked with effect from")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Decision and reason")


class PeopleFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Name or e-mail")
    role = forms.ChoiceField(required=False, choices=[("", "any role"), *Role.choices])


class SupervisionCheckForm(forms.Form):
    """The pre-training check: will training under this supervisor in this period be recognised?"""

    supervisor = forms.ModelChoiceField(queryset=User.objects.none(), label="Level 3 supervisor")
    started_on = forms.DateField(widget=DATE, label="Training starts on")
    ended_on = forms.DateField(widget=DATE, required=False, label="Training ends on",
                               help_text="Leave empty for an open-ended link: the check says until when it is recognised.")

    def __init__(self, *args, exclude: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        from cmrnet.people.selectors import level3_holders

        holders = level3_holders()
        self.fields["supervisor"].queryset = holders.exclude(pk=exclude.pk) if exclude else holders

    def clean(self):
        data = super().clean()
        if data.get("started_on") and data.get("ended_on") and data["ended_on"] < data["started_on"]:
            self.add_error("ended_on", "The period ends on or after the day it starts.")
        return data


class SupervisionLinkForm(SupervisionCheckForm):
    """A programme director or administrator links the trainee to an on-site supervisor."""


class EndSupervisionForm(forms.Form):
    ended_on = forms.DateField(widget=DATE, label="Last day of supervision")


class DeactivateForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Why is the account closed?",
                             help_text="Recorded in the audit log. The person's records stay; they can no longer log in.")


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, label="What is the token for?",
                           help_text="e.g. 'logbook sync from the hospital RIS'. The token acts as you in the API.")
