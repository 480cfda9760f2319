"""Rules on supervisors, training time, CME and the candidate's own standing."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

from .case_rules import listing
from .cme import accepted_credits, fmt
from .context import Context
from .dates import add_months, add_years, calendar_months
from .model import TrainingPeriod
from .results import RuleResult, result


# ----------------------------------------------------------------------------
# Supervision
# ----------------------------------------------------------------------------
def uncovered_periods(ctx: Context) -> list[TrainingPeriod]:
    """Training periods not fully inside a qualifying cert of their supervisor."""
    bad = []
    for period in sorted(ctx.data.training, key=_period_order):
        parts = ctx.cover.covered_parts(period.supervisor_id, period.start_date, period.end_date)
        if not (len(parts) == 1 and parts[0] == (period.start_date, period.end_date)):
            bad.append(period)
    return bad


def supervisor_level3(ctx: Context) -> RuleResult:
    cases = ctx.rejected.get("supervisor_level3", [])
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
    return f"supervisor {sid}'s Level 3 is not current on the dates of {what} (valid {first} .. {last}, with gaps for expiry or revocation)"


# ----------------------------------------------------------------------------
# Training time
# ----------------------------------------------------------------------------
def _period_order(period: TrainingPeriod) -> tuple:
    return (period.start_date, period.end_date, period.period_id)


def _fte_months(ctx: Context, period: TrainingPeriod) -> Fraction:
    """Full-time-equivalent months of a period, only its Level-3-supervised days."""
    full_time = ctx.params["full_time_hours"]
    weight = min(Fraction(str(period.hours_per_week)) / full_time, Fraction(1)) if full_time else Fraction(1)
    if ctx.params.get("training_requires_level3", True):
        parts = ctx.cover.covered_parts(period.supervisor_id, period.start_date, period.end_date)
    else:
        parts = [(period.start_date, period.end_date)]
    return sum((calendar_months(a, b) for a, b in parts), Fraction(0)) * weight


def _best_training_window(ctx: Context, periods: list[TrainingPeriod], months: int):
    """The window [S, S+months) with the most FTE months; returns (start, inside, outside)."""
    best_start, best_inside, best_total = None, [], Fraction(-1)
    for first in periods:
        limit = add_months(first.start_date, months)
        inside = [p for p in periods if p.start_date >= first.start_date and p.end_date < limit]
        total = sum((_fte_months(ctx, p) for p in inside), Fraction(0))
        if total > best_total:
            best_start, best_inside, best_total = first.start_date, inside, total
    chosen = {id(p) for p in best_inside}
    outside = [p for p in periods if id(p) not in chosen]
    return best_start, best_inside, outside


def training_months(ctx: Context) -> RuleResult:
    need: Fraction = ctx.params["training_months_min"]
    periods = sorted(ctx.data.training, key=_period_order)
    window = ctx.params["training_window_months"]
    outside: list[TrainingPeriod] = []
    note = ""
    if window and periods:
        start, periods, outside = _best_training_window(ctx, periods, window)
        if outside:
            note = (f"; {len(outside)} periods outside the {window}-month window from {start} not counted "
                    f"({', '.join(p.period_id for p in outside[:3])})")
    have = sum((_fte_months(ctx, p) for p in periods), Fraction(0))
    missing = [f"{fmt(need - have)} more months of full-time-equivalent training "
               f"({fmt(ctx.params['full_time_hours'])} h/week = full time)"]
    if outside:
        missing.append(f"training periods outside one {window}-month window do not count "
                       f"({', '.join(p.period_id for p in outside[:3])})")
    return result("training_months", have >= need,
                  f"{fmt(have)} months full-time equivalent of {fmt(need)} required{note}",
                  numbers={"have": round(float(have), 2), "need": float(need)},
                  offending=tuple(p.period_id for p in outside), missing=missing)


# ----------------------------------------------------------------------------
# CME
# ----------------------------------------------------------------------------
def cme_hours(ctx: Context) -> RuleResult:
    settings = ctx.ruleset.cme
    need: Fraction = ctx.params["cme_hours_min"]
    activities = sorted(ctx.data.cme, key=lambda a: (a.start_date, a.activity_id))
    credits = [accepted_credits(a, settings, ctx.data.candidate.exam_date) for a in activities]
    ctx.extra["cme"] = credits
    have = sum((c.accepted for c in credits), Fraction(0))
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
                           "claimed": round(float(sum((c.claimed for c in credits), Fraction(0))), 2)},
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
    if cand.exam_date is None and cand.logbook_deadline is None:
        return result("submission_deadline", False, "no exam date given", missing=["enter the exam date"])
    years = ctx.params["submission_deadline_years"]
    if cand.logbook_deadline is not None:
        deadline, how = cand.logbook_deadline, "approved deadline"
    else:
        deadline = add_years(cand.exam_date, years) + timedelta(days=cand.deadline_extension_days)
        how = f"exam {cand.exam_date} + {years} years" + (
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
                      missing=["add the Level 2 certification (candidate.toml [level2])"])
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


def peer_recognition(ctx: Context) -> RuleResult:
    peer = ctx.data.candidate.peer_recognition
    numbers, met_by = {}, []
    for field_name, param, label in PEER_ALTERNATIVES:
        have, need = getattr(peer, field_name), ctx.params[param]
        numbers[field_name] = {"have": have, "need": need}
        if have >= need:
            met_by.append(label)
    shown = ", ".join(f"{getattr(peer, f)}/{ctx.params[p]} {label}" for f, p, label in PEER_ALTERNATIVES)
    posters = " (posters do not count)" if peer.posters else ""
    message = (f"met by {met_by[0]}" if met_by else f"none of the alternatives is met: {shown}") + posters
    return result("peer_recognition", bool(met_by), message, numbers=numbers,
                  missing=[f"peer recognition: one of {shown}"])


def supervisor_declaration(ctx: Context) -> RuleResult:
    signed = ctx.data.candidate.supervisor_declaration
    return result("supervisor_declaration", signed,
                  "supervisor's declaration signed" if signed else "supervisor's declaration not signed",
                  missing=["the supervisor's declaration must be signed"])
