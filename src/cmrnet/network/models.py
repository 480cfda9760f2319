from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models

from cmrnet.network.sizing import size_class

FIELD_STRENGTHS = [("0.55T", "0.55 T"), ("1.5T", "1.5 T"), ("3T", "3 T")]


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

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

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
