"""Application data: the logbook, supervisors, training, CME and the candidate.

Plain frozen dataclasses, no Django.  Sequences are stored as tuples so an
``ApplicationData`` is hashable-free but immutable; lists are accepted and
converted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

SOURCES = ("own_centre", "other_centre", "course")
ROLES = ("primary_operator", "reporting", "observer")
CME_KINDS = ("congress", "course", "online", "ects", "self_directed")
DEFAULT_CATEGORIES = (
    "ischaemic", "cardiomyopathy", "valvular", "congenital",
    "aortic_vascular", "pericardial", "mass", "other",
)


@dataclass(frozen=True, slots=True)
class Case:
    """One logbook case (one CMR study of one patient)."""

    case_id: str
    study_date: date
    patient_key: str
    category: str
    normal: bool
    source: str = "own_centre"          # own_centre | other_centre | course
    course_id: str = ""
    role: str = "primary_operator"      # primary_operator | reporting | observer
    control_room: bool = False
    supervisor_id: str = ""
    clinical_change: bool = False


@dataclass(frozen=True, slots=True)
class SupervisorCert:
    """One certification held by a supervisor (a person may hold several)."""

    supervisor_id: str
    body: str                 # EACVI | SCMR | ...
    level: int
    awarded_on: date
    valid_until: date
    revoked_on: date | None = None

    def holds_on(self, day: date) -> bool:
        """Valid on ``day``: awarded on or before, not expired, not revoked on or before."""
        if self.revoked_on is not None and self.revoked_on <= day:
            return False
        return self.awarded_on <= day <= self.valid_until

    def last_valid_day(self) -> date:
        """Last day the certificate is valid, taking a revocation into account."""
        if self.revoked_on is not None and self.revoked_on <= self.valid_until:
            return date.fromordinal(self.revoked_on.toordinal() - 1)
        return self.valid_until


@dataclass(frozen=True, slots=True)
class TrainingPeriod:
    """A period of CMR training; both dates inclusive."""

    period_id: str
    start_date: date
    end_date: date
    hours_per_week: float
    supervisor_id: str
    centre: str = ""


@dataclass(frozen=True, slots=True)
class CmeActivity:
    """One CME claim.  ``credits`` is the figure on the certificate.

    ``certificate`` is the evidence reference (a file name, or "yes");
    empty or "no" means no attendance certificate.
    """

    activity_id: str
    title: str
    provider: str
    kind: str                 # congress | course | online | ects | self_directed
    start_date: date
    end_date: date
    credits: float
    modalities: int = 1
    catalog_id: str = ""
    certificate: str = ""

    @property
    def has_certificate(self) -> bool:
        return self.certificate.strip().lower() not in ("", "no", "false", "0", "none")


@dataclass(frozen=True, slots=True)
class PeerRecognition:
    """Counts of peer-recognition evidence (Level 3).  Posters never count."""

    cme_faculty: int = 0
    invited_talks: int = 0
    publications: int = 0
    first_author_orals: int = 0
    posters: int = 0


@dataclass(frozen=True)
class Level2Certificate:
    """The candidate's Level 2 certification and its logbook (level3-via-level2)."""

    awarded_on: date
    valid_until: date
    cases: tuple[Case, ...] = ()
    cases_file: str = "level2_cases.csv"

    def __post_init__(self) -> None:
        object.__setattr__(self, "cases", tuple(self.cases))


@dataclass(frozen=True)
class Candidate:
    """Facts about the candidate, as in ``candidate.toml``.

    The logbook deadline is ``logbook_deadline`` when given (an explicit,
    approved date), else exam date + the rule set's years + ``deadline_extension_days``.
    """

    exam_date: date | None = None
    exam_passed: bool = False
    registration_valid_until: date | None = None
    acls_valid_until: date | None = None
    application_date: date | None = None
    supervisor_declaration: bool = False
    peer_recognition: PeerRecognition = field(default_factory=PeerRecognition)
    level2: Level2Certificate | None = None
    deadline_extension_days: int = 0
    logbook_deadline: date | None = None

    def reference_date(self, today: date) -> date:
        """The date the application is judged on: its application date, else today."""
        return self.application_date or today


@dataclass(frozen=True)
class ApplicationData:
    """Everything one application consists of."""

    candidate: Candidate
    cases: tuple[Case, ...] = ()
    supervisors: tuple[SupervisorCert, ...] = ()
    training: tuple[TrainingPeriod, ...] = ()
    cme: tuple[CmeActivity, ...] = ()

    def __post_init__(self) -> None:
        for name in ("cases", "supervisors", "training", "cme"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
