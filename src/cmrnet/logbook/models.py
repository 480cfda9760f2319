"""The e-logbook: cases, training periods, CME and peer recognition of one trainee.

No patient-identifying data: a case holds only ``patient_key``, the keyed hash (HMAC-SHA256)
of the local identifier the trainee typed (see ``cmrnet.logbook.patient_keys``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from cmrnet.rules.model import CME_KINDS, DEFAULT_CATEGORIES

USER = settings.AUTH_USER_MODEL


class Source(models.TextChoices):
    OWN_CENTRE = "own_centre", "Own centre"
    OTHER_CENTRE = "other_centre", "Other centre"
    COURSE = "course", "Course or teaching file"


class CaseRole(models.TextChoices):
    PRIMARY_OPERATOR = "primary_operator", "Primary operator"
    REPORTING = "reporting", "Reporting physician"
    OBSERVER = "observer", "Observer"


class Verification(models.TextChoices):
    PENDING = "pending", "Pending"
    VERIFIED = "verified", "Verified"
    QUERIED = "queried", "Queried"


CATEGORY_LABELS = {
    "ischaemic": "Ischaemic", "cardiomyopathy": "Cardiomyopathy", "valvular": "Valvular",
    "congenital": "Congenital", "aortic_vascular": "Aortic / vascular", "pericardial": "Pericardial",
    "mass": "Mass", "other": "Other",
}
CME_KIND_LABELS = {"congress": "Congress", "course": "Course", "online": "Online course", "ects": "ECTS",
                   "self_directed": "Self-directed (not accepted)"}
assert set(CATEGORY_LABELS) == set(DEFAULT_CATEGORIES)


class TrainingMode(models.TextChoices):
    """Where the training happened: on site, or remotely over live video (remote supervision,
    virtual programme sessions)."""

    IN_PERSON = "in_person", "In person"
    VIRTUAL = "virtual", "Remote / virtual"


class Case(models.Model):
    """One CMR study of one patient in a trainee's logbook."""

    trainee = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="logbook_cases")
    sequence = models.PositiveIntegerField(help_text="Running number in this trainee's logbook.")
    case_id = models.CharField("case id", max_length=40)
    study_date = models.DateField()
    patient_key = models.CharField(max_length=64, help_text="Keyed hash of the local patient identifier.")
    category = models.CharField(max_length=40)
    normal = models.BooleanField(default=False)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.OWN_CENTRE)
    course_id = models.CharField("course id", max_length=80, blank=True)
    full_review = models.BooleanField(
        "full review of the trainee's report", null=True, blank=True,
        help_text="Course cases only: did the course review the trainee's report in full? Empty = not recorded.")
    role = models.CharField(max_length=20, choices=CaseRole.choices, default=CaseRole.PRIMARY_OPERATOR)
    control_room = models.BooleanField("present in the control room", default=False)
    supervisor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="supervised_cases")
    clinical_change = models.BooleanField("significant clinical change since an earlier study", default=False)
    centre = models.ForeignKey("network.Centre", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    mode = models.CharField(max_length=10, choices=TrainingMode.choices, default=TrainingMode.IN_PERSON,
                            help_text="Remote / virtual: performed or read with the mentor over live video "
                                      "(SCMR virtual programmes cap their share).")
    status = models.CharField(max_length=10, choices=Verification.choices, default=Verification.PENDING)
    verification_comment = models.TextField(blank=True)
    verified_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-study_date", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["trainee", "case_id"], name="logbook_unique_case_id"),
            models.UniqueConstraint(fields=["trainee", "sequence"], name="logbook_unique_sequence"),
        ]
        indexes = [models.Index(fields=["trainee", "study_date"])]

    def __str__(self) -> str:
        return f"case {self.case_id} ({self.study_date})"

    @property
    def patient_key_short(self) -> str:
        return self.patient_key[:8]

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS.get(self.category, self.category.replace("_", " "))


class TrainingPeriod(models.Model):
    trainee = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="training_periods")
    start_date = models.DateField()
    end_date = models.DateField()
    hours_per_week = models.DecimalField(max_digits=5, decimal_places=1, help_text="35 h/week is full time.")
    supervisor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="supervised_training")
    centre = models.CharField(max_length=200, blank=True)
    mode = models.CharField(max_length=10, choices=TrainingMode.choices, default=TrainingMode.IN_PERSON,
                            help_text="Remote / virtual: supervised over live video (e.g. cmrnet live rooms).")

    class Meta:
        ordering = ["start_date", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")),
                                              name="training_end_after_start")]

    def __str__(self) -> str:
        return f"training {self.start_date} to {self.end_date}"

    @property
    def period_id(self) -> str:
        return f"T{self.pk}"


class CmeActivity(models.Model):
    trainee = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="cme_activities")
    title = models.CharField(max_length=200)
    provider = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=20, choices=[(k, CME_KIND_LABELS[k]) for k in CME_KINDS])
    start_date = models.DateField()
    end_date = models.DateField()
    credits = models.DecimalField(max_digits=5, decimal_places=2, help_text="As on the certificate (1 credit = 1 hour).")
    modalities = models.PositiveSmallIntegerField(default=1, help_text="Imaging modalities covered (1 for a CMR-only meeting).")
    catalog_id = models.CharField("catalogue id", max_length=80, blank=True)
    full_attendance = models.BooleanField(
        "attended in full", default=False,
        help_text="The whole meeting or course attended: a catalogue figure granted for full attendance then applies.")
    certificate = models.FileField("attendance certificate", upload_to="evidence/cme/%Y/", blank=True)
    # the certification committee's figure ("The decision of the EACVI certification committee is final regarding
    # award of CME hours"): set by the exam board or an assigned grader, never by the trainee
    accepted_hours = models.DecimalField("hours accepted by the committee", max_digits=5, decimal_places=2,
                                         null=True, blank=True)
    accepted_hours_reason = models.TextField(blank=True)
    accepted_hours_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    accepted_hours_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["start_date", "pk"]
        verbose_name_plural = "CME activities"
        constraints = [models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")),
                                              name="cme_end_after_start")]

    def __str__(self) -> str:
        return self.title

    @property
    def activity_id(self) -> str:
        return f"CME{self.pk}"


class PeerRecognition(models.Model):
    """One piece of peer-recognition evidence (Level 3): a course taught, a talk given or chaired, a paper, an
    oral or a poster, each its own record. The rules count distinct events per kind (two items at the same
    meeting or course count once) and accept an oral only at a national or international meeting, as first
    author, presented in person; a poster never counts (rules.candidate_rules.peer_counts)."""

    class Kind(models.TextChoices):
        CME_FACULTY = "cme_faculty", "Faculty at a CME course"
        INVITED_TALK = "invited_talk", "Invited talk or chair"
        PUBLICATION = "publication", "Peer-reviewed CMR paper (no abstracts)"
        ORAL = "oral", "Oral presentation of original data"
        POSTER = "poster", "Poster (does not count)"

    class Scope(models.TextChoices):
        LOCAL = "local", "Local"
        NATIONAL = "national", "National"
        INTERNATIONAL = "international", "International"

    trainee = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="peer_recognition")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=300)
    # Blank only on entries made before the field existed (the rules then read `reference`, else the title).
    event = models.CharField("meeting, course or journal", max_length=300, blank=True,
                             help_text="The course, conference or meeting (for a paper: the journal). "
                                       "Two entries at the same event count once.")
    scope = models.CharField("meeting scope", max_length=16, choices=Scope.choices, default=Scope.INTERNATIONAL,
                             help_text="An oral presentation counts only at a national or international meeting.")
    date = models.DateField()
    # Orals only. None = not stated (entries made before these fields existed): the oral is not counted until stated.
    first_author = models.BooleanField("I was the first author", null=True, blank=True)
    presented_in_person = models.BooleanField("I presented it myself", null=True, blank=True)
    reference = models.CharField(max_length=300, blank=True, help_text="DOI, meeting or programme reference.")
    evidence = models.FileField(upload_to="evidence/peer/%Y/", blank=True)

    class Meta:
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def item_id(self) -> str:
        return f"P{self.pk}"

    def clean(self):
        errors = {}
        if self.kind == self.Kind.ORAL:
            for name in ("first_author", "presented_in_person"):
                if getattr(self, name) is None:
                    errors[name] = "Say yes or no for an oral presentation."
        if errors:
            raise ValidationError(errors)


class LogbookSettings(models.Model):
    """Per-trainee choices: the route they aim for and where their Level 2 logbook ends."""

    trainee = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="logbook_settings")
    ruleset = models.CharField(max_length=40, default="eacvi-2025")
    route = models.CharField(max_length=40, default="level2")
    level2_logbook_until = models.DateField(
        "Level 2 logbook ends on", null=True, blank=True,
        help_text="Cases up to this date formed your Level 2 logbook (Level 3 via Level 2 counts only later cases). "
                  "Empty: cases before your Level 2 award date.")
    # What the Level 2 application used (period ids T<pk>, claim ids CME<pk>), recorded from its frozen snapshot
    # when cmrnet issues the Level 2 certificate; None = not known (the rules then presume what lies on or
    # before the award was used for Level 2: rule-set parameter level2_presume_used_until_award).
    level2_training_ids = models.JSONField("training periods used for Level 2", null=True, blank=True, editable=False)
    level2_cme_ids = models.JSONField("CME claims used for Level 2", null=True, blank=True, editable=False)

    def __str__(self) -> str:
        return f"logbook settings of {self.trainee}"


class ConfirmedImport(models.Model):
    """A confirmed bulk-import preview: its token can be used once, so a replayed confirm imports nothing."""

    token_id = models.CharField(max_length=32, unique=True)
    trainee = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    confirmed_at = models.DateTimeField(auto_now_add=True)
    cases = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"import {self.token_id} ({self.cases} cases)"
