"""Training programmes (issue 12): module-based network teaching and SCMR-compliant virtual programmes.

A **programme** is hosted by a centre, led by a lead (Level 3 or equivalent expert) and run by a director;
it has modules, sessions, enrolments (by application or invitation, with a waiting list at capacity) and
the evidence for SCMR's stipulations (seed 001). Live sessions are `live.LiveSession`s (rooms, presence,
.ics); interpretation sessions read a set of case-library cases in the interpretation app (mentor feedback).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from cmrnet.people.timezones import validate_time_zone

USER = settings.AUTH_USER_MODEL


def default_mentor_cap() -> int:
    return settings.CMRNET_PROGRAMME_MENTOR_CAP


class DeliveryMode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIRTUAL = "virtual", "Virtual (two-way interactive video)"
    BLENDED = "blended", "Blended (in person and virtual)"


class EnrolmentPolicy(models.TextChoices):
    APPLICATION = "application", "By application (trainees apply, the director accepts)"
    INVITATION = "invitation", "By invitation (the director invites, trainees accept)"


class InPersonTopic(models.TextChoices):
    """Content seed 001 says "may require an in-person experience": below the programme's competence level a
    trainee does it in person (not in the live room)."""

    NONE = "", "Neither"
    STRESS = "stress", "Stress testing"
    DEVICES = "devices", "Implanted-device scanning"


class SessionKind(models.TextChoices):
    DIDACTIC_LIVE = "didactic_live", "Didactic lecture (live)"
    RECORDED_LECTURE = "recorded_lecture", "Recorded lecture"
    INTERPRETATION = "interpretation", "Interactive case interpretation"
    SCAN_OBSERVATION = "scan_observation", "Image acquisition / live scan observation"
    PLANNING = "planning", "Planning and troubleshooting"


# Small groups (seed 001: "limited to a small group of trainees per mentor"): a cap per mentor.
SMALL_GROUP_KINDS = (SessionKind.INTERPRETATION, SessionKind.SCAN_OBSERVATION)
LIVE_KINDS = (SessionKind.DIDACTIC_LIVE, SessionKind.INTERPRETATION, SessionKind.SCAN_OBSERVATION, SessionKind.PLANNING)
# The live.LiveSession kind each live programme session is scheduled as.
LIVE_SESSION_KIND = {
    SessionKind.DIDACTIC_LIVE: "didactic", SessionKind.INTERPRETATION: "case_interpretation",
    SessionKind.SCAN_OBSERVATION: "scan_observation", SessionKind.PLANNING: "planning",
}


class Programme(models.Model):
    title = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    host_centre = models.ForeignKey("network.Centre", on_delete=models.PROTECT, related_name="programmes")
    director = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="directed_programmes")
    lead = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="led_programmes",
                             help_text="Leads the teaching: Level 3 (SCMR or EACVI) or an equivalent CMR expert.")
    faculty = models.ManyToManyField(USER, blank=True, related_name="programmes_teaching")
    starts_on = models.DateField()
    ends_on = models.DateField()
    time_zone = models.CharField(max_length=64, default="Europe/Berlin", validators=[validate_time_zone])
    capacity = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(500)])
    delivery_mode = models.CharField(max_length=10, choices=DeliveryMode.choices, default=DeliveryMode.BLENDED)
    enrolment_policy = models.CharField(max_length=12, choices=EnrolmentPolicy.choices, default=EnrolmentPolicy.APPLICATION)
    enrolment_open = models.BooleanField(default=False)
    mentor_cap = models.PositiveSmallIntegerField(
        "trainees per mentor in small-group sessions", default=default_mentor_cap,
        validators=[MinValueValidator(1), MaxValueValidator(12)])
    virtual_share_max = models.DecimalField(
        "share of cases that may be virtual", max_digits=3, decimal_places=2, default=0.5,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="0 to 1. Seed 001: varies with logistics, mentoring time and the trainee's competence.")
    in_person_below_level = models.PositiveSmallIntegerField(
        "stress and device scanning in person for trainees below level", default=2,
        validators=[MinValueValidator(1), MaxValueValidator(3)],
        help_text="Trainees whose competence level is below this do stress testing and implanted-device scanning in person.")
    stress_in_person = models.BooleanField("stress testing is an in-person component", default=False)
    devices_in_person = models.BooleanField("implanted-device scanning is an in-person component", default=False)
    requires_in_person_assessment = models.BooleanField(
        "final assessment needs an in-person component", default=True,
        help_text="Seed 001: 'a final assessment ... may still require an in-person training component'.")
    # evidence for the stipulations that cmrnet cannot observe
    lead_equivalent_expert = models.BooleanField("lead is an equivalent CMR expert (no Level 3 on record)", default=False)
    lead_equivalent_evidence = models.FileField(upload_to="programmes/evidence/%Y/", blank=True)
    lead_equivalent_note = models.TextField(blank=True)
    training_record_note = models.TextField("declared on-site training record", blank=True)
    training_record_document = models.FileField(upload_to="programmes/evidence/%Y/", blank=True)
    video_equipment_statement = models.TextField(
        blank=True, help_text="How the video equipment meets local standards for analysing medical images.")
    privacy_statement = models.TextField(
        blank=True, help_text="How patient privacy meets local policies and regulations.")
    scmr_feedback_arrangement = models.TextField(
        "feedback to SCMR", blank=True, help_text="How trainees and the programme give feedback to SCMR.")
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "title"]
        constraints = [models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                              name="programme_ends_after_start")]

    def __str__(self) -> str:
        return self.title


class Module(models.Model):
    """A curriculum unit: learning objectives and the kinds of session it contains."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="modules")
    order = models.PositiveSmallIntegerField(default=1)
    title = models.CharField(max_length=200)
    objectives = models.TextField(help_text="Learning objectives, one a line.")
    session_kinds = models.JSONField(default=list, blank=True)
    covers_safety = models.BooleanField("covers CMR safety", default=False)

    class Meta:
        ordering = ["programme", "order", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def objective_list(self) -> list[str]:
        return [line.strip(" -*") for line in self.objectives.splitlines() if line.strip(" -*")]

    @property
    def session_kind_labels(self) -> list[str]:
        return [SessionKind(k).label for k in self.session_kinds if k in SessionKind.values]


class Enrolment(models.Model):
    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        INVITED = "invited", "Invited"
        ENROLLED = "enrolled", "Enrolled"
        WAITLISTED = "waitlisted", "On the waiting list"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        COMPLETED = "completed", "Completed"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="enrolments")
    trainee = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="programme_enrolments")
    status = models.CharField(max_length=12, choices=Status.choices)
    competence_level = models.PositiveSmallIntegerField(
        "trainee's competence level", default=0, validators=[MaxValueValidator(3)],
        help_text="As evaluated by the mentor (0: none yet). Below the programme's level, stress and devices are in person.")
    statement = models.TextField(blank=True, help_text="The trainee's application.")
    created_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    waitlisted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["programme", "created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["programme", "trainee"], name="one_enrolment_per_trainee")]

    def __str__(self) -> str:
        return f"{self.trainee} in {self.programme} ({self.get_status_display()})"


class ProgrammeSession(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="sessions")
    module = models.ForeignKey(Module, null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions")
    kind = models.CharField(max_length=20, choices=SessionKind.choices)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="No patient identifiers.")
    mentor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               help_text="Faculty member teaching (the mentor of a small group).")
    co_mentors = models.ManyToManyField(
        USER, blank=True, related_name="+", verbose_name="further mentors",
        help_text="Small groups with more than one mentor: each mentor adds the cap's places.")
    live_session = models.OneToOneField("live.LiveSession", null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="programme_session")
    cap = models.PositiveSmallIntegerField(null=True, blank=True,
                                           help_text="Small groups: trainees per mentor (empty: the programme's cap).")
    video = models.FileField(upload_to="programmes/lectures/%Y/", blank=True)
    video_seconds = models.PositiveIntegerField(null=True, blank=True, help_text="Length of the recording.")
    materials = models.FileField(upload_to="programmes/materials/%Y/", blank=True)
    cases = models.ManyToManyField(
        "library.Case", blank=True, related_name="programme_sessions", verbose_name="reading set",
        help_text="Interpretation sessions: published case-library cases the trainees read (blinded) in the "
                  "interpretation app; the session's mentors review them.")
    case_link = models.CharField("further reading (link)", max_length=300, blank=True,
                                 help_text="Optional link to material outside the case library.")
    covers_safety = models.BooleanField(default=False)
    in_person_topic = models.CharField(
        "stress testing or implanted-device scanning", max_length=8, choices=InPersonTopic.choices, blank=True, default="",
        help_text="When the programme makes it an in-person component, trainees below its competence level may not "
                  "take part in this session virtually.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["programme", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_small_group(self) -> bool:
        return self.kind in SMALL_GROUP_KINDS

    @property
    def effective_cap(self) -> int | None:
        """Small groups: trainees per mentor (the session's own cap, else the programme's)."""
        if not self.is_small_group:
            return None
        return self.cap or self.programme.mentor_cap

    @property
    def mentors(self) -> list:
        """The mentor first, then the further mentors."""
        further = list(self.co_mentors.all()) if self.pk else []
        return ([self.mentor] if self.mentor_id else []) + [m for m in further if m.pk != self.mentor_id]

    @property
    def mentor_count(self) -> int:
        return len(self.mentors)

    @property
    def capacity(self) -> int | None:
        """Small groups: places = mentors x trainees per mentor (a group without a mentor yet: one mentor's worth)."""
        if not self.is_small_group:
            return None
        return self.effective_cap * max(1, self.mentor_count)


class Seat(models.Model):
    """A trainee's place in a small-group session (cap per mentor, enforced at enrolment and at join)."""

    session = models.ForeignKey(ProgrammeSession, on_delete=models.CASCADE, related_name="seats")
    trainee = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["session", "trainee"], name="one_seat_per_trainee")]


class WatchProgress(models.Model):
    """What of a recorded lecture a trainee has watched: merged [start, end) second intervals."""

    session = models.ForeignKey(ProgrammeSession, on_delete=models.CASCADE, related_name="watch_progress")
    trainee = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    intervals = models.JSONField(default=list)
    seconds_watched = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "trainee"], name="one_progress_per_trainee")]


class ScmrVerification(models.Model):
    """SCMR's verification that the programme meets its stipulations (date, reference, document)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="verifications")
    verified_on = models.DateField()
    reference = models.CharField(max_length=100)
    document = models.FileField(upload_to="programmes/scmr/%Y/", blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-verified_on", "-pk"]


class Assessment(models.Model):
    """An assessment entry: the mentor observed the trainee acquire and interpret a study."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField()
    in_person = models.BooleanField(default=True)
    assessor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assessed_on", "pk"]


class Determination(models.Model):
    """The programme director's final determination of competency (seed 001: 'up to the program director')."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.CASCADE, related_name="determination")
    competent = models.BooleanField()
    decided_on = models.DateField()
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    assessment = models.ForeignKey(Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")


class CompletionCertificate(models.Model):
    """Programme completion: a PDF with the same verification QR and public page as certificates."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT, related_name="certificate")
    code = models.CharField(max_length=40, unique=True, editable=False)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"Completion of {self.enrolment.programme}: {self.enrolment.trainee}"


# --------------------------------------------------------------------------- feedback surveys
class Survey(models.Model):
    """A feedback survey of a programme (mid-programme or end), for trainees or mentors. Answers are kept
    apart from who answered; results show only from `min_group_size` responses on."""

    class Phase(models.TextChoices):
        MID = "mid", "Mid-programme"
        END = "end", "End of programme"

    class Audience(models.TextChoices):
        TRAINEES = "trainees", "Trainees"
        MENTORS = "mentors", "Mentors and faculty"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="surveys")
    title = models.CharField(max_length=200)
    phase = models.CharField(max_length=4, choices=Phase.choices)
    audience = models.CharField(max_length=10, choices=Audience.choices)
    opens_on = models.DateField()
    closes_on = models.DateField()
    min_group_size = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(3), MaxValueValidator(50)],
        help_text="Results stay hidden until at least this many have answered (anonymity).")
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["programme", "opens_on", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(closes_on__gte=models.F("opens_on")),
                                              name="survey_closes_after_opening")]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        LIKERT = "likert", "Likert (1 strongly disagree - 5 strongly agree)"
        TEXT = "text", "Free text"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=1)
    text = models.CharField(max_length=300)
    kind = models.CharField(max_length=8, choices=Kind.choices)

    class Meta:
        ordering = ["survey", "order", "pk"]

    def __str__(self) -> str:
        return self.text


class Submission(models.Model):
    """That a person answered (once), not what they answered."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="submissions")
    respondent = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    submitted_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "respondent"], name="one_submission_per_person")]


def _random_id():
    import uuid

    return uuid.uuid4()


class Answer(models.Model):
    """One answer, with no link to the person and no time: a random key, so the order of rows cannot be
    matched with the order of submissions."""

    id = models.UUIDField(primary_key=True, default=_random_id, editable=False)
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    likert = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)])
    text = models.TextField(blank=True)


# --------------------------------------------------------------------------- outcomes
class Cohort(models.Model):
    """A group whose outcomes are compared: a programme's trainees (network teaching), or a group of
    traditionally trained fellows whose figures were imported (e.g. from a survey)."""

    class Kind(models.TextChoices):
        NETWORK = "network", "Network teaching (module-based)"
        TRADITIONAL = "traditional", "Traditional fellowship"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    programme = models.OneToOneField(Programme, null=True, blank=True, on_delete=models.SET_NULL, related_name="cohort")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    source = models.CharField(max_length=300, blank=True, help_text="Where imported figures come from.")

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class OutcomeRecord(models.Model):
    """One participant's outcomes. Computed from cmrnet's records for a programme's trainees; imported
    (no person) for a survey cohort."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="records")
    person = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    off_site_days = models.PositiveIntegerField(null=True, blank=True, help_text="In-person days away from the own centre.")
    days_to_first_own_scan = models.PositiveIntegerField(null=True, blank=True)
    attendance_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    completed = models.BooleanField(null=True, blank=True)
    exam_passed = models.BooleanField(null=True, blank=True)
    survey_score = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True, help_text="Mean Likert, 1-5.")
    surveyed = models.BooleanField(default=False)

    class Meta:
        ordering = ["cohort", "pk"]
