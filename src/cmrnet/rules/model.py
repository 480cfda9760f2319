"""Application data: the logbook, supervisors, training, CME and the candidate.

Plain frozen dataclasses, no Django.  Sequences are stored as tuples so an
``ApplicationData`` is hashable-free but immutable; lists are accepted and
converted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

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
    # Course cases only: did the course give a full review of the candidate's report?
    # None = not recorded (packages without the column); False = no review: the case does not count.
    full_review: bool | None = None
    # in_person | virtual (over live video): SCMR virtual programmes cap the virtual share (rule virtual_share).
    mode: str = "in_person"


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


TRAINING_MODES = ("in_person", "virtual")


@dataclass(frozen=True, slots=True)
class TrainingPeriod:
    """A period of CMR training; both dates inclusive.

    ``mode``: "in_person" (on site) or "virtual" (remote supervision over live video, e.g. cmrnet live
    rooms), as the logbook's TrainingPeriod.mode; training.csv's optional ``mode`` column, absent or
    empty = in person.
    """

    period_id: str
    start_date: date
    end_date: date
    hours_per_week: float
    supervisor_id: str
    centre: str = ""
    mode: str = "in_person"

    def __post_init__(self):
        if self.mode not in TRAINING_MODES:
            raise ValueError(f"training mode {self.mode!r} is not one of {', '.join(TRAINING_MODES)}")


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
    full_attendance: bool = False   # attended in full (a catalogue grant may then apply)
    # The certification committee's figure ("The decision of the EACVI certification committee is final
    # regarding award of CME hours"): replaces the claimed credits, the multimodality division and the
    # catalogue figure; None = not set.  ``accepted_reason`` says why (shown in the verdict).
    accepted_hours: float | None = None
    accepted_reason: str = ""

    @property
    def has_certificate(self) -> bool:
        return self.certificate.strip().lower() not in ("", "no", "false", "0", "none")


PEER_KINDS = ("cme_faculty", "invited_talk", "publication", "oral", "poster")
PEER_SCOPES = ("local", "national", "international")


@dataclass(frozen=True, slots=True)
class PeerItem:
    """One piece of peer-recognition evidence (peer.csv; the web app's records).

    ``event`` names the course, conference or meeting (for a publication: the journal or DOI);
    two items at the same event are one event.  ``first_author`` and ``presented_in_person``
    matter for orals only; a ``poster`` never counts.
    """

    item_id: str
    kind: str                 # cme_faculty | invited_talk | publication | oral | poster
    title: str
    event: str = ""
    day: date | None = None
    scope: str = "international"   # local | national | international
    first_author: bool = False
    presented_in_person: bool = False


@dataclass(frozen=True)
class PeerRecognition:
    """Peer-recognition evidence (Level 3).  Posters never count.

    With ``items`` (peer.csv) the counts are derived from them (distinct events, orals only at
    national or international meetings, as first author, presented in person); without items the
    declared counts of candidate.toml are taken as they are.
    """

    cme_faculty: int = 0
    invited_talks: int = 0
    publications: int = 0
    first_author_orals: int = 0
    posters: int = 0
    items: tuple[PeerItem, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "items", tuple(self.items))


@dataclass(frozen=True)
class Level2Certificate:
    """The candidate's Level 2 certification and its logbook (level3-via-level2).

    ``training_ids`` / ``cme_ids``: the training periods and CME claims (ids in training.csv /
    cme.csv) that served the Level 2 application.  ``None`` = not declared: then what lies on or
    before ``awarded_on`` is taken as used for Level 2 (rule-set parameter
    ``level2_presume_used_until_award``).  ``()`` = declared: none was used.
    """

    awarded_on: date
    valid_until: date
    cases: tuple[Case, ...] = ()
    cases_file: str = "level2_cases.csv"
    training_ids: tuple[str, ...] | None = None
    cme_ids: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "cases", tuple(self.cases))
        for name in ("training_ids", "cme_ids"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, tuple(value))


@dataclass(frozen=True)
class Candidate:
    """Facts about the candidate, as in ``candidate.toml``.

    The logbook deadline is ``logbook_deadline`` when given (an explicit,
    approved date), else exam date + the rule set's years + ``deadline_extension_days``.
    """

    exam_date: date | None = None
    exam_passed: bool = False
    results_date: date | None = None       # the day the exam results were released
    registration_valid_until: date | None = None
    acls_valid_until: date | None = None
    application_date: date | None = None
    supervisor_declaration: bool = False
    peer_recognition: PeerRecognition = field(default_factory=PeerRecognition)
    level2: Level2Certificate | None = None
    deadline_extension_days: int = 0
    logbook_deadline: date | None = None
    # Cardiology, radiology, ...: carried for the record only; no rule may read it (SCMR: training
    # and certification regardless of specialty; tests/rules/test_routes_and_specialty.py).
    specialty: str = ""
    # The share of cases a virtual training programme lets this trainee do over live video (seed 001: it
    # varies with the programme's logistics, mentoring time and the trainee's competence). None: the rule
    # set's virtual_share_max.
    virtual_share_max: Fraction | None = None

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
