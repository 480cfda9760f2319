"""Live tele-supervision: scheduled sessions, rooms, who is invited, who was present, chat.

A **session** is on the calendar (start/end in a time zone, participants, .ics). Its **room** is where
people meet live; a room can also be opened ad hoc from a supervision link or by an expert-help request.
**Presence** rows (join/leave per connection) are the attendance record. Media never passes through
the server; nothing of the audio, video or console picture is stored. Chat is kept with the room.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from cmrnet.people.timezones import validate_time_zone

USER = settings.AUTH_USER_MODEL


def default_cap() -> int:
    return settings.CMRNET_LIVE_ROOM_CAP


def default_time_zone() -> str:
    return settings.TIME_ZONE


class SessionKind(models.TextChoices):
    SUPERVISED_SCAN = "supervised_scan", "Supervised scanning (remote supervision)"
    SCAN_OBSERVATION = "scan_observation", "Live scan observation"
    CASE_INTERPRETATION = "case_interpretation", "Small-group case interpretation"
    PLANNING = "planning", "Planning and troubleshooting"
    DIDACTIC = "didactic", "Didactic live session"


# Kinds whose attended time is time at a scanner under supervision (it can become a logbook training period).
SCANNING_KINDS = (SessionKind.SUPERVISED_SCAN, SessionKind.SCAN_OBSERVATION)


class ParticipantRole(models.TextChoices):
    MENTOR = "mentor", "Mentor"
    TRAINEE = "trainee", "Trainee"
    SITE_STAFF = "site_staff", "Site staff"
    CONSOLE = "console", "Console (at the scanner)"
    EXPERT = "expert", "Remote expert"
    OBSERVER = "observer", "Observer"


# Roles that count as remote experts: they may draw on the console view and be granted scan control.
EXPERT_ROLES = (ParticipantRole.MENTOR, ParticipantRole.EXPERT)


class Response(models.TextChoices):
    PENDING = "pending", "No answer yet"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class LiveSession(models.Model):
    """A scheduled live session. Times are stored in UTC; `time_zone` is the organiser's, used for the
    calendar entry; each participant sees the times in their own zone."""

    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=24, choices=SessionKind.choices, default=SessionKind.SUPERVISED_SCAN)
    description = models.TextField(blank=True, help_text="No patient identifiers.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64, default=default_time_zone, validators=[validate_time_zone])
    centre = models.ForeignKey("network.Centre", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="live_sessions", help_text="The site (where the scanner is).")
    scanner = models.ForeignKey("network.Scanner", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    organiser = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="organised_live_sessions")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, help_text="iCalendar UID")
    sequence = models.PositiveIntegerField(default=0, help_text="iCalendar SEQUENCE: raised on each change")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                              name="live_session_ends_after_start")]
        indexes = [models.Index(fields=["starts_at"])]

    def __str__(self) -> str:
        return self.title

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class Room(models.Model):
    """Where people meet live. One per scheduled session; ad hoc ones come from a supervision link or
    an expert-help request."""

    class Origin(models.TextChoices):
        SESSION = "session", "Scheduled session"
        SUPERVISION = "supervision", "Ad hoc, from a supervision link"
        HELP = "help", "Expert help request"

    title = models.CharField(max_length=200)
    origin = models.CharField(max_length=12, choices=Origin.choices)
    session = models.OneToOneField(LiveSession, null=True, blank=True, on_delete=models.CASCADE, related_name="room")
    supervision = models.ForeignKey("people.Supervision", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    centre = models.ForeignKey("network.Centre", null=True, blank=True, on_delete=models.PROTECT, related_name="live_rooms",
                               help_text="The site: its staff may join; its people count as local for scan control.")
    scanner = models.ForeignKey("network.Scanner", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cap = models.PositiveSmallIntegerField(default=default_cap, validators=[MinValueValidator(2), MaxValueValidator(50)],
                                           help_text="Most connections at once (a mesh suits small rooms).")
    opened_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def counts_as_scanning(self) -> bool:
        """Attended time here is supervised scanning time (a session of a scanning kind, or ad hoc supervision)."""
        if self.session_id:
            return self.session.kind in SCANNING_KINDS
        return self.origin == self.Origin.SUPERVISION


class Participant(models.Model):
    """A person invited to a room (with the role they take in it) and their answer."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="live_participations")
    role = models.CharField(max_length=12, choices=ParticipantRole.choices)
    response = models.CharField(max_length=10, choices=Response.choices, default=Response.PENDING)
    invited_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    invited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "person__full_name"]
        constraints = [models.UniqueConstraint(fields=["room", "person"], name="one_participation_per_room")]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()}) in {self.room}"


class Presence(models.Model):
    """One connection to a room: when it joined and left. Attendance is computed from these rows."""

    class Kind(models.TextChoices):
        PERSON = "person", "Camera and microphone"
        CONSOLE = "console", "Scanner console"

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="presences")
    person = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="live_presences")
    peer_id = models.CharField(max_length=40)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.PERSON)
    joined_at = models.DateTimeField()
    last_seen = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "pk"]
        indexes = [models.Index(fields=["room", "left_at"]), models.Index(fields=["person", "joined_at"])]

    def __str__(self) -> str:
        return f"{self.person} in {self.room} from {self.joined_at:%H:%M}"


class ChatMessage(models.Model):
    """Chat is kept with the room (the session's record). The page reminds: no patient identifiers."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="chat")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    text = models.CharField(max_length=1000)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["sent_at", "pk"]

    def __str__(self) -> str:
        return f"{self.author}: {self.text[:40]}"


class TrainingCredit(models.Model):
    """Attended time in a room already turned into a logbook training period (never counted twice).
    Deleting the period in the logbook deletes the credit, so the time can be credited again."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="training_credits")
    trainee = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey("logbook.TrainingPeriod", on_delete=models.CASCADE, related_name="live_credits")
    minutes = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "trainee"], name="one_credit_per_room_and_trainee")]


class ScanControlGrant(models.Model):
    """A local participant hands the scanner console to a named remote expert, for a limited time.
    Only while the grant lasts does cmrnet relay the expert's noVNC connection to the console's VNC server;
    view only unless the site chose full control. Any local participant can take it back at once."""

    class Mode(models.TextChoices):
        VIEW = "view", "View only"
        CONTROL = "control", "Full control (mouse and keyboard)"

    class Ending(models.TextChoices):
        TAKEN_BACK = "taken_back", "Taken back by the site"
        EXPIRED = "expired", "Time ran out"
        REPLACED = "replaced", "Replaced by a new grant"
        ROOM_CLOSED = "room_closed", "Room closed"

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="control_grants")
    scanner = models.ForeignKey("network.Scanner", on_delete=models.PROTECT, related_name="+")
    granted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    grantee = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="scan_control_grants")
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.VIEW)
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    ending = models.CharField(max_length=12, choices=Ending.choices, blank=True)

    class Meta:
        ordering = ["-granted_at", "-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(expires_at__gt=models.F("granted_at")),
                                              name="grant_expires_after_granted")]

    def __str__(self) -> str:
        return f"{self.get_mode_display()} of {self.scanner.name} to {self.grantee}"

    def is_active(self, now) -> bool:
        return self.ended_at is None and now < self.expires_at


class RotaEntry(models.Model):
    """An on-call slot: a current Level 3 expert on a weekday between two times on the clock of a time
    zone, for one centre or the whole network (no centre). Tier 1 is called first."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    expert = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="rota_entries")
    centre = models.ForeignKey("network.Centre", null=True, blank=True, on_delete=models.CASCADE, related_name="rota_entries",
                               help_text="Empty: on call for the whole network.")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField()
    ends = models.TimeField(help_text="At or before the start: the slot runs past midnight.")
    time_zone = models.CharField(max_length=64, default=default_time_zone, validators=[validate_time_zone])
    tier = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(9)],
                                            help_text="1 is called first; higher tiers after each escalation.")
    valid_from = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["weekday", "starts", "tier", "pk"]
        verbose_name_plural = "rota entries"

    def __str__(self) -> str:
        return f"{self.expert} {self.get_weekday_display()} {self.starts:%H:%M}-{self.ends:%H:%M} {self.time_zone} (tier {self.tier})"

    def as_slot(self):
        from cmrnet.live.oncall import Slot

        return Slot(expert_id=self.expert_id, weekday=self.weekday, starts=self.starts, ends=self.ends, time_zone=self.time_zone,
                    tier=self.tier, centre_id=self.centre_id, valid_from=self.valid_from, valid_until=self.valid_until)


class HelpRequest(models.Model):
    """Staff at a site ask for an on-call expert, about a scanner, with a short reason. The first expert
    to accept joins the request's room; unanswered, it escalates to the next tier after N minutes."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting for an expert"
        ACCEPTED = "accepted", "Answered"
        CANCELLED = "cancelled", "Cancelled"

    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="help_requests")
    centre = models.ForeignKey("network.Centre", on_delete=models.PROTECT, related_name="help_requests")
    scanner = models.ForeignKey("network.Scanner", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(max_length=300, help_text="Short, and no patient identifiers.")
    room = models.OneToOneField(Room, on_delete=models.PROTECT, related_name="help_request")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField()
    tiers_called = models.PositiveSmallIntegerField(default=0, help_text="Escalation steps taken (tiers with someone on call).")
    last_called_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="answered_help_requests")
    accepted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "last_called_at"]), models.Index(fields=["centre", "created_at"])]

    def __str__(self) -> str:
        return f"Help at {self.centre} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def seconds_to_answer(self) -> float | None:
        return (self.accepted_at - self.created_at).total_seconds() if self.accepted_at else None


class HelpCall(models.Model):
    """An expert called for a request (live notification and e-mail), and at which tier."""

    request = models.ForeignKey(HelpRequest, on_delete=models.CASCADE, related_name="calls")
    expert = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="help_calls")
    tier = models.PositiveSmallIntegerField()
    called_at = models.DateTimeField()

    class Meta:
        ordering = ["called_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["request", "expert"], name="one_call_per_expert_and_request")]
