"""Interpretation with mentor feedback: a trainee reads a library case blinded to its reference,
fills the structured report, sees the differences on submission; the mentor comments (anchored to a
series, frame and point), grades and records whether the review was full; the reviewed reading may
enter the trainee's logbook as a course case."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from cmrnet.interpretation.comparison import DEFAULT_TOLERANCES, NUMERIC_FIELDS

USER = settings.AUTH_USER_MODEL


class Assignment(models.Model):
    """A mentor asks a trainee to read a case (self-study readings have none)."""

    mentor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="reading_assignments_made")
    trainee = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="reading_assignments")
    case = models.ForeignKey("library.Case", on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.case} for {self.trainee}"


class Status(models.TextChoices):
    DRAFT = "draft", "Reading (draft)"
    SUBMITTED = "submitted", "Submitted, awaiting review"
    REVIEWED = "reviewed", "Reviewed"


class Grade(models.TextChoices):
    EXCELLENT = "excellent", "Excellent"
    GOOD = "good", "Good"
    SATISFACTORY = "satisfactory", "Satisfactory"
    NEEDS_WORK = "needs_work", "Needs work"
    UNSATISFACTORY = "unsatisfactory", "Unsatisfactory"


class Interpretation(models.Model):
    trainee = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="interpretations")
    case = models.ForeignKey("library.Case", on_delete=models.PROTECT, related_name="+")
    assignment = models.OneToOneField(Assignment, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="interpretation")
    mentor = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="readings_to_review",
                               help_text="Who reviews it: the assigning mentor, or the supervisor the trainee chose.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    report = models.JSONField(default=dict, blank=True, help_text="The trainee's structured report (comparison.REPORT_FIELDS).")
    measurements = models.JSONField(default=list, blank=True, help_text="Distances and contours drawn in the viewer.")
    comparison = models.JSONField(default=list, blank=True, help_text="Field by field against the reference, as at submission.")
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    grade = models.CharField(max_length=16, choices=Grade.choices, blank=True)
    overall_comment = models.TextField(blank=True)
    full_review = models.BooleanField("full review done", default=False)
    reviewed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    logbook_case = models.OneToOneField("logbook.Case", null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="interpretation")

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["trainee", "case"], name="interpretation_one_per_case")]

    def __str__(self) -> str:
        return f"reading of {self.case.pseudonym} by {self.trainee}"

    @property
    def blinded(self) -> bool:
        """The reference stays hidden until the trainee has submitted."""
        return self.status == Status.DRAFT


class Comment(models.Model):
    """A mentor's comment, optionally anchored to a series, a frame (slice, phase) and a point."""

    interpretation = models.ForeignKey(Interpretation, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    series = models.ForeignKey("library.Series", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    slice_index = models.PositiveIntegerField(null=True, blank=True, help_text="0-based slice of the series")
    phase_index = models.PositiveIntegerField(null=True, blank=True, help_text="0-based cardiac phase")
    x = models.FloatField(null=True, blank=True, help_text="column, image pixels")
    y = models.FloatField(null=True, blank=True, help_text="row, image pixels")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"comment on {self.interpretation}"

    @property
    def anchored(self) -> bool:
        return self.series_id is not None


TOLERANCE_PARAMETERS = [(f, label) for f, label, _ in NUMERIC_FIELDS] + [
    ("wall_motion", "Wall motion (segments)"), ("lge", "LGE segments"), ("lge_pattern", "LGE pattern"),
    ("perfusion_defects", "Perfusion defect segments")]
assert {p for p, _ in TOLERANCE_PARAMETERS} == set(DEFAULT_TOLERANCES)


class ToleranceSetting(models.Model):
    """The site's tolerance for one report parameter (overrides comparison.DEFAULT_TOLERANCES)."""

    parameter = models.CharField(max_length=32, unique=True, choices=TOLERANCE_PARAMETERS)
    absolute = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True,
                                   help_text="In the parameter's unit (EF: percentage points).")
    relative_pct = models.DecimalField("relative (%)", max_digits=5, decimal_places=2, null=True, blank=True)
    max_mismatch = models.PositiveSmallIntegerField("segments that may differ", null=True, blank=True)
    updated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["parameter"]

    def __str__(self) -> str:
        return f"tolerance for {self.parameter}"
