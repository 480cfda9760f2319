from django import forms

from cmrnet.notifications.models import CHOOSABLE_KINDS, REQUIRED_KINDS, Delivery, Kind
from cmrnet.notifications.services import allowed_deliveries

KIND_HELP = {
    Kind.CASE_QUERIED: "A supervisor queried one of your cases.",
    Kind.CASES_VERIFIED: "A supervisor verified your cases (one e-mail per batch).",
    Kind.CASES_WAITING: "Your trainees' cases wait for your verification (once a day at most).",
    Kind.DECLARATION_TO_SIGN: "An application names you as supervisor, or a declaration must be signed again.",
    Kind.GRADER_ASSIGNED: "An application was assigned to you for grading.",
    Kind.INFORMATION_REQUESTED: "A grader asks you for information about your application.",
    Kind.DEADLINE: "Your logbook submission or recertification deadline approaches.",
    Kind.OTHER: "Your application was returned or decided; your certificate was issued.",
}


class PreferenceForm(forms.Form):
    """One choice per kind: at once, daily digest, or no e-mail (where allowed)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Delivery.choices)
        for kind in CHOOSABLE_KINDS:
            help_text = KIND_HELP.get(kind, "")
            if kind in REQUIRED_KINDS:
                help_text += " Always e-mailed: it asks you to act before a date."
            self.fields[kind] = forms.ChoiceField(
                label=Kind(kind).label, help_text=help_text, widget=forms.RadioSelect,
                choices=[(d, labels[d]) for d in allowed_deliveries(kind)])

    def choices(self) -> dict[str, str]:
        return {kind: self.cleaned_data[kind] for kind in CHOOSABLE_KINDS}
