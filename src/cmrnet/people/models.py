from __future__ import annotations

import datetime as dt

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models

from cmrnet.people.login_names import normalise_login_name
from cmrnet.people.roles import Role
from cmrnet.people.timezones import validate_time_zone
from cmrnet.rules.model import SupervisorCert


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, email: str):
        """The account whose e-mail normalises exactly as the typed name does (see login_names)."""
        name = normalise_login_name(email)
        for user in self.filter(email__iexact=name):
            if normalise_login_name(user.email) == name:
                return user
        raise self.model.DoesNotExist(f"No account for {name!r}.")

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class Specialty(models.TextChoices):
    CARDIOLOGY = "cardiology", "Cardiology"
    RADIOLOGY = "radiology", "Radiology"
    OTHER = "other", "Other"


class User(AbstractUser):
    """A person: trainee, mentor, board member... Logs in by e-mail."""

    username = None
    email = models.EmailField("e-mail", unique=True)
    full_name = models.CharField(max_length=200)
    centre = models.ForeignKey(
        "network.Centre", null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    specialty = models.CharField(max_length=20, choices=Specialty.choices, default=Specialty.CARDIOLOGY)
    languages = models.CharField(max_length=100, blank=True, default="en", help_text="Comma-separated ISO codes, e.g. en,de")
    registration_country = models.CharField("registration country", max_length=2, blank=True, help_text="ISO 3166 code")
    registration_number = models.CharField("registration number", max_length=64, blank=True)
    registration_valid_until = models.DateField(null=True, blank=True)
    acls_valid_until = models.DateField("ACLS / advanced life support valid until", null=True, blank=True)
    acls_evidence = models.FileField(upload_to="evidence/acls/%Y/", blank=True)
    time_zone = models.CharField("time zone", max_length=64, blank=True, validators=[validate_time_zone],
                                 help_text="IANA name, e.g. Europe/Berlin; empty: the site's time zone. "
                                           "Live sessions are shown in it.")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]
    objects = UserManager()

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def role_set(self) -> frozenset[str]:
        if not hasattr(self, "_role_cache"):
            self._role_cache = frozenset(self.role_grants.values_list("role", flat=True))
        return self._role_cache

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    @property
    def zone(self):
        """The person's time zone (ZoneInfo), the site's when none is set."""
        from cmrnet.people.timezones import zone_or_default

        return zone_or_default(self.time_zone)

    def forget_roles(self) -> None:
        self.__dict__.pop("_role_cache", None)


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_role_per_user")]
        ordering = ["role"]

    def __str__(self) -> str:
        return f"{self.user} as {self.get_role_display()}"


class Body(models.TextChoices):
    EACVI = "EACVI", "EACVI"
    SCMR = "SCMR", "SCMR"


class CertificationStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class Certification(models.Model):
    """A CMR certification a person holds (awarded elsewhere or issued by cmrnet)."""

    holder = models.ForeignKey(User, on_delete=models.CASCADE, related_name="certifications")
    body = models.CharField(max_length=8, choices=Body.choices)
    level = models.PositiveSmallIntegerField(choices=[(1, "Level 1"), (2, "Level 2"), (3, "Level 3")])
    awarded_on = models.DateField()
    valid_until = models.DateField()
    revoked = models.BooleanField(default=False)
    revoked_on = models.DateField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-awarded_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(valid_until__gt=models.F("awarded_on")), name="certification_valid_after_award"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=3), name="certification_level_1_to_3"),
        ]

    def __str__(self) -> str:
        return f"{self.body} Level {self.level} ({self.holder})"

    def status_on(self, day: dt.date) -> str:
        if self.revoked and (self.revoked_on is None or self.revoked_on <= day):
            return CertificationStatus.REVOKED
        if day > self.valid_until:
            return CertificationStatus.EXPIRED
        return CertificationStatus.ACTIVE

    @property
    def revoked_from(self) -> dt.date | None:
        """The day a revocation takes effect; a revocation without a date counts from the award."""
        return (self.revoked_on or self.awarded_on) if self.revoked else None

    def as_rule_cert(self, supervisor_id: str) -> SupervisorCert:
        """This certification as the rule engine sees it."""
        return SupervisorCert(supervisor_id=supervisor_id, body=self.body, level=self.level, awarded_on=self.awarded_on,
                              valid_until=self.valid_until, revoked_on=self.revoked_from)

    def is_current_on(self, day: dt.date) -> bool:
        """Held on `day`: the rule engine's own test, so pages and rules never disagree."""
        return self.as_rule_cert(str(self.holder_id)).holds_on(day)


class Supervision(models.Model):
    """A mentor supervising a trainee (on site or, with board approval, remotely)."""

    trainee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="supervised_by")
    supervisor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="supervising")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    remote = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["trainee", "supervisor", "started_on"], name="unique_supervision")]

    def __str__(self) -> str:
        return f"{self.supervisor} supervises {self.trainee}"


class ExamPass(models.Model):
    """"Exam passed on <date>": written by the exam module on result release, or recorded by the
    board for a sitting held elsewhere. The certification rules read it (exam_passed, deadlines)."""

    class Source(models.TextChoices):
        SITTING = "sitting", "cmrnet exam sitting"
        BOARD = "board", "recorded by the exam board"

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="exam_passes")
    body = models.CharField(max_length=8, choices=Body.choices, default=Body.EACVI)
    exam_date = models.DateField(help_text="The day the exam was sat.")
    results_released_on = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    reference = models.CharField(max_length=100, blank=True, help_text="e.g. the sitting id")
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-exam_date"]
        constraints = [models.UniqueConstraint(fields=["person", "body", "exam_date"], name="one_pass_per_exam")]

    def __str__(self) -> str:
        return f"{self.person}: {self.body} exam passed on {self.exam_date}"


class Invitation(models.Model):
    """A single-use, expiring link that lets a person added by an administrator set their password.

    Only a digest of the token is stored: the link in the e-mail is the one place the token exists.
    A re-sent invitation withdraws the earlier ones, so only the newest link works."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    used_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True, help_text="When the mail server accepted the e-mail.")
    delivery_failed_at = models.DateTimeField(null=True, blank=True, help_text="When sending the e-mail failed.")
    delivery_error = models.CharField(max_length=300, blank=True, help_text="What the mail server answered.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.person}"

    def state_at(self, now: dt.datetime) -> str:
        """used, withdrawn, expired or pending at `now`."""
        if self.used_at:
            return "used"
        if self.withdrawn_at:
            return "withdrawn"
        if now >= self.expires_at:
            return "expired"
        return "pending"


class ApiToken(models.Model):
    """A person's API token. Only the SHA-256 digest of its secret is stored: the secret is shown once, when
    the token is created, and a copy of the database authenticates nobody. (The secret carries 256 random
    bits, so a fast digest is enough; a password needs a slow one because people choose guessable ones.)"""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'hospital RIS export'.")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=12, editable=False, help_text="The secret's first characters, to recognise it.")
    created_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
