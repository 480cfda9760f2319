"""Rules on supervisors, training time, CME and the candidate's own standing."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

from .case_rules import listing
from .cme import assess_claims, catalogue_entry, fmt
from .context import Context
from .dates import add_years
from .model import PeerItem, TrainingPeriod
from .results import RuleResult, result
from .training import count_training, find_overlaps, fte_segments, share_of_full_time


# ----------------------------------------------------------------------------
# Supervision
# ----------------------------------------------------------------------------
def uncovered_periods(ctx: Context) -> list[TrainingPeriod]:
    """Training periods (of this route) not fully inside a qualifying cert of their supervisor."""
    bad = []
    for period in sorted(ctx.training, key=_period_order):
        parts = ctx.cover.covered_parts(period.supervisor_id, period.start_date, period.end_date)
        if not (len(parts) == 1 and parts[0] == (period.start_date, period.end_date)):
            bad.append(period)
    return bad


def supervisor_level3(ctx: Context) -> RuleResult:
    cases = ctx.rejected["supervisor_level3"]
    periods = uncovered_periods(ctx)
    lines = [_supervisor_line(ctx, sid, cases, periods)
             for sid in sorted({c.supervisor_id for c in cases} | {p.supervisor_id for p in periods})]
    offending = tuple(c.case_id for c in cases) + tuple(p.period_id for p in periods)
    message = ("every case and training period was supervised by a current Level 3 holder"
               if not lines else "; ".join(lines))
    return result("supervisor_level3", not lines, message,
                  numbers={"cases": len(cases), "periods": len(periods)},
                  offending=offending, missing=lines)


def _supervisor_line(ctx: Context, sid: str, cases, periods) -> str:
    mine = [c for c in cases if c.supervisor_id == sid]
    spans = [p for p in periods if p.supervisor_id == sid]
    what = ", ".join(x for x in (
        f"{len(mine)} cases ({listing(mine, 3)})" if mine else "",
        f"{len(spans)} training periods ({', '.join(p.period_id for p in spans[:3])})" if spans else "",
    ) if x)
    if not sid:
        return f"no supervisor named for {what}"
    if sid not in ctx.cover.known:
        return f"supervisor {sid} is not in supervisors.csv: {what}"
    first = ctx.cover.first_award.get(sid)
    if first is None:
        return f"supervisor {sid} holds no EACVI or SCMR Level 3 certification: {what}"
    dates = [c.study_date for c in mine] + [p.start_date for p in spans]
    if all(day < first for day in dates):
        return f"supervisor {sid}'s Level 3 starts {first}; {what} before it"
    last = ctx.cover.last_valid_day(sid)
    if last is None:
        return f"supervisor {sid}'s Level 3 (awarded {first}) was revoked before it took effect: {what}"
    return f"supervisor {sid}'s Level 3 is not current on the dates of {what} (valid {first} .. {last}, with gaps for expiry or revocation)"


# ----------------------------------------------------------------------------
# Training time
# ----------------------------------------------------------------------------
def _period_order(period: TrainingPeriod) -> tuple:
    return (period.start_date, period.end_date, period.period_id)


def training_parts(ctx: Context) -> list[tuple[date, date, Fraction, str]]:
    """(start, end, full-time share, period id) of each period's Level-3-supervised days."""
    full_time = ctx.params["full_time_hours"]
    parts = []
    for period in sorted(ctx.training, key=_period_order):
        share = share_of_full_time(period.hours_per_week, full_time)
        if ctx.params.get("training_requires_level3", True):
            spans = ctx.cover.covered_parts(period.supervisor_id, period.start_date, period.end_date)
        else:
            spans = [(period.start_date, period.end_date)]
        parts += [(a, b, share, period.period_id) for a, b in spans]
    return parts


def training_months(ctx: Context) -> RuleResult:
    """FTE months: each calendar day once, at most full time; continuous or split in one window."""
    need: Fraction = ctx.params["training_months_min"]
    window = ctx.params["training_window_months"]
    pro_rata = bool(ctx.params.get("training_window_pro_rata"))      # left out of a rule set: a fixed window
    count = count_training(fte_segments(training_parts(ctx)), window, pro_rata)
    overlaps = find_overlaps(ctx.training)
    have = count.months
    notes = []
    if count.outside:
        extent = "extended pro rata" if pro_rata else "window"
        notes.append(f"{len(count.outside)} periods outside the {window}-month window ({extent}) "
                     f"from {count.start} not counted ({', '.join(count.outside[:3])})")
    if overlaps:
        notes.append(f"{len(overlaps)} overlaps between periods: each day counted once, at most full time")
    missing = [f"{fmt(need - have)} more months of full-time-equivalent training "
               f"({fmt(ctx.params['full_time_hours'])} h/week = full time)"]
    if count.outside:
        missing.append(f"training periods outside one {window}-month window do not count "
                       f"({', '.join(count.outside[:3])})")
    ctx.warnings.extend(o.message() for o in overlaps)
    return result("training_months", have >= need,
                  f"{fmt(have)} months full-time equivalent of {fmt(need)} required"
                  + "".join(f"; {n}" for n in notes),
                  numbers={"have": round(float(have), 2), "need": float(need),
                           "from": count.start.isoformat() if count.start else None,
                           "to": count.end.isoformat() if count.end else None,
                           "counted": list(count.counted), "overlaps": len(overlaps)},
                  offending=count.outside, missing=missing)


# ----------------------------------------------------------------------------
# CME
# ----------------------------------------------------------------------------
def cme_hours(ctx: Context) -> RuleResult:
    settings = ctx.ruleset.cme
    need: Fraction = ctx.params["cme_hours_min"]
    credits = assess_claims(ctx.cme, settings, ctx.data.candidate.exam_date)
    ctx.extra["cme"] = credits
    have = sum(c.accepted for c in credits)
    sources = sorted({c.source_key for c in credits if c.accepted > 0})
    refused = [c.activity_id for c in credits if c.accepted == 0]
    reduced = [c.activity_id for c in credits if 0 < c.accepted < c.claimed]
    enough_sources = len(sources) >= settings.min_sources
    missing = []
    if have < need:
        missing.append(f"{fmt(need - have)} more CME hours in CMR")
    if not enough_sources:
        missing.append(f"CME must come from at least {settings.min_sources} different sources "
                       f"(now {len(sources)})")
    message = (f"{fmt(have)} CME hours accepted of {fmt(need)} required, from {len(sources)} sources"
               + (f"; {len(refused)} claims refused ({', '.join(refused[:3])})" if refused else "")
               + (f"; {len(reduced)} claims reduced" if reduced else ""))
    return result("cme_hours", have >= need and enough_sources, message,
                  numbers={"have": round(float(have), 2), "need": float(need), "sources": len(sources),
                           "claimed": round(float(sum(c.claimed for c in credits)), 2)},
                  offending=tuple(refused), missing=missing)


# ----------------------------------------------------------------------------
# The candidate's own standing
# ----------------------------------------------------------------------------
def exam_passed(ctx: Context) -> RuleResult:
    cand = ctx.data.candidate
    passed = cand.exam_passed
    when = f" on {cand.exam_date}" if cand.exam_date else ""
    return result("exam_passed", passed, f"exam passed{when}" if passed else "the EACVI CMR exam is not passed",
                  missing=["pass the EACVI CMR exam"])


def submission_deadline(ctx: Context) -> RuleResult:
    cand = ctx.data.candidate
    from_results = ctx.params.get("deadline_anchor") == "results_date"
    start = cand.results_date if from_results else cand.exam_date
    what = "results date" if from_results else "exam date"
    if start is None and cand.logbook_deadline is None:
        return result("submission_deadline", False, f"no {what} given", missing=[f"enter the {what}"])
    years = ctx.params["submission_deadline_years"]
    if cand.logbook_deadline is not None:
        deadline, how = cand.logbook_deadline, "approved deadline"
    else:
        deadline = add_years(start, years) + timedelta(days=cand.deadline_extension_days)
        how = f"{what.split()[0]} {start} + {years} years" + (
            f" + {cand.deadline_extension_days} days extension" if cand.deadline_extension_days else "")
    day = ctx.reference_date
    label = "application date" if cand.application_date else "today"
    met = day <= deadline
    return result("submission_deadline", met,
                  f"{label} {day} is {'on or before' if met else 'after'} the deadline {deadline} ({how})",
                  numbers={"deadline": deadline.isoformat(), "date": day.isoformat()},
                  missing=[f"the logbook deadline {deadline} has passed: an approved extension or a new exam is needed"])


def _valid_on(rule_id: str, what: str, until: date | None, ctx: Context) -> RuleResult:
    day = ctx.reference_date
    if until is None:
        return result(rule_id, False, f"no {what} date given", missing=[f"enter the {what} expiry date"])
    met = day <= until
    return result(rule_id, met, f"{what} valid until {until}; {'current' if met else 'expired'} on {day}",
                  numbers={"valid_until": until.isoformat(), "date": day.isoformat()},
                  missing=[f"renew the {what} (expired {until})"])


def registration(ctx: Context) -> RuleResult:
    return _valid_on("registration", "registration", ctx.data.candidate.registration_valid_until, ctx)


def acls(ctx: Context) -> RuleResult:
    return _valid_on("acls", "advanced life support (ACLS)", ctx.data.candidate.acls_valid_until, ctx)


def level2_current(ctx: Context) -> RuleResult:
    level2 = ctx.data.candidate.level2
    if level2 is None:
        return result("level2_current", False, "no Level 2 certification given",
                      missing=["record your Level 2 certification (awarded on, valid until)"])
    day = ctx.reference_date
    met = level2.awarded_on <= day <= level2.valid_until
    state = "current" if met else ("expired" if day > level2.valid_until else "not yet awarded")
    return result("level2_current", met,
                  f"Level 2 awarded {level2.awarded_on}, valid until {level2.valid_until}: {state} on {day}",
                  numbers={"awarded_on": level2.awarded_on.isoformat(), "valid_until": level2.valid_until.isoformat()},
                  missing=[f"Level 2 certification is {state} on {day}; it must be current"])


PEER_ALTERNATIVES = (
    ("cme_faculty", "peer_cme_faculty_min", "CME courses as faculty"),
    ("invited_talks", "peer_invited_talks_min", "invited talks/chairs"),
    ("publications", "peer_publications_min", "peer-reviewed CMR papers (no abstracts)"),
    ("first_author_orals", "peer_first_author_orals_min", "first-author oral presentations"),
)
# peer.csv kind -> the count it adds to; each distinct event once.
PEER_ITEM_FIELDS = {"cme_faculty": "cme_faculty", "invited_talk": "invited_talks",
                    "publication": "publications", "oral": "first_author_orals"}
ORAL_SCOPES = ("national", "international")


def peer_item_refusal(item: PeerItem) -> str:
    """Why one piece of evidence does not count ('' when it does)."""
    if item.kind == "poster":
        return "posters are not accepted (moderated poster presentation neither)"
    if item.kind == "oral":
        if item.scope not in ORAL_SCOPES:
            return f"an oral presentation counts only at a national or international meeting (this one: {item.scope})"
        if not item.first_author:
            return "an oral presentation counts only when the candidate is the first author"
        if not item.presented_in_person:
            return "an oral presentation counts only when the candidate presented it"
    return ""


def peer_counts(items) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Counts per alternative from the items (distinct events), and (item id, reason) refused."""
    events: dict[str, set[str]] = {name: set() for name in PEER_ITEM_FIELDS.values()}
    refused = []
    for item in sorted(items, key=lambda i: (i.day or date.min, i.item_id)):
        reason = peer_item_refusal(item)
        field_name = PEER_ITEM_FIELDS.get(item.kind)
        if not reason and field_name is not None:
            event = (item.event or item.title).strip().casefold()
            if event in events[field_name]:
                reason = f"same {'journal/paper' if item.kind == 'publication' else 'meeting or course'} as an earlier item"
            else:
                events[field_name].add(event)
        if reason:
            refused.append((item.item_id, reason))
    return {name: len(found) for name, found in events.items()}, refused


def peer_recognition(ctx: Context) -> RuleResult:
    peer = ctx.data.candidate.peer_recognition
    if peer.items:
        counts, refused = peer_counts(peer.items)
    else:
        counts = {f: getattr(peer, f) for f, _, _ in PEER_ALTERNATIVES}
        refused = []
    numbers, met_by = {}, []
    for field_name, param, label in PEER_ALTERNATIVES:
        have, need = counts[field_name], ctx.params[param]
        numbers[field_name] = {"have": have, "need": need}
        if have >= need:
            met_by.append(label)
    shown = ", ".join(f"{counts[f]}/{ctx.params[p]} {label}" for f, p, label in PEER_ALTERNATIVES)
    posters = " (posters do not count)" if peer.posters or any(i.kind == "poster" for i in peer.items) else ""
    not_counted = f"; {len(refused)} items not counted ({'; '.join(f'{i}: {r}' for i, r in refused[:3])})" if refused else ""
    source = "" if peer.items else " (declared counts)"
    message = (f"met by {met_by[0]}{source}" if met_by else f"none of the alternatives is met: {shown}") + posters + not_counted
    return result("peer_recognition", bool(met_by), message, numbers=numbers,
                  offending=tuple(i for i, _ in refused),
                  missing=[f"peer recognition: one of {shown} (distinct meetings or courses)"])


def level1_knowledge(ctx: Context) -> RuleResult:
    """Level 1: knowledge from appropriate sources, e.g. a completed Level 1 course."""
    credits = assess_claims(ctx.cme, ctx.ruleset.cme, None)
    ctx.extra["cme"] = credits
    by_id = {a.activity_id: a for a in ctx.cme}
    courses = []
    for credit in credits:
        activity = by_id[credit.activity_id]
        entry = catalogue_entry(activity, ctx.ruleset.cme)[0]
        if credit.accepted > 0 and entry is not None and entry.level1_course and activity.full_attendance:
            courses.append(credit.activity_id)
    hours = sum(c.accepted for c in credits)
    need: Fraction = ctx.params["level1_cme_hours_min"]
    met = bool(courses) or hours >= need
    message = (f"completed Level 1 course ({', '.join(courses)})" if courses
               else f"{fmt(hours)} accepted CME hours in CMR of {fmt(need)} (no completed Level 1 course)")
    return result("level1_knowledge", met, message,
                  numbers={"courses": courses, "hours": round(float(hours), 2), "need": float(need)},
                  missing=[f"a completed Level 1 course (all modules, with its certificate) "
                           f"or {fmt(need - hours)} more accepted CME hours in CMR"])


def supervisor_declaration(ctx: Context) -> RuleResult:
    signed = ctx.data.candidate.supervisor_declaration
    return result("supervisor_declaration", signed,
                  "supervisor's declaration signed" if signed else "supervisor's declaration not signed",
                  missing=["the supervisor's declaration must be signed"])
