"""The written exam: item bank (items with immutable versions), blueprint topics, forms, sittings,
attempts and answers, post-sitting decisions, standard setting, results and appeals.

Models are thin: rules live in `cmrnet.exams.timing` / `cmrnet.exams.blueprint` (pure functions) and
statistics in `cmrnet.psychometrics`; writes go through `cmrnet.exams.services`.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from cmrnet.people.timezones import validate_time_zone, zone_or_default

OPTION_LETTERS = "ABCDE"
DEFECT_COMMENT_MAX_LENGTH = 2000  # characters: a defect report is a sentence or two, not a document
LETTER_CHOICES = [(c, c) for c in OPTION_LETTERS]


class Topic(models.Model):
    """A syllabus / blueprint area with the published share of the exam (percent of items)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    min_percent = models.PositiveSmallIntegerField()
    max_percent = models.PositiveSmallIntegerField()
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]
        constraints = [models.CheckConstraint(condition=models.Q(min_percent__lte=models.F("max_percent")),
                                              name="topic_min_le_max")]

    def __str__(self) -> str:
        return self.name


class ItemStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    RETIRED = "retired", "Retired"


class Item(models.Model):
    """A single-best-answer question. Its content lives in immutable ItemVersions."""

    code = models.CharField(max_length=30, unique=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exam_items")
    status = models.CharField(max_length=12, choices=ItemStatus.choices, default=ItemStatus.DRAFT)
    current_version = models.ForeignKey("ItemVersion", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="reviewed_exam_items")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code

    @property
    def topic(self):
        return self.current_version.topic if self.current_version else None


class ItemVersion(models.Model):
    """One immutable version of an item's content. Sittings pin the version they showed."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="item_versions")
    stem = models.TextField(help_text="Clinical scenario and question; plain text, blank line = new paragraph.")
    media = models.FileField(upload_to="exams/media/%Y/", blank=True,
                             help_text="Optional image (PNG/JPEG) or video (MP4/WebM), e.g. DICOM-derived.")
    option_a = models.TextField()
    option_b = models.TextField()
    option_c = models.TextField()
    option_d = models.TextField()
    option_e = models.TextField()
    key = models.CharField(max_length=1, choices=LETTER_CHOICES)
    explanation = models.TextField(blank=True)
    references = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    note = models.CharField(max_length=200, blank=True, help_text="What changed in this version.")

    class Meta:
        ordering = ["item", "number"]
        constraints = [models.UniqueConstraint(fields=["item", "number"], name="unique_item_version")]

    def __str__(self) -> str:
        return f"{self.item.code} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Item versions are immutable: create a new version instead.")
        super().save(*args, **kwargs)

    def option(self, letter: str) -> str:
        return getattr(self, f"option_{letter.lower()}")

    @property
    def options(self) -> list[tuple[str, str]]:
        return [(c, self.option(c)) for c in OPTION_LETTERS]

    @property
    def media_kind(self) -> str:
        name = (self.media.name or "").lower()
        if not name:
            return ""
        return "video" if name.endswith((".mp4", ".webm")) else "image"


class FormStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    LOCKED = "locked", "Locked"


class ExamForm(models.Model):
    """An assembled exam paper. Locking pins the exact ItemVersion of each item."""

    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=FormStatus.choices, default=FormStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    locked_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_locked(self) -> bool:
        return self.status == FormStatus.LOCKED


class FormItem(models.Model):
    form = models.ForeignKey(ExamForm, on_delete=models.CASCADE, related_name="form_items")
    position = models.PositiveIntegerField()
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="form_items")
    version = models.ForeignKey(ItemVersion, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="form_items", help_text="Pinned when the form is locked.")

    class Meta:
        ordering = ["form", "position"]
        constraints = [
            models.UniqueConstraint(fields=["form", "position"], name="unique_form_position"),
            models.UniqueConstraint(fields=["form", "item"], name="unique_form_item"),
        ]

    def __str__(self) -> str:
        return f"Q{self.position} ({self.item.code})"

    @property
    def label(self) -> str:
        return f"Q{self.position}"


class CutMethod(models.TextChoices):
    ANGOFF = "angoff", "Modified Angoff"
    HOFSTEE = "hofstee", "Hofstee compromise"
    COHEN = "cohen", "Cohen"


class Sitting(models.Model):
    """One administration of a locked form: a start window, a duration, registered candidates."""

    form = models.ForeignKey(ExamForm, on_delete=models.PROTECT, related_name="sittings")
    title = models.CharField(max_length=200)
    start_opens = models.DateTimeField()
    start_closes = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField(default=180)
    shuffle_items = models.BooleanField(default=False)
    shuffle_options = models.BooleanField(default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # standard setting and release
    cut_method = models.CharField(max_length=10, choices=CutMethod.choices, blank=True)
    cut_score = models.FloatField(null=True, blank=True, help_text="Raw marks on the retained items; pass >= cut.")
    cut_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")
    cut_rationale = models.TextField(blank=True)
    verified_by_first = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                          related_name="+")
    verified_by_second = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                           on_delete=models.SET_NULL, related_name="+")
    verified_fingerprint = models.CharField(max_length=64, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    # self-registration (seed 004: "Registration will open 3 months prior to exam date")
    self_registration = models.BooleanField("candidates register themselves", default=False)
    registration_opens_on = models.DateField(null=True, blank=True,
                                             help_text="Empty: 3 calendar months before the exam date.")
    registration_closes_on = models.DateField(null=True, blank=True, help_text="Empty: the day before the exam.")
    time_zone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone],
                                 help_text="IANA name, e.g. Europe/Paris; empty: the site's time zone. Times of the "
                                           "sitting are entered and shown in it.")

    class Meta:
        ordering = ["-start_opens"]
        constraints = [models.CheckConstraint(condition=models.Q(start_closes__gt=models.F("start_opens")),
                                              name="sitting_window_order")]

    def __str__(self) -> str:
        return self.title

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zone_or_default(self.time_zone)

    def local(self, moment: dt.datetime) -> dt.datetime:
        """A moment of this sitting on the clock of the sitting's time zone."""
        return moment.astimezone(self.zone)

    def clock(self, moment: dt.datetime, fmt: str = "%H:%M") -> str:
        """A moment as the sitting's messages state it: local time and the zone's abbreviation (11:00 CET)."""
        local = self.local(moment)
        return f"{local:{fmt}} {local:%Z}"

    @property
    def exam_date(self) -> dt.date:
        return self.local(self.start_opens).date()

    @property
    def is_released(self) -> bool:
        return self.released_at is not None

    @property
    def registration_window(self) -> tuple[dt.date, dt.date]:
        """(opens, closes), both days included: the sitting's own settings, else the seed's defaults."""
        from cmrnet.exams import timing

        return (self.registration_opens_on or timing.registration_opens(self.exam_date),
                self.registration_closes_on or timing.registration_closes(self.exam_date))


class SittingSlot(models.Model):
    """A start time of a sitting with its capacity (seed 004: "can be started at any time between 11:00 and
    14:00 CET, depending on slot availability")."""

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField()
    capacity = models.PositiveIntegerField()

    class Meta:
        ordering = ["starts_at"]
        constraints = [models.UniqueConstraint(fields=["sitting", "starts_at"], name="one_slot_per_start_time"),
                       models.CheckConstraint(condition=models.Q(capacity__gte=1), name="slot_capacity_positive")]

    def __str__(self) -> str:
        from django.utils import timezone

        return f"{self.sitting.clock(self.starts_at, '%Y-%m-%d %H:%M')} ({self.capacity} places)"


class Registration(models.Model):
    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="registrations")
    candidate = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exam_registrations")
    extra_minutes = models.PositiveIntegerField(default=0, help_text="Accommodation: extra time in minutes.")
    accommodation_note = models.CharField(max_length=200, blank=True)
    slot = models.ForeignKey(SittingSlot, null=True, blank=True, on_delete=models.PROTECT, related_name="registrations")
    self_registered = models.BooleanField(default=False)
    reason = models.TextField(blank=True, help_text="The board's reason when it registers a candidate.")

    class Meta:
        ordering = ["sitting", "candidate__full_name"]
        constraints = [models.UniqueConstraint(fields=["sitting", "candidate"], name="unique_registration")]

    def __str__(self) -> str:
        return f"{self.candidate} in {self.sitting}"


class SubmitReason(models.TextChoices):
    CANDIDATE = "candidate", "Submitted by the candidate"
    TIMEOUT = "timeout", "Closed at time-out"


class Attempt(models.Model):
    """A candidate's attempt. The deadline is fixed on the server when it starts."""

    registration = models.OneToOneField(Registration, on_delete=models.PROTECT, related_name="attempt")
    started_at = models.DateTimeField()
    deadline = models.DateTimeField()
    submitted_at = models.DateTimeField(null=True, blank=True)
    submit_reason = models.CharField(max_length=10, choices=SubmitReason.choices, blank=True)
    position = models.PositiveIntegerField(default=1, help_text="1-based page the candidate last saw.")
    seed = models.BigIntegerField()
    item_order = models.JSONField(help_text="FormItem ids in the order shown to this candidate.")
    option_orders = models.JSONField(help_text="{form_item_id: 'CAEBD'}: canonical letters in shown order.")

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Attempt of {self.registration.candidate} ({self.registration.sitting})"

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None


class Answer(models.Model):
    """The candidate's state for one item: chosen option (canonical letter), flags, struck options."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    form_item = models.ForeignKey(FormItem, on_delete=models.PROTECT, related_name="answers")
    choice = models.CharField(max_length=1, blank=True, choices=LETTER_CHOICES)
    flagged = models.BooleanField(default=False, help_text="Flagged for review by the candidate.")
    struck = models.CharField(max_length=5, blank=True, help_text="Struck-out canonical letters.")
    defect_flag = models.BooleanField(default=False)
    defect_comment = models.TextField(blank=True, max_length=DEFECT_COMMENT_MAX_LENGTH)
    saves = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["attempt", "form_item"], name="unique_answer"),
            models.CheckConstraint(condition=LessThanOrEqual(Length("defect_comment"), DEFECT_COMMENT_MAX_LENGTH),
                                   name="defect_comment_max_length"),
        ]


class Incident(models.Model):
    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="incidents")
    candidate = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    note = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at"]


class DecisionAction(models.TextChoices):
    REMOVE = "remove", "Remove from scoring"
    REKEY = "rekey", "Re-key"
    RESTORE = "restore", "Restore (undo removal / re-key)"


class ItemDecision(models.Model):
    """A board decision on an item of one sitting; the latest per item is in force."""

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="item_decisions")
    form_item = models.ForeignKey(FormItem, on_delete=models.PROTECT, related_name="decisions")
    action = models.CharField(max_length=10, choices=DecisionAction.choices)
    new_key = models.CharField(max_length=1, blank=True, choices=LETTER_CHOICES)
    reason = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]


class AngoffRating(models.Model):
    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="angoff_ratings")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    form_item = models.ForeignKey(FormItem, on_delete=models.PROTECT, related_name="+")
    rating = models.FloatField(help_text="Probability (0-1) that a borderline candidate answers correctly.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sitting", "judge", "form_item"], name="unique_angoff_rating")]


class HofsteeInput(models.Model):
    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="hofstee_inputs")
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cut_min = models.FloatField(help_text="Lowest acceptable cut, % of the maximum score")
    cut_max = models.FloatField(help_text="Highest acceptable cut, % of the maximum score")
    fail_min = models.FloatField(help_text="Lowest acceptable fail rate, %")
    fail_max = models.FloatField(help_text="Highest acceptable fail rate, %")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sitting", "judge"], name="unique_hofstee_input")]


class Result(models.Model):
    """A released result, frozen at release on the retained items and the recorded cut."""

    registration = models.OneToOneField(Registration, on_delete=models.PROTECT, related_name="result")
    score = models.FloatField()
    max_score = models.FloatField()
    cut_score = models.FloatField()
    passed = models.BooleanField()
    released_on = models.DateField()

    @property
    def percent(self) -> float:
        return 100.0 * self.score / self.max_score if self.max_score else 0.0


class ItemStatistic(models.Model):
    """Per-item statistics of a sitting, stored at release (the item's history across sittings)."""

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="item_statistics")
    form_item = models.ForeignKey(FormItem, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(ItemVersion, on_delete=models.PROTECT, related_name="statistics")
    n_candidates = models.PositiveIntegerField()
    p = models.FloatField(null=True)
    r_pbc = models.FloatField(null=True)
    d27 = models.FloatField(null=True)
    removed = models.BooleanField(default=False)
    flags = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sitting", "form_item"], name="unique_item_statistic")]


class AppealStatus(models.TextChoices):
    OPEN = "open", "Open"
    UPHELD = "upheld", "Upheld"
    REJECTED = "rejected", "Rejected"


class Appeal(models.Model):
    result = models.OneToOneField(Result, on_delete=models.PROTECT, related_name="appeal")
    reasons = models.TextField()
    filed_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=AppealStatus.choices, default=AppealStatus.OPEN)
    decision = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-filed_at"]
