from __future__ import annotations

from django import forms

from cmrnet.live.forms import DATE, TIME, local_datetime, zone_choices
from cmrnet.people.forms import validate_evidence
from cmrnet.people.models import User
from cmrnet.people.roles import Role
from cmrnet.programmes.models import InPersonTopic, Module, Programme, ProgrammeSession, SessionKind

# Video, or audio only (a narrated lecture); served to the browser's player with range requests.
VIDEO_TYPES = (".mp4", ".webm", ".m4a", ".mp3", ".wav")
MAX_VIDEO_BYTES = 2 * 1024**3


def published_cases():
    from cmrnet.library.models import Case, CaseStatus

    return Case.objects.filter(status=CaseStatus.PUBLISHED).order_by("category", "pseudonym")


def case_label(case) -> str:
    return f"{case.pseudonym} ({case.category_label}): {case.title}"


def people_with(*roles):
    return User.objects.filter(is_active=True, role_grants__role__in=roles).distinct()


class ProgrammeForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label="Time zone")

    class Meta:
        model = Programme
        fields = ["title", "description", "host_centre", "director", "lead", "faculty", "starts_on", "ends_on", "time_zone",
                  "capacity", "delivery_mode", "enrolment_policy", "mentor_cap", "virtual_share_max", "in_person_below_level",
                  "stress_in_person", "devices_in_person", "requires_in_person_assessment", "lead_equivalent_expert",
                  "lead_equivalent_evidence", "lead_equivalent_note", "training_record_note", "training_record_document",
                  "video_equipment_statement", "privacy_statement", "scmr_feedback_arrangement"]
        widgets = {"starts_on": DATE, "ends_on": DATE, "faculty": forms.CheckboxSelectMultiple,
                   "description": forms.Textarea(attrs={"rows": 3}), "lead_equivalent_note": forms.Textarea(attrs={"rows": 2}),
                   "training_record_note": forms.Textarea(attrs={"rows": 2}),
                   "video_equipment_statement": forms.Textarea(attrs={"rows": 2}),
                   "privacy_statement": forms.Textarea(attrs={"rows": 2}),
                   "scmr_feedback_arrangement": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = zone_choices()
        self.fields["director"].queryset = people_with(Role.PROGRAMME_DIRECTOR)
        self.fields["lead"].queryset = people_with(Role.MENTOR, Role.PROGRAMME_DIRECTOR)
        self.fields["faculty"].queryset = people_with(Role.MENTOR, Role.PROGRAMME_DIRECTOR)
        self.fields["faculty"].required = False

    def clean_lead_equivalent_evidence(self):
        upload = self.cleaned_data.get("lead_equivalent_evidence")
        validate_evidence(upload)
        return upload

    def clean_training_record_document(self):
        upload = self.cleaned_data.get("training_record_document")
        validate_evidence(upload)
        return upload

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "The programme ends before it starts.")
        return data

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("faculty", None)
        return data


class ModuleForm(forms.ModelForm):
    session_kinds = forms.MultipleChoiceField(choices=SessionKind.choices, widget=forms.CheckboxSelectMultiple, required=False)

    class Meta:
        model = Module
        fields = ["title", "objectives", "session_kinds", "covers_safety"]
        widgets = {"objectives": forms.Textarea(attrs={"rows": 3})}


class SessionForm(forms.Form):
    kind = forms.ChoiceField(choices=SessionKind.choices)
    title = forms.CharField(max_length=200)
    module = forms.ModelChoiceField(Module.objects.none(), required=False)
    mentor = forms.ModelChoiceField(User.objects.none(), required=False, help_text="Needed for small groups (the cap is per mentor).")
    co_mentors = forms.ModelMultipleChoiceField(
        User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple, label="Further mentors",
        help_text="Small groups: each further mentor adds the cap's places (places = mentors x trainees per mentor).")
    day = forms.DateField(label="Date", widget=DATE, required=False, help_text="Live sessions.")
    start = forms.TimeField(label="Starts at", widget=TIME, required=False)
    end = forms.TimeField(label="Ends at", widget=TIME, required=False)
    time_zone = forms.ChoiceField(label="Time zone", required=False)
    cap = forms.IntegerField(min_value=1, max_value=12, required=False, label="Trainees per mentor",
                             help_text="Small groups; empty: the programme's cap.")
    cases = forms.ModelMultipleChoiceField(
        queryset=None, required=False, label="Reading set (case library)",
        help_text="Interpretation sessions: published cases (complete studies). Each trainee taking a place gets them "
                  "to read in the interpretation app; the session's mentor reviews and comments there.")
    covers_safety = forms.BooleanField(required=False, label="Covers CMR safety")
    in_person_topic = forms.ChoiceField(
        choices=InPersonTopic.choices, required=False, label="Stress testing or implanted-device scanning",
        help_text="Live sessions. If the programme makes it an in-person component, trainees below its competence "
                  "level cannot take a place or enter the live room.")
    case_link = forms.CharField(max_length=300, required=False, label="Further reading (link, optional)")
    video = forms.FileField(required=False, help_text="Recorded lectures: MP4 or WebM.")
    video_seconds = forms.IntegerField(min_value=1, required=False, label="Recording length (seconds)")
    materials = forms.FileField(required=False, help_text="Slides or handouts (PDF), optional.")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                                  help_text="No patient identifiers.")

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.fields["module"].queryset = programme.modules.all()
        faculty = {programme.director_id, programme.lead_id, *programme.faculty.values_list("pk", flat=True)}
        self.fields["mentor"].queryset = User.objects.filter(pk__in=faculty)
        self.fields["co_mentors"].queryset = User.objects.filter(pk__in=faculty)
        self.fields["cases"].queryset = published_cases()
        self.fields["cases"].label_from_instance = case_label
        self.fields["cases"].widget.attrs["size"] = 8
        self.fields["time_zone"].choices = zone_choices()
        self.fields["time_zone"].initial = programme.time_zone

    def clean_video(self):
        upload = self.cleaned_data.get("video")
        if upload:
            if not upload.name.lower().endswith(VIDEO_TYPES):
                raise forms.ValidationError("Upload an MP4 or WebM video (or M4A, MP3, WAV audio).")
            if upload.size > MAX_VIDEO_BYTES:
                raise forms.ValidationError("The video is larger than 2 GB.")
        return upload

    def clean_materials(self):
        upload = self.cleaned_data.get("materials")
        validate_evidence(upload)
        return upload

    def clean(self):
        data = super().clean()
        if data.get("kind") != SessionKind.RECORDED_LECTURE:
            if not all(data.get(k) for k in ("day", "start", "end")):
                raise forms.ValidationError("A live session needs its date, start and end.")
            zone = data.get("time_zone") or self.programme.time_zone
            try:
                data["starts_at"] = local_datetime(data["day"], data["start"], zone)
                data["ends_at"] = local_datetime(data["day"], data["end"], zone)
            except forms.ValidationError as exc:
                raise forms.ValidationError({"start": exc.messages}) from None
            data["time_zone"] = zone
        return data

    def session_values(self) -> dict:
        d = self.cleaned_data
        values = {k: d.get(k) for k in ("kind", "title", "module", "mentor", "cap", "covers_safety", "case_link", "description", "video", "video_seconds",
                                        "materials", "in_person_topic")}
        values["co_mentors"] = list(d.get("co_mentors") or [])
        values["cases"] = list(d.get("cases") or [])
        values["in_person_topic"] = values["in_person_topic"] or ""
        values["case_link"] = values["case_link"] or ""
        values["description"] = values["description"] or ""
        if d.get("kind") != SessionKind.RECORDED_LECTURE:
            values.update(starts_at=d["starts_at"], ends_at=d["ends_at"], time_zone=d["time_zone"])
        return values


class SessionUpdateForm(forms.ModelForm):
    """What can change after a session is added (its kind and times stay with the live session)."""

    in_person_topic = forms.ChoiceField(choices=InPersonTopic.choices, required=False,
                                        label="Stress testing or implanted-device scanning")
    cap = forms.IntegerField(min_value=1, max_value=12, required=False, label="Trainees per mentor",
                             help_text="Small groups; empty: the programme's cap.")

    class Meta:
        model = ProgrammeSession
        fields = ["title", "description", "module", "mentor", "co_mentors", "cap", "cases", "covers_safety", "case_link",
                  "in_person_topic", "video_seconds"]

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["module"].queryset = programme.modules.all()
        faculty = {programme.director_id, programme.lead_id, *programme.faculty.values_list("pk", flat=True)}
        self.fields["mentor"].queryset = User.objects.filter(pk__in=faculty)
        self.fields["co_mentors"].queryset = User.objects.filter(pk__in=faculty)
        self.fields["co_mentors"].required = False
        self.fields["cases"].queryset = published_cases()
        self.fields["cases"].label_from_instance = case_label
        self.fields["cases"].required = False


class VerificationForm(forms.Form):
    verified_on = forms.DateField(widget=DATE, label="Verified on")
    reference = forms.CharField(max_length=100, label="SCMR reference")
    document = forms.FileField(required=False, label="SCMR's letter (PDF)")

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        validate_evidence(upload)
        return upload


class InviteForm(forms.Form):
    trainee = forms.ModelChoiceField(people_with(Role.TRAINEE), label="Trainee")


class ApplyForm(forms.Form):
    statement = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                                label="Why you apply (optional)")


class AssessmentForm(forms.Form):
    assessed_on = forms.DateField(widget=DATE, label="Assessed on")
    in_person = forms.BooleanField(required=False, initial=True, label="In person (the mentor observed on site)")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class DeterminationForm(forms.Form):
    competent = forms.TypedChoiceField(choices=[("yes", "Competent to perform and interpret CMR independently"),
                                                ("no", "Not yet competent")], coerce=lambda v: v == "yes",
                                       widget=forms.RadioSelect, label="Final determination")
    decided_on = forms.DateField(widget=DATE, label="Decided on")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class LevelForm(forms.Form):
    competence_level = forms.TypedChoiceField(choices=[(i, f"Level {i}" if i else "none yet") for i in range(4)], coerce=int,
                                              label="Competence level")


class SurveyForm(forms.Form):
    title = forms.CharField(max_length=200)
    phase = forms.ChoiceField(choices=[("mid", "Mid-programme"), ("end", "End of programme")])
    audience = forms.ChoiceField(choices=[("trainees", "Trainees"), ("mentors", "Mentors and faculty")])
    opens_on = forms.DateField(widget=DATE)
    closes_on = forms.DateField(widget=DATE)
    min_group_size = forms.IntegerField(min_value=3, max_value=50, initial=5, label="Minimum group size",
                                        help_text="Results show only from this many answers on.")
    questions = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}),
                                help_text='One question a line, starting "likert:" (1-5 agreement) or "text:" (free text).')

    def clean_questions(self):
        parsed = []
        for number, line in enumerate(self.cleaned_data["questions"].splitlines(), start=1):
            if not line.strip():
                continue
            kind, _, text = line.partition(":")
            kind = kind.strip().lower()
            if kind not in ("likert", "text") or not text.strip():
                raise forms.ValidationError(f'Line {number}: start with "likert:" or "text:" and give the question.')
            if len(text.strip()) > 300:
                raise forms.ValidationError(f"Line {number}: at most 300 characters.")
            parsed.append((text.strip(), kind))
        if not parsed:
            raise forms.ValidationError("Give at least one question.")
        return parsed

    def clean(self):
        data = super().clean()
        if data.get("opens_on") and data.get("closes_on") and data["closes_on"] < data["opens_on"]:
            self.add_error("closes_on", "The survey closes before it opens.")
        return data


LIKERT_CHOICES = [(1, "1 strongly disagree"), (2, "2"), (3, "3"), (4, "4"), (5, "5 strongly agree")]


class AnswerForm(forms.Form):
    def __init__(self, *args, survey, **kwargs):
        super().__init__(*args, **kwargs)
        for q in survey.questions.all():
            if q.kind == "likert":
                self.fields[f"q{q.pk}"] = forms.TypedChoiceField(label=q.text, choices=LIKERT_CHOICES, coerce=int,
                                                                 widget=forms.RadioSelect, required=False)
            else:
                self.fields[f"q{q.pk}"] = forms.CharField(label=q.text, required=False, max_length=4000,
                                                          widget=forms.Textarea(attrs={"rows": 3}))

    def answers(self) -> dict[int, object]:
        return {int(name[1:]): value for name, value in self.cleaned_data.items()}


class OutcomesImportForm(forms.Form):
    name = forms.CharField(max_length=200, label="Cohort name")
    kind = forms.ChoiceField(choices=[("traditional", "Traditional fellowship"), ("network", "Network teaching (module-based)")])
    year = forms.IntegerField(min_value=1990, max_value=2100, required=False)
    source = forms.CharField(max_length=300, help_text="Where the figures come from (survey, publication).")
    table = forms.FileField(label="Table (CSV)", help_text="One row per participant; columns: off_site_days, "
                            "days_to_first_own_scan, attendance_percent, completed, exam_passed, survey_score, surveyed "
                            "(any of them; empty cells are unknown). No names.")

    def clean_table(self):
        from cmrnet import tabular
        from cmrnet.programmes.outcomes import ImportProblem, parse_rows

        upload = self.cleaned_data["table"]
        if upload.size > 2 * 1024 * 1024:
            raise forms.ValidationError("The file is larger than 2 MB.")
        try:
            text = upload.read().decode("utf-8-sig")
            return parse_rows(tabular.read_csv(text))
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not UTF-8 text.") from None
        except (ImportProblem, tabular.TableError) as error:
            raise forms.ValidationError(str(error)) from None
