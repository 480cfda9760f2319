"""SCMR's stipulations for virtual CMR training (seed 001, Patel et al. 2021) as a checklist.

PURE PYTHON, no Django: facts about a programme go in as frozen dataclasses, verdicts come out; time is
an argument (`today=`). `selectors.programme_facts(programme)` gathers the facts from the database.
A programme may open enrolment only when every mandatory item is met (`Checklist.may_open`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from cmrnet.rules.model import SupervisorCert

MET, UNMET, NOT_APPLICABLE = "met", "unmet", "not_applicable"

# The breadth of disease states the interpretation cases must cover (seed 001: "to ensure that the full
# breadth of disease states are encountered"): the logbook's categories without "other".
REQUIRED_CATEGORIES = ("ischaemic", "cardiomyopathy", "valvular", "congenital", "aortic_vascular", "pericardial", "mass")
LEVEL3_BODIES = ("SCMR", "EACVI")


@dataclass(frozen=True)
class SessionFact:
    kind: str                      # programmes.models.SessionKind value
    title: str = ""
    has_video: bool = False        # recorded lectures: the recording is uploaded
    # interpretation sessions: the reading set linked from the case library (published cases), their disease
    # categories, whether a mentor reviews (the readings go to them in the interpretation app), and how many
    # readings of the set the session's mentors have reviewed so far (evidence only)
    reading_set: int = 0
    case_categories: tuple[str, ...] = ()
    has_mentor: bool = False
    reviewed: int = 0
    covers_safety: bool = False
    cancelled: bool = False


@dataclass(frozen=True)
class ProgrammeFacts:
    title: str
    starts_on: date
    ends_on: date
    delivery_mode: str                              # in_person | virtual | blended
    modules: int = 0
    objectives: int = 0
    modules_cover_safety: bool = False
    lead_name: str = ""
    lead_certs: tuple[SupervisorCert, ...] = ()
    lead_equivalent_expert: bool = False
    lead_equivalent_evidence: bool = False
    host_centre: str = ""
    host_trainees_recorded: int = 0                 # trainees who completed on-site training, recorded in cmrnet
    host_trainees_declared: int = 0                 # the centre's declared figure
    training_record_document: bool = False          # a document backs the declared record
    sessions: tuple[SessionFact, ...] = ()
    stress_in_person: bool = False
    devices_in_person: bool = False
    in_person_below_level: int = 0
    video_equipment_statement: str = ""
    privacy_statement: str = ""
    scmr_feedback_arrangement: str = ""
    scmr_verified_on: date | None = None
    scmr_reference: str = ""


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    stipulation: str              # the seed's words
    mandatory: bool
    status: str                   # met | unmet | not_applicable
    evidence: str                 # what cmrnet found
    missing: tuple[str, ...] = ()
    automatic: bool = True        # checked from cmrnet's records (False: from a statement or document)

    @property
    def met(self) -> bool:
        return self.status != UNMET


@dataclass(frozen=True)
class Checklist:
    items: tuple[Item, ...] = field(default_factory=tuple)

    @property
    def may_open(self) -> bool:
        return all(i.met for i in self.items if i.mandatory)

    @property
    def missing(self) -> list[str]:
        """What stops enrolment from opening, one line per action."""
        return [line for i in self.items if i.mandatory and not i.met for line in i.missing]

    def item(self, item_id: str) -> Item:
        return next(i for i in self.items if i.id == item_id)


def _n(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _live(facts: ProgrammeFacts, *kinds: str) -> list[SessionFact]:
    return [s for s in facts.sessions if s.kind in kinds and not s.cancelled]


def _item(id, title, stipulation, ok, evidence, missing, *, mandatory=True, automatic=True) -> Item:
    return Item(id, title, stipulation, mandatory, MET if ok else UNMET, evidence, () if ok else tuple(missing), automatic)


def curriculum(facts: ProgrammeFacts, *, today: date) -> Item:
    ok = facts.modules > 0 and facts.objectives > 0
    return _item("curriculum", "Curriculum compliant with the SCMR training guidelines",
                 "The virtual training program should be fully compliant with the current SCMR training guidelines",
                 ok, f"{_n(facts.modules, 'module')} with {_n(facts.objectives, 'learning objective')}",
                 ["add at least one module with its learning objectives"])


def lead_level3(facts: ProgrammeFacts, *, today: date) -> Item:
    """Current Level 3 (SCMR or EACVI) on the programme's start date (and today, once it has started), or
    an equivalent expert recorded with evidence."""
    days = [facts.starts_on] + ([today] if today > facts.starts_on else [])
    level3 = [c for c in facts.lead_certs if c.body in LEVEL3_BODIES and c.level >= 3]
    holding = [c for c in level3 if all(c.holds_on(d) for d in days)]
    stipulation = "Virtual training program should be led by a Level-III-trained, Advanced Practitioner, or equivalent CMR expert"
    title = "Lead: Level 3 or equivalent CMR expert"
    if holding:
        best = max(holding, key=lambda c: c.last_valid_day())
        note = f"{facts.lead_name} holds {best.body} Level 3, valid until {best.last_valid_day():%Y-%m-%d}"
        if best.last_valid_day() < facts.ends_on:
            note += f" (before the programme ends on {facts.ends_on:%Y-%m-%d}: renew in time)"
        return _item("lead", title, stipulation, True, note, [])
    if facts.lead_equivalent_expert and facts.lead_equivalent_evidence:
        return _item("lead", title, stipulation, True, f"{facts.lead_name} is recorded as an equivalent CMR expert, with evidence", [])
    on = ", ".join(f"{d:%Y-%m-%d}" for d in days)
    if level3:
        last = max(c.last_valid_day() for c in level3)
        found = f"{facts.lead_name}'s Level 3 is not current on {on} (last valid day {last:%Y-%m-%d})"
    else:
        found = f"{facts.lead_name} holds no SCMR or EACVI Level 3 on record"
    if facts.lead_equivalent_expert:
        found += "; recorded as an equivalent expert, but without evidence"
    return _item("lead", title, stipulation, False, found,
                 [f"the lead needs a current Level 3 on {on}, or record them as an equivalent CMR expert with evidence"])


def track_record(facts: ProgrammeFacts, *, today: date) -> Item:
    recorded = facts.host_trainees_recorded
    declared = facts.host_trainees_declared if facts.training_record_document else 0
    ok = recorded > 0 or declared > 0
    parts = [f"{_n(recorded, 'trainee')} who completed on-site training at {facts.host_centre} recorded in cmrnet"]
    if facts.host_trainees_declared:
        parts.append(f"{facts.host_trainees_declared} declared" + (" with a document" if facts.training_record_document
                                                                    else " without a document"))
    return _item("track_record", "Host centre: track record of on-site training",
                 "Training centers must have a successful track record of on-site training as a pre-requisite",
                 ok, "; ".join(parts),
                 ["record trainees who completed on-site training at the host centre, or upload a document backing the declared record"])


def didactic(facts: ProgrammeFacts, *, today: date) -> Item:
    live = _live(facts, "didactic_live")
    recorded = [s for s in _live(facts, "recorded_lecture") if s.has_video]
    ok = bool(live or recorded)
    return _item("didactic", "Didactic lectures scheduled",
                 "Didactic lectures can be provided by faculty selected by the training program. Alternatively, "
                 "pre-recorded lecture series ... can be utilized",
                 ok, f"{_n(len(live), 'live lecture')}, {_n(len(recorded), 'recorded lecture')} with the recording",
                 ["schedule a live didactic lecture or upload a recorded lecture"])


def console(facts: ProgrammeFacts, *, today: date) -> Item:
    sessions = _live(facts, "scan_observation")
    return _item("console", "Console visualisation during scans",
                 "the trainee must be able to visualize the control console during the CMR scan",
                 bool(sessions), f"{_n(len(sessions), 'live scan-observation session')} (console shared in the live room)",
                 ["schedule a live scan-observation session"])


def planning(facts: ProgrammeFacts, *, today: date) -> Item:
    dedicated = _live(facts, "planning")
    observed = _live(facts, "scan_observation")
    ok = bool(dedicated or observed)
    return _item("planning", "Sequence selection and troubleshooting",
                 "provide input with sequence selection and modification/troubleshooting ... or have dedicated sessions "
                 "focused on image planning and trouble-shooting",
                 ok, f"{_n(len(dedicated), 'planning and troubleshooting session')}; {_n(len(observed), 'live scan')} where trainees give input",
                 ["schedule a planning and troubleshooting session (or a live scan-observation session)"])


def interpretation(facts: ProgrammeFacts, *, today: date) -> Item:
    """Counted from the interpretation app's data: interpretation sessions with a mentor and a reading set of
    published case-library cases (complete studies; each trainee holding a place reads them blinded, and the
    session's mentor reviews and comments in the interpretation app). Breadth: the categories of those cases."""
    sessions = [s for s in _live(facts, "interpretation") if s.has_mentor and s.reading_set]
    covered = {c for s in sessions for c in s.case_categories}
    lacking = [c for c in REQUIRED_CATEGORIES if c not in covered]
    ok = bool(sessions) and not lacking
    missing = []
    if not sessions:
        missing.append("link a reading set from the case library to an interpretation session with a mentor "
                       "(trainees read the cases there and the mentor reviews them)")
    if lacking:
        missing.append("cover in the reading sets: " + ", ".join(c.replace("_", "/") for c in lacking))
    cases = sum(s.reading_set for s in sessions)
    reviewed = sum(s.reviewed for s in sessions)
    return _item("interpretation", "Full-study interpretation with mentor feedback, all disease categories",
                 "full interpretation of CMR cases presented in a complete study format with review and feedback from the "
                 "mentor ... to ensure that the full breadth of disease states are encountered",
                 ok, f"{_n(len(sessions), 'interpretation session')} with a mentor and a reading set of "
                     f"{_n(cases, 'library case')} covering {len(covered & set(REQUIRED_CATEGORIES))} of "
                     f"{len(REQUIRED_CATEGORIES)} categories; {_n(reviewed, 'reading')} reviewed by the mentors so far",
                 missing)


def safety(facts: ProgrammeFacts, *, today: date) -> Item:
    content = facts.modules_cover_safety or any(s.covers_safety for s in facts.sessions if not s.cancelled)
    marked = facts.stress_in_person and facts.devices_in_person and facts.in_person_below_level >= 1
    missing = []
    if not content:
        missing.append("add safety content (a module or session covering CMR safety)")
    if not marked:
        missing.append("mark stress testing and implanted-device scanning as in-person components and set the competence level")
    evidence = ("safety content present" if content else "no safety content") + (
        f"; stress testing and device scanning in person below Level {facts.in_person_below_level}" if marked else
        "; in-person components not marked")
    return _item("safety", "Safety, with stress and device scanning in person",
                 "must incorporate safety considerations ... stress testing and supervision of individuals with cardiac "
                 "implantable electronic devices may require an in-person experience",
                 content and marked, evidence, missing)


def _statement(id, title, stipulation, text, action, *, facts, mandatory=True) -> Item:
    if facts.delivery_mode == "in_person":
        return Item(id, title, stipulation, mandatory, NOT_APPLICABLE, "in-person programme: no video training", (), False)
    ok = bool(text.strip())
    return _item(id, title, stipulation, ok, text.strip() or "no statement", [action], mandatory=mandatory, automatic=False)


def video(facts: ProgrammeFacts, *, today: date) -> Item:
    return _statement("video", "Video equipment meets local standards",
                      "Video communication equipment should meet local standards for analyzing medical images",
                      facts.video_equipment_statement, "write the video equipment statement", facts=facts)


def privacy(facts: ProgrammeFacts, *, today: date) -> Item:
    return _statement("privacy", "Patient privacy meets local policies",
                      "Patient privacy issues should meet local policies and regulations",
                      facts.privacy_statement, "write the patient-privacy statement", facts=facts)


def feedback(facts: ProgrammeFacts, *, today: date) -> Item:
    return _statement("feedback", "Feedback to SCMR arranged",
                      "The trainee and training program are encouraged to provide feedback to the SCMR",
                      facts.scmr_feedback_arrangement, "say how trainees and the programme give feedback to SCMR", facts=facts)


def scmr_review(facts: ProgrammeFacts, *, today: date) -> Item:
    ok = facts.scmr_verified_on is not None and facts.scmr_verified_on <= today
    evidence = (f"verified by SCMR on {facts.scmr_verified_on:%Y-%m-%d} ({facts.scmr_reference})" if ok
                else "not yet verified (optional: export the plan for SCMR review)")
    return Item("scmr_review", "Plan reviewed by SCMR (optional)",
                "The specific remote training plan can be reviewed by SCMR for input if desired by the training program",
                False, MET if ok else UNMET, evidence, () if ok else ("export the plan for SCMR review and record the verification",), False)


ITEMS = (curriculum, lead_level3, track_record, didactic, console, planning, interpretation, safety, video, privacy,
         feedback, scmr_review)


def evaluate_checklist(facts: ProgrammeFacts, *, today: date) -> Checklist:
    return Checklist(tuple(check(facts, today=today) for check in ITEMS))
