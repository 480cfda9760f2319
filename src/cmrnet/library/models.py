"""The teaching-case library: de-identified CMR studies with a structured reference report.

A **case** (one patient, under a pseudonym) holds one or more **studies**; a study holds **series**
(cine short axis, long axes, LGE, perfusion, mapping, flow...); a series holds **instances** (one DICOM
object each, stored de-identified under ``storage_key``). Nothing here identifies a patient: every
DICOM object passed through ``cmrnet.library.deid`` before it reached storage, UIDs are the remapped
ones (2.25 root, keyed by the site secret), dates are shifted per patient.

Instances the de-identifier cannot clear (burned-in annotation, secondary capture, screenshots...) are
kept in **quarantine**: stored, but shown to nobody but curators until one releases or rejects them.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from cmrnet.logbook.models import CATEGORY_LABELS

USER = settings.AUTH_USER_MODEL

CATEGORY_CHOICES = list(CATEGORY_LABELS.items())

# AHA 17-segment model (Cerqueira et al., Circulation 2002): segment number -> name.
AHA_SEGMENTS = {
    1: "basal anterior", 2: "basal anteroseptal", 3: "basal inferoseptal", 4: "basal inferior",
    5: "basal inferolateral", 6: "basal anterolateral", 7: "mid anterior", 8: "mid anteroseptal",
    9: "mid inferoseptal", 10: "mid inferior", 11: "mid inferolateral", 12: "mid anterolateral",
    13: "apical anterior", 14: "apical septal", 15: "apical inferior", 16: "apical lateral", 17: "apex",
}


class WallMotion(models.TextChoices):
    NORMAL = "normal", "Normal"
    HYPOKINETIC = "hypokinetic", "Hypokinetic"
    AKINETIC = "akinetic", "Akinetic"
    DYSKINETIC = "dyskinetic", "Dyskinetic"


class LgePattern(models.TextChoices):
    NONE = "none", "None"
    SUBENDOCARDIAL = "subendocardial", "Subendocardial"
    TRANSMURAL = "transmural", "Transmural"
    MID_WALL = "mid_wall", "Mid-wall"
    EPICARDIAL = "epicardial", "Epicardial"
    RV_INSERTION = "rv_insertion", "RV insertion point"


class CaseStatus(models.TextChoices):
    DRAFT = "draft", "Draft (contributor and curators only)"
    PUBLISHED = "published", "Published to the network"
    WITHDRAWN = "withdrawn", "Withdrawn by the contributor"


class Difficulty(models.TextChoices):
    BASIC = "basic", "Basic"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"


def new_pseudonym() -> str:
    """A case pseudonym, e.g. ``CMR-7F3A2C91``: random, never derived from a patient identifier."""
    return "CMR-" + secrets.token_hex(4).upper()


class Case(models.Model):
    pseudonym = models.CharField(max_length=32, unique=True, default=new_pseudonym,
                                 help_text="Stands for the patient everywhere: DICOM PatientName and PatientID become it.")
    title = models.CharField(max_length=200)
    category = models.CharField(max_length=40, choices=CATEGORY_CHOICES)
    normal = models.BooleanField(default=False, help_text="A normal study (counts towards the logbook's normal share).")
    difficulty = models.CharField(max_length=12, choices=Difficulty.choices, default=Difficulty.INTERMEDIATE)
    teaching_points = models.TextField(blank=True)
    contributor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="library_cases")
    centre = models.ForeignKey("network.Centre", null=True, blank=True, on_delete=models.SET_NULL, related_name="library_cases")
    status = models.CharField(max_length=10, choices=CaseStatus.choices, default=CaseStatus.DRAFT)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)
    phantom = models.BooleanField(default=False, help_text="Synthetic known-truth phantom, not a patient.")
    patient_key = models.CharField(max_length=64, blank=True, editable=False,
                                   help_text="Keyed hash (site secret) of the source patient: later uploads must match. Never shown.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "category"])]

    def __str__(self) -> str:
        return f"{self.pseudonym}: {self.title}"

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS.get(self.category, self.category)


class Study(models.Model):
    """One de-identified examination. Dates are shifted (one offset per patient), the UID remapped."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="studies")
    study_uid = models.CharField("study instance UID (remapped)", max_length=64, unique=True)
    study_date = models.DateField("study date (shifted)", null=True, blank=True)
    description = models.CharField("description (cleaned)", max_length=200, blank=True)
    # Retain Patient Characteristics option: needed to index volumes and mass to body surface area.
    patient_sex = models.CharField(max_length=1, blank=True)
    patient_age = models.CharField(max_length=4, blank=True, help_text="DICOM AS, e.g. 054Y")
    patient_height_m = models.FloatField(null=True, blank=True)
    patient_weight_kg = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["study_date", "pk"]
        verbose_name_plural = "studies"

    def __str__(self) -> str:
        return f"study {self.study_date or ''} {self.description}".strip()

    @property
    def bsa_m2(self) -> float | None:
        """Body surface area (Mosteller) from height and weight, or None."""
        if not self.patient_height_m or not self.patient_weight_kg:
            return None
        return round(((self.patient_height_m * 100) * self.patient_weight_kg / 3600) ** 0.5, 3)


class SeriesKind(models.TextChoices):
    CINE_SAX = "cine_sax", "Cine short axis"
    CINE_LAX = "cine_lax", "Cine long axis"
    LGE = "lge", "Late gadolinium enhancement"
    PERFUSION = "perfusion", "Perfusion"
    MAPPING = "mapping", "T1/T2 mapping"
    FLOW = "flow", "Phase-contrast flow"
    OTHER = "other", "Other"


class Series(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="series")
    series_uid = models.CharField("series instance UID (remapped)", max_length=64, unique=True)
    series_number = models.IntegerField(null=True, blank=True)
    modality = models.CharField(max_length=16, default="MR")
    description = models.CharField("description (cleaned)", max_length=200, blank=True)
    kind = models.CharField(max_length=12, choices=SeriesKind.choices, default=SeriesKind.OTHER)
    # Temporal information for cine playback at the acquired rate.
    frame_time_ms = models.FloatField(null=True, blank=True, help_text="Time between phases (ms), from FrameTime or trigger times.")
    heart_rate_bpm = models.FloatField(null=True, blank=True)
    number_of_phases = models.PositiveIntegerField(default=1, help_text="Cardiac phases (frames in time) per slice.")
    number_of_slices = models.PositiveIntegerField(default=1, help_text="Distinct slice positions.")
    number_of_images = models.PositiveIntegerField(default=0, help_text="Frames in all instances of the series.")
    rows = models.PositiveIntegerField(null=True, blank=True)
    columns = models.PositiveIntegerField(null=True, blank=True)
    pixel_spacing_mm = models.JSONField(null=True, blank=True, help_text="[row spacing, column spacing] in mm")
    slice_thickness_mm = models.FloatField(null=True, blank=True)
    spacing_between_slices_mm = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["series_number", "pk"]
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return f"series {self.series_number or ''} {self.description}".strip()


class QuarantineStatus(models.TextChoices):
    CLEAR = "clear", "Cleared by the profile"
    PENDING = "pending", "In quarantine, awaiting a curator"
    RELEASED = "released", "Released by a curator"
    REJECTED = "rejected", "Rejected by a curator (bytes deleted)"


VISIBLE_QUARANTINE = (QuarantineStatus.CLEAR, QuarantineStatus.RELEASED)


class Instance(models.Model):
    """One de-identified DICOM object in storage. Pixel data exactly as acquired (no lossy re-encoding)."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="instances")
    sop_uid = models.CharField("SOP instance UID (remapped)", max_length=64, unique=True)
    sop_class_uid = models.CharField(max_length=64)
    transfer_syntax_uid = models.CharField(max_length=64)
    instance_number = models.IntegerField(null=True, blank=True)
    storage_key = models.CharField(max_length=255, blank=True, help_text="Where the de-identified object lives (file store or Orthanc).")
    size_bytes = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True, help_text="Of the stored de-identified bytes: the ETag of its frames.")
    rows = models.PositiveIntegerField()
    columns = models.PositiveIntegerField()
    number_of_frames = models.PositiveIntegerField(default=1)
    bits_allocated = models.PositiveSmallIntegerField(default=16)
    bits_stored = models.PositiveSmallIntegerField(default=12)
    pixel_representation = models.PositiveSmallIntegerField(default=0, help_text="0 unsigned, 1 signed")
    samples_per_pixel = models.PositiveSmallIntegerField(default=1)
    photometric_interpretation = models.CharField(max_length=16, default="MONOCHROME2")
    rescale_slope = models.FloatField(default=1.0)
    rescale_intercept = models.FloatField(default=0.0)
    window_center = models.FloatField(null=True, blank=True)
    window_width = models.FloatField(null=True, blank=True)
    slice_location = models.FloatField(null=True, blank=True)
    trigger_time_ms = models.FloatField(null=True, blank=True)
    image_position = models.JSONField(null=True, blank=True, help_text="ImagePositionPatient [x, y, z] mm")
    image_orientation = models.JSONField(null=True, blank=True, help_text="ImageOrientationPatient, 6 cosines")
    quarantine_status = models.CharField(max_length=10, choices=QuarantineStatus.choices, default=QuarantineStatus.CLEAR)
    quarantine_reason = models.CharField(max_length=300, blank=True)
    reviewed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["instance_number", "pk"]
        indexes = [models.Index(fields=["quarantine_status"])]

    def __str__(self) -> str:
        return f"instance {self.instance_number} of {self.series}"

    @property
    def visible(self) -> bool:
        return self.quarantine_status in VISIBLE_QUARANTINE


class ReferenceReport(models.Model):
    """The expert's structured report: the reference a trainee's interpretation is compared with.

    Volumes in ml, mass in g; ``*_indexed`` values are per m2 of body surface area. Segment maps are
    JSON objects keyed by AHA segment number as a string ("1".."17")."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="reference")
    lv_edv_ml = models.FloatField("LV EDV (ml)", null=True, blank=True, validators=[MinValueValidator(0)])
    lv_esv_ml = models.FloatField("LV ESV (ml)", null=True, blank=True, validators=[MinValueValidator(0)])
    lv_ef_pct = models.FloatField("LV EF (%)", null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)])
    lv_sv_ml = models.FloatField("LV SV (ml)", null=True, blank=True)
    rv_edv_ml = models.FloatField("RV EDV (ml)", null=True, blank=True, validators=[MinValueValidator(0)])
    rv_esv_ml = models.FloatField("RV ESV (ml)", null=True, blank=True, validators=[MinValueValidator(0)])
    rv_ef_pct = models.FloatField("RV EF (%)", null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)])
    rv_sv_ml = models.FloatField("RV SV (ml)", null=True, blank=True)
    lv_mass_g = models.FloatField("LV mass (g)", null=True, blank=True, validators=[MinValueValidator(0)])
    bsa_m2 = models.FloatField("body surface area (m2)", null=True, blank=True, validators=[MinValueValidator(0)])
    lv_mass_index_g_m2 = models.FloatField("LV mass index (g/m2)", null=True, blank=True)
    wall_motion = models.JSONField(default=dict, blank=True, help_text='{"1": "normal", ..., "17": "akinetic"}')
    lge = models.JSONField(default=dict, blank=True, help_text='{"7": "transmural", ...}: segments with enhancement and pattern')
    perfusion_defects = models.JSONField(default=list, blank=True, help_text="AHA segments with a stress perfusion defect")
    valve_findings = models.TextField(blank=True)
    final_diagnosis = models.CharField(max_length=300, blank=True)
    author = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"reference report of {self.case.pseudonym}"


class Collection(models.Model):
    """A curated set of cases, e.g. "Congenital basics"."""

    title = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    cases = models.ManyToManyField(Case, blank=True, related_name="collections")
    curator = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class Ingest(models.Model):
    """One upload, import or pull: who brought which files into which case, and what became of each."""

    class Source(models.TextChoices):
        UPLOAD = "upload", "Browser upload"
        COMMAND = "command", "Command line import"
        DICOMWEB = "dicomweb", "Pulled from a DICOMweb server"
        DEMO = "demo", "Demo data"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="ingests")
    source = models.CharField(max_length=10, choices=Source.choices)
    by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    files = models.PositiveIntegerField(default=0)
    deidentified = models.PositiveIntegerField(default=0)
    quarantined = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=list, blank=True, help_text="Per input file: status and reason (never its name).")

    class Meta:
        ordering = ["-at"]
