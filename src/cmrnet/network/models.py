from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from cmrnet.network.sizing import size_class

FIELD_STRENGTHS = [("0.55T", "0.55 T"), ("1.5T", "1.5 T"), ("3T", "3 T")]
COUNTRY_MESSAGE = "Use the two-letter ISO country code, e.g. DE."


def normalise_country(value: str) -> str:
    """The country as the form, the API and the service store it: two ASCII letters, upper case."""
    country = (value or "").strip().upper()
    if len(country) != 2 or not (country.isascii() and country.isalpha()):
        raise ValidationError(COUNTRY_MESSAGE, code="country")
    return country


def check_field_strengths(values) -> list[str]:
    """A list of known field strengths, each once, in the order of FIELD_STRENGTHS."""
    known = [value for value, _label in FIELD_STRENGTHS]
    if not isinstance(values, (list, tuple)) or not all(isinstance(v, str) for v in values):
        raise ValidationError("A list of field strengths, e.g. [\"1.5T\", \"3T\"].", code="field_strengths")
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ValidationError(f"Unknown field strength {', '.join(unknown)}: use {', '.join(known)}.",
                              code="field_strengths")
    return [value for value in known if value in values]


class ServiceLead(models.TextChoices):
    RADIOLOGY = "radiology", "Radiology"
    CARDIOLOGY = "cardiology", "Cardiology"
    JOINT = "joint", "Joint (radiology and cardiology)"


class Sector(models.TextChoices):
    PUBLIC = "public", "Public"
    PRIVATE = "private", "Private"


class Centre(models.Model):
    """A hospital in the network."""

    name = models.CharField(max_length=200, unique=True)
    city = models.CharField(max_length=100)
    country = models.CharField(max_length=2, help_text="ISO 3166 code, e.g. DE")
    beds = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    annual_scan_volume = models.PositiveIntegerField("annual CMR scans", default=0)
    stress_perfusion = models.BooleanField(default=False)
    congenital = models.BooleanField("congenital heart disease", default=False)
    device_scanning = models.BooleanField("implanted-device scanning", default=False)
    field_strengths = models.JSONField(default=list, blank=True)
    joined_on = models.DateField("joined the network")
    training_since = models.PositiveSmallIntegerField("training on site since (year)", null=True, blank=True)
    trainees_trained = models.PositiveIntegerField(default=0)
    service_lead = models.CharField("CMR service led by", max_length=12, choices=ServiceLead.choices, blank=True)
    sector = models.CharField(max_length=8, choices=Sector.choices, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = {}
        for name, check in (("country", normalise_country), ("field_strengths", check_field_strengths)):
            try:
                setattr(self, name, check(getattr(self, name)))
            except ValidationError as error:
                errors[name] = error.messages
        if errors:
            raise ValidationError(errors)

    @property
    def size_class(self) -> str:
        return size_class(self.beds)

    def years_training(self, year: int) -> int:
        return max(0, year - self.training_since) if self.training_since else 0

    @property
    def capabilities(self) -> list[str]:
        caps = [label for flag, label in [
            (self.stress_perfusion, "stress perfusion"), (self.congenital, "congenital"),
            (self.device_scanning, "implanted devices")] if flag]
        return caps + list(self.field_strengths)


class Vendor(models.TextChoices):
    SIEMENS = "siemens", "Siemens Healthineers"
    GE = "ge", "GE HealthCare"
    PHILIPS = "philips", "Philips"
    CANON = "canon", "Canon Medical"
    UNITED_IMAGING = "united_imaging", "United Imaging"
    OTHER = "other", "Other"


class Scanner(models.Model):
    """An MR scanner of a centre. Live rooms show which scanner a session or request is about; the
    console's VNC endpoint (host, port, secret) lets a remote expert operate it when the site grants
    control. The secret is stored sealed (Fernet) and is never rendered or serialised."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="scanners")
    name = models.CharField(max_length=100, help_text="How the site calls it, e.g. MR 1.")
    vendor = models.CharField(max_length=20, choices=Vendor.choices)
    model = models.CharField("model", max_length=100, help_text="e.g. MAGNETOM Sola")
    field_strength = models.CharField(max_length=8, choices=FIELD_STRENGTHS)
    active = models.BooleanField(default=True)
    vnc_host = models.CharField("console VNC host", max_length=253, blank=True,
                                help_text="Host name or address of the console's VNC server, reachable from the cmrnet server.")
    vnc_port = models.PositiveIntegerField("console VNC port", default=5900,
                                           validators=[MinValueValidator(1), MaxValueValidator(65535)])
    vnc_secret_sealed = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["centre__name", "name"]
        constraints = [models.UniqueConstraint(fields=["centre", "name"], name="unique_scanner_name_per_centre")]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_vendor_display()} {self.model}, {self.get_field_strength_display()})"

    @property
    def vnc_configured(self) -> bool:
        return bool(self.vnc_host)

    @property
    def has_vnc_secret(self) -> bool:
        return bool(self.vnc_secret_sealed)

    def vnc_secret(self) -> str:
        """The plain VNC password, for the server-side proxy only."""
        from cmrnet.network.secrets import unseal

        return unseal(self.vnc_secret_sealed) if self.vnc_secret_sealed else ""


class Accreditation(models.Model):
    """An accreditation a centre holds (e.g. SCMR laboratory accreditation): body, date, expiry."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="accreditations")
    body = models.CharField(max_length=100, help_text="e.g. SCMR, EACVI, national society")
    title = models.CharField(max_length=200, blank=True, help_text="e.g. CMR laboratory accreditation")
    awarded_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True, help_text="Empty: does not expire.")
    reference = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-awarded_on", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(expires_on__isnull=True) | models.Q(expires_on__gt=models.F("awarded_on")),
                                              name="accreditation_expires_after_award")]

    def __str__(self) -> str:
        return f"{self.body} {self.title}".strip()

    def is_current_on(self, day) -> bool:
        return self.awarded_on <= day and (self.expires_on is None or day <= self.expires_on)
