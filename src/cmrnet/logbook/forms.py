from __future__ import annotations

from django import forms

from cmrnet.core.listing import search_filter
from cmrnet.logbook.models import (CATEGORY_LABELS, CaseRole, CmeActivity, LogbookSettings, PeerRecognition, TrainingMode,
                                   Source, TrainingPeriod, Verification)
from cmrnet.logbook.patient_keys import MAX_IDENTIFIER_LENGTH, normalise, patient_key
from cmrnet.logbook.selectors import supervisors_of
from cmrnet.logbook.services import CaseInput
from cmrnet.people.forms import DATE, validate_evidence
from cmrnet.people.models import User


def category_choices() -> list[tuple[str, str]]:
    from cmrnet.logbook.package import all_categories

    return [(c, CATEGORY_LABELS.get(c, c.replace("_", " ").capitalize())) for c in all_categories()]


def _end_not_before_start(form, data: dict) -> dict:
    if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
        form.add_error("end_date", "The end date is before the start date.")
    return data


FULL_REVIEW_CHOICES = [("", "not recorded"), ("yes", "yes"), ("no", "no")]
FULL_REVIEW_VALUE = {True: "yes", False: "no", None: ""}


class NoEchoTextInput(forms.TextInput):
    """A text input that never renders a submitted value: a raw patient identifier is not sent back
    to the browser when the form is redisplayed with errors."""

    def get_context(self, name, value, attrs):
        return super().get_context(name, None, attrs)


class CaseForm(forms.Form):
    study_date = forms.DateField(widget=DATE)
    patient_identifier = forms.CharField(
        label="Local patient identifier", max_length=MAX_IDENTIFIER_LENGTH,
        help_text="Turned into a pseudonymous key on the way in; the identifier itself is never stored.",
        widget=NoEchoTextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))
    category = forms.ChoiceField(choices=())
    normal = forms.BooleanField(required=False, label="Normal study")
    source = forms.ChoiceField(choices=Source.choices)
    course_id = forms.CharField(label="Course id", max_length=80, required=False,
                                help_text="Only for course or teaching-file cases.")
    role = forms.ChoiceField(choices=CaseRole.choices)
    control_room = forms.BooleanField(required=False, label="Present in the control room")
    supervisor = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    clinical_change = forms.BooleanField(required=False, label="Significant clinical change since an earlier study")
    full_review = forms.TypedChoiceField(
        label="Full review of your report by the course", required=False, empty_value=None,
        coerce=lambda v: {"yes": True, "no": False}.get(v), choices=FULL_REVIEW_CHOICES,
        help_text="Course cases only: a course case counts only if the course reviewed your report in full.")
    mode = forms.ChoiceField(choices=TrainingMode.choices, initial=TrainingMode.IN_PERSON, label="Mode", required=False,
                             help_text="Remote / virtual: with the mentor over live video.")

    def __init__(self, *args, trainee: User, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()
        self.fields["supervisor"].queryset = supervisors_of(trainee)
        if editing:
            self.fields["patient_identifier"].required = False
            self.fields["patient_identifier"].help_text = "Leave empty to keep the patient key. " + \
                self.fields["patient_identifier"].help_text

    def clean_patient_identifier(self):
        return normalise(self.cleaned_data["patient_identifier"])

    def clean(self):
        data = super().clean()
        if data.get("source") == Source.COURSE and not (data.get("course_id") or "").strip():
            self.add_error("course_id", "A course case needs the course id (a course case is counted once).")
        if data.get("source") != Source.COURSE:
            data["full_review"] = None
        return data

    def to_input(self, *, keep_key: str = "") -> CaseInput:
        """The validated case; the typed identifier is hashed here and then dropped."""
        data = self.cleaned_data
        identifier = data.pop("patient_identifier", "")
        key = patient_key(identifier) if identifier else keep_key
        return CaseInput(
            study_date=data["study_date"], patient_key=key, category=data["category"], normal=data["normal"],
            source=data["source"], course_id=data.get("course_id", ""), role=data["role"],
            control_room=data["control_room"], supervisor_id=data["supervisor"].pk if data["supervisor"] else None,
            clinical_change=data["clinical_change"], full_review=data.get("full_review"),
            mode=data.get("mode") or TrainingMode.IN_PERSON)


def case_initial(case) -> dict:
    """Form defaults from a case (the last entry, or the case being edited)."""
    if case is None:
        return {"source": Source.OWN_CENTRE, "role": CaseRole.PRIMARY_OPERATOR, "control_room": True}
    return {"study_date": case.study_date, "category": case.category, "source": case.source,
            "course_id": case.course_id, "role": case.role, "control_room": case.control_room,
            "supervisor": case.supervisor_id, "full_review": FULL_REVIEW_VALUE.get(case.full_review, ""), "mode": case.mode}


CASE_SEARCH = ("case_id", "category", "course_id", "verification_comment", "supervisor__full_name")


class CaseFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search",
                        widget=forms.TextInput(attrs={"type": "search", "placeholder": "case id, category, supervisor…"}))
    category = forms.ChoiceField(required=False, choices=())
    source = forms.ChoiceField(required=False, choices=[("", "any source"), *Source.choices])
    status = forms.ChoiceField(required=False, label="Verification",
                               choices=[("", "any"), *Verification.choices])
    date_from = forms.DateField(required=False, widget=DATE, label="From")
    date_to = forms.DateField(required=False, widget=DATE, label="To")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "any category"), *category_choices()]

    def apply(self, cases):
        if not self.is_valid():
            return cases
        data = self.cleaned_data
        if data.get("q"):
            cases = cases.filter(search_filter(data["q"], CASE_SEARCH))
        for name in ("category", "source", "status"):
            if data.get(name):
                cases = cases.filter(**{name: data[name]})
        if data.get("date_from"):
            cases = cases.filter(study_date__gte=data["date_from"])
        if data.get("date_to"):
            cases = cases.filter(study_date__lte=data["date_to"])
        return cases

    def as_params(self) -> list[tuple[str, str]]:
        """The filter as (name, value) pairs, for hidden inputs that carry it into a POST."""
        if not self.is_bound:
            return []
        return [(name, value) for name in self.fields for value in self.data.getlist(name) if value]


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV or Excel (.xlsx) file",
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}))


class PackageImportForm(forms.Form):
    package = forms.FileField(label="Application package (.zip)", widget=forms.ClearableFileInput(attrs={"accept": ".zip"}))


class VerifyForm(forms.Form):
    status = forms.ChoiceField(choices=[(Verification.VERIFIED, "Verify"), (Verification.QUERIED, "Query")])
    comment = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class TrainingForm(forms.ModelForm):
    class Meta:
        model = TrainingPeriod
        fields = ["start_date", "end_date", "hours_per_week", "supervisor", "centre", "mode"]
        widgets = {"start_date": DATE, "end_date": DATE}

    def __init__(self, *args, trainee: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = supervisors_of(trainee)
        self.fields["supervisor"].required = True

    def clean(self):
        return _end_not_before_start(self, super().clean())


class CmeForm(forms.ModelForm):
    class Meta:
        model = CmeActivity
        fields = ["title", "provider", "kind", "start_date", "end_date", "credits", "modalities", "catalog_id",
                  "full_attendance", "certificate"]
        widgets = {"start_date": DATE, "end_date": DATE}
        help_texts = {"catalog_id": "The meeting's id in the CME catalogue, if listed (e.g. esc-congress)."}

    def clean_certificate(self):
        upload = self.cleaned_data.get("certificate")
        validate_evidence(upload)
        return upload

    def clean(self):
        return _end_not_before_start(self, super().clean())


ORAL_ANSWER = forms.NullBooleanSelect()
ORAL_ANSWER.choices = [("unknown", "— (orals only)"), ("true", "Yes"), ("false", "No")]


class PeerForm(forms.ModelForm):
    """One piece of evidence. The event is required (two entries at the same meeting, course or journal count
    once); an oral needs both answers (the model says so too)."""

    class Meta:
        model = PeerRecognition
        fields = ["kind", "title", "event", "scope", "date", "first_author", "presented_in_person", "reference",
                  "evidence"]
        widgets = {"date": DATE, "first_author": ORAL_ANSWER, "presented_in_person": ORAL_ANSWER}
        help_texts = {"first_author": "Orals only: an oral counts only when you are the first author.",
                      "presented_in_person": "Orals only: an oral counts only when you presented the data yourself."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].required = True

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        validate_evidence(upload)
        return upload


class SettingsForm(forms.ModelForm):
    class Meta:
        model = LogbookSettings
        fields = ["ruleset", "route", "level2_logbook_until"]
        widgets = {"level2_logbook_until": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from cmrnet.logbook.selectors import all_routes

        routes = all_routes()
        self.fields["ruleset"] = forms.ChoiceField(choices=sorted({(rs.id, rs.title) for rs, _ in routes}))
        self.fields["route"] = forms.ChoiceField(
            choices=sorted({(r, r) for _rs, r in routes}), help_text="The route you are working towards.")

    def clean(self):
        from cmrnet import rules

        data = super().clean()
        if data.get("ruleset") and data.get("route"):
            ruleset = rules.load_ruleset(data["ruleset"])
            if data["route"] not in ruleset.routes:
                self.add_error("route", f"{ruleset.title} has no route {data['route']!r} "
                                        f"(its routes: {', '.join(ruleset.routes)}).")
        return data
