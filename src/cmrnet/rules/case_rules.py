"""Which logbook cases count, and the rules about the logbook's cases.

``select_cases`` runs first: every case-level rule of the route marks the
cases it refuses (``ctx.rejected[rule_id]``); the cases no rule refused are
the eligible ones, and only those are counted by the counting rules
(case_count, normal_share, course_share, other_centre_count,
category_minimums, control_room).  Cases are processed in (study_date,
case_id) order, so when two cases are duplicates the earlier one is kept and
the verdict never depends on row order.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from math import floor

from .context import Context
from .dates import add_months, add_years
from .model import Case
from .results import RuleResult, result


# ----------------------------------------------------------------------------
# Selection of eligible cases
# ----------------------------------------------------------------------------
def select_cases(ctx: Context) -> None:
    """Fill ``ctx.rejected`` and ``ctx.eligible``."""
    per_case = {
        "role_primary": lambda _ctx: _is_observed,
        "supervisor_level3": lambda _ctx: _lacks_level3_supervisor,
        "exam_window": _outside_exam_window,
        "recent_window": _outside_recent_window,
        "new_cases": _in_level2_logbook,
        "course_review": lambda _ctx: _course_without_review,
    }
    refused: set[int] = set()
    for rule_id, factory in per_case.items():
        test = factory(ctx) if ctx.applies(rule_id) else None
        if test is not None:
            bad = [c for c in ctx.cases if test(ctx, c)]
            ctx.rejected[rule_id] = bad
            refused.update(map(id, bad))
    remaining = [c for c in ctx.cases if id(c) not in refused]
    for rule_id, select in (("course_duplicates", _course_duplicates),
                            ("patient_unique", _patient_duplicates),
                            ("window_24_months", _outside_best_window)):
        if ctx.applies(rule_id):
            bad = select(ctx, remaining)
            ctx.rejected[rule_id] = bad
            if bad:
                drop = set(map(id, bad))
                remaining = [c for c in remaining if id(c) not in drop]
    ctx.eligible = remaining


def _is_observed(ctx: Context, case: Case) -> bool:
    return case.role == "observer"


def _course_without_review(ctx: Context, case: Case) -> bool:
    return case.source == "course" and case.full_review is False


def _lacks_level3_supervisor(ctx: Context, case: Case) -> bool:
    return not ctx.cover.holds_on(case.supervisor_id, case.study_date)


def _outside_exam_window(ctx: Context):
    exam = ctx.data.candidate.exam_date
    if exam is None:
        return None
    years = ctx.params["exam_window_years"]
    low, high = add_years(exam, -years), add_years(exam, years)
    ctx.extra["exam_window"] = (low, high)
    return lambda _ctx, case: not (low <= case.study_date <= high)


def _outside_recent_window(ctx: Context):
    end = ctx.reference_date
    start = add_months(end, -ctx.params["recent_window_months"])   # exclusive
    ctx.extra["recent_window"] = (start, end)
    return lambda _ctx, case: not (start < case.study_date <= end)


def _in_level2_logbook(ctx: Context):
    level2 = ctx.data.candidate.level2
    if level2 is None:
        return None
    ids = {c.case_id for c in level2.cases}
    studies = {(c.patient_key, c.study_date) for c in level2.cases}
    return lambda _ctx, case: case.case_id in ids or (case.patient_key, case.study_date) in studies


def _course_duplicates(ctx: Context, cases: list[Case]) -> list[Case]:
    seen: set[tuple[str, str]] = set()
    bad = []
    for case in cases:
        if case.source != "course":
            continue
        key = (case.course_id.strip(), case.patient_key)
        if not key[0] or key in seen:
            bad.append(case)
        seen.add(key)
    return bad


def _patient_duplicates(ctx: Context, cases: list[Case]) -> list[Case]:
    seen: set[str] = set()
    bad = []
    allow_change = ctx.params.get("patient_repeat_on_clinical_change", True)
    for case in cases:
        if case.patient_key in seen and not (allow_change and case.clinical_change):
            bad.append(case)
        seen.add(case.patient_key)
    return bad


def _outside_best_window(ctx: Context, cases: list[Case]) -> list[Case]:
    """Cases outside the 24-month window [S, S + 24 months) holding the most cases.

    Candidate starts are the case dates; ties go to the earliest start.
    """
    if not cases:
        return []
    months = ctx.params["window_months"]
    best = (0, 0, 0)      # (count, -start index, end index)
    end = 0
    for start in range(len(cases)):
        if start and cases[start].study_date == cases[start - 1].study_date:
            continue
        limit = add_months(cases[start].study_date, months)
        end = max(end, start)
        while end < len(cases) and cases[end].study_date < limit:
            end += 1
        if end - start > best[0]:
            best = (end - start, start, end)
    _, first, stop = best
    ctx.extra["window_24_months"] = (cases[first].study_date,
                                     add_months(cases[first].study_date, months))
    return cases[:first] + cases[stop:]


# ----------------------------------------------------------------------------
# Helpers for messages
# ----------------------------------------------------------------------------
def ids(cases) -> tuple[str, ...]:
    return tuple(c.case_id for c in cases)


def listing(cases, limit: int = 5) -> str:
    names = [c.case_id for c in cases[:limit]]
    more = f" and {len(cases) - limit} more" if len(cases) > limit else ""
    return ", ".join(names) + more


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def not_counted_note(ctx: Context) -> str:
    refused = {id(c) for bad in ctx.rejected.values() for c in bad}
    return f"; {_plural(len(refused), 'case')} not counted (see the other rules)" if refused else ""


# ----------------------------------------------------------------------------
# Rules on the selected cases
# ----------------------------------------------------------------------------
def case_count(ctx: Context) -> RuleResult:
    have, need = len(ctx.eligible), ctx.params["cases_min"]
    return result("case_count", have >= need,
                  f"{have} eligible cases of {need} required{not_counted_note(ctx)}",
                  numbers={"have": have, "need": need, "submitted": len(ctx.cases)},
                  missing=[f"{need - have} more eligible cases"])


def normal_share(ctx: Context) -> RuleResult:
    share: Fraction = ctx.params["normal_share_max"]
    normals = [c for c in ctx.eligible if c.normal]
    base = max(len(ctx.eligible), ctx.params.get("cases_min", 0))
    allowed = floor(share * base)
    pct = f"{float(share) * 100:g}%"
    return result("normal_share", len(normals) <= allowed,
                  f"{len(normals)} normal cases; at most {allowed} ({pct} of {base}) allowed",
                  numbers={"have": len(normals), "max": allowed, "of": base},
                  offending=ids(normals) if len(normals) > allowed else (),
                  missing=[f"{len(normals) - allowed} normal cases too many (at most {allowed}); "
                           f"replace them with abnormal cases"])


def course_share(ctx: Context) -> RuleResult:
    share: Fraction = ctx.params["course_share_max"]
    need = ctx.params["cases_min"]
    course = [c for c in ctx.eligible if c.source == "course"]
    allowed = floor(share * need)
    pct = f"{float(share) * 100:g}%"
    return result("course_share", len(course) <= allowed,
                  f"{len(course)} cases from courses or teaching files; at most {allowed} "
                  f"({pct} of the {need} required cases)",
                  numbers={"have": len(course), "max": allowed},
                  offending=ids(course) if len(course) > allowed else (),
                  missing=[f"{len(course) - allowed} course cases too many (at most {allowed})"])


def other_centre_count(ctx: Context) -> RuleResult:
    allowed = ctx.params["other_centre_max"]
    other = [c for c in ctx.eligible if c.source == "other_centre"]
    return result("other_centre_count", len(other) <= allowed,
                  f"{len(other)} cases from another centre; at most {allowed}",
                  numbers={"have": len(other), "max": allowed},
                  offending=ids(other) if len(other) > allowed else (),
                  missing=[f"{len(other) - allowed} other-centre cases too many (at most {allowed})"])


def category_minimums(ctx: Context) -> RuleResult:
    counts: dict[str, int] = {}
    for case in ctx.eligible:
        counts[case.category] = counts.get(case.category, 0) + 1
    short, numbers = [], {}
    for cat in ctx.ruleset.categories.values():
        need = cat.minimums.get(ctx.route.id, 0)
        have = counts.get(cat.id, 0)
        numbers[cat.id] = {"have": have, "need": need}
        if have < need:
            short.append(f"{need - have} more {cat.id.replace('_', '/')} cases")
    labels = {cat.id: cat.label for cat in ctx.ruleset.categories.values()}
    message = ("every category has its minimum" if not short
               else "below the minimum: " + "; ".join(
                   f"{labels[k]} {v['have']}/{v['need']}" for k, v in numbers.items() if v["have"] < v["need"]))
    return result("category_minimums", not short, message, numbers=numbers, missing=short)


def control_room(ctx: Context) -> RuleResult:
    need = ctx.params["control_room_min"]
    have = sum(1 for c in ctx.eligible if c.control_room)
    note = ""
    level2 = ctx.data.candidate.level2
    if ctx.params.get("control_room_include_level2") and level2 is not None:
        earlier = sum(1 for c in level2.cases if c.control_room and c.role != "observer")
        have += earlier
        note = f" (including {earlier} from the Level 2 logbook)"
    return result("control_room", have >= need,
                  f"present in the control room for {have} eligible cases{note}; {need} required",
                  numbers={"have": have, "need": need},
                  missing=[f"{need - have} more cases with presence in the control room"])


def role_primary(ctx: Context) -> RuleResult:
    bad = ctx.rejected["role_primary"]
    return result("role_primary", not bad,
                  "all cases as primary operator or reporting physician" if not bad
                  else f"{len(bad)} observed cases are not accepted: {listing(bad)}",
                  numbers={"observed": len(bad)}, offending=ids(bad),
                  missing=[f"remove {len(bad)} observed cases ({listing(bad)})"])


def course_duplicates(ctx: Context) -> RuleResult:
    bad = ctx.rejected["course_duplicates"]
    unnamed = [c for c in bad if not c.course_id.strip()]
    message = ("no course case is counted twice" if not bad else
               f"{len(bad) - len(unnamed)} course cases counted more than once, "
               f"{len(unnamed)} without a course_id: {listing(bad)}")
    return result("course_duplicates", not bad, message, numbers={"duplicates": len(bad)},
                  offending=ids(bad), missing=[f"remove or correct {len(bad)} course cases ({listing(bad)})"])


def patient_unique(ctx: Context) -> RuleResult:
    bad = ctx.rejected["patient_unique"]
    allow_change = ctx.params.get("patient_repeat_on_clinical_change", True)
    ok = "each patient appears once (or with a recorded clinical change)" if allow_change else "each patient appears once"
    why = "without a significant clinical change" if allow_change else "(each patient only once)"
    message = ok if not bad else f"{len(bad)} repeat studies of a patient {why}: {listing(bad)}"
    return result("patient_unique", not bad, message, numbers={"duplicates": len(bad)},
                  offending=ids(bad),
                  missing=[f"remove {len(bad)} repeat studies of the same patient ({listing(bad)})"])


def window_24_months(ctx: Context) -> RuleResult:
    bad = ctx.rejected["window_24_months"]
    months = ctx.params["window_months"]
    window = ctx.extra.get("window_24_months")
    if window is None:
        return result("window_24_months", True, "no cases yet", numbers={"months": months})
    start, stop = window
    last = date.fromordinal(stop.toordinal() - 1)
    numbers = {"months": months, "window_start": start.isoformat(), "window_end": last.isoformat()}
    counted = ctx.eligible            # never empty here: the best window holds at least one case
    span = f"{counted[0].study_date} .. {counted[-1].study_date}"
    message = (f"all counted cases ({span}) lie within {months} consecutive months "
               f"(window {start} .. {last})" if not bad
               else f"{len(bad)} cases lie outside the best {months}-month window {start} .. {last}: {listing(bad)}")
    return result("window_24_months", not bad, message, numbers=numbers, offending=ids(bad),
                  missing=[f"{len(bad)} cases fall outside {start} .. {last} ({listing(bad)})"])


def exam_window(ctx: Context) -> RuleResult:
    if ctx.data.candidate.exam_date is None:
        return result("exam_window", False, "no exam date given", missing=["enter the exam date"])
    low, high = ctx.extra["exam_window"]
    bad = ctx.rejected["exam_window"]
    message = (f"all cases between {low} and {high}" if not bad else
               f"{len(bad)} cases outside {low} .. {high} (2 years either side of the exam): {listing(bad)}")
    return result("exam_window", not bad, message,
                  numbers={"from": low.isoformat(), "to": high.isoformat(), "outside": len(bad)},
                  offending=ids(bad), missing=[f"{len(bad)} cases dated outside {low} .. {high} ({listing(bad)})"])


def recent_window(ctx: Context) -> RuleResult:
    start, end = ctx.extra["recent_window"]
    bad = ctx.rejected["recent_window"]
    months = ctx.params["recent_window_months"]
    message = (f"all cases in the {months} months before {end}" if not bad else
               f"{len(bad)} cases not in the {months} months before the application ({start} excluded .. {end}): {listing(bad)}")
    return result("recent_window", not bad, message,
                  numbers={"after": start.isoformat(), "to": end.isoformat(), "outside": len(bad)},
                  offending=ids(bad), missing=[f"{len(bad)} cases dated outside the {months} months before {end} ({listing(bad)})"])


def new_cases(ctx: Context) -> RuleResult:
    if ctx.data.candidate.level2 is None:
        return result("new_cases", False, "no Level 2 logbook given to compare with",
                      missing=["record your Level 2 certification and the cases of your Level 2 logbook"])
    bad = ctx.rejected["new_cases"]
    message = ("no case was in the Level 2 logbook" if not bad else
               f"{len(bad)} cases were already in the Level 2 logbook: {listing(bad)}")
    return result("new_cases", not bad, message, numbers={"reused": len(bad)}, offending=ids(bad),
                  missing=[f"remove {len(bad)} cases reused from the Level 2 logbook ({listing(bad)})"])


def course_review(ctx: Context) -> RuleResult:
    """Course cases count only with a full review of the candidate's report."""
    bad = ctx.rejected["course_review"]
    unrecorded = [c for c in ctx.cases if c.source == "course" and c.full_review is None]
    if unrecorded:
        ctx.warnings.append(f"{len(unrecorded)} course cases do not say whether the course reviewed the "
                            f"candidate's report in full (full_review column); they are counted: "
                            f"{listing(unrecorded, 3)}")
    message = (f"{len(bad)} course cases without a full review of the candidate's report are not counted: "
               f"{listing(bad)}" if bad else "every course case had a full review of the candidate's report"
               if not unrecorded else f"{len(unrecorded)} course cases without a recorded review are counted")
    return result("course_review", not bad, message,
                  numbers={"not_reviewed": len(bad), "unrecorded": len(unrecorded)}, offending=ids(bad),
                  missing=[f"remove {len(bad)} course cases without a full review ({listing(bad)})"])


def cases_performed(ctx: Context) -> RuleResult:
    need = ctx.params["cases_performed_min"]
    have = sum(1 for c in ctx.eligible if c.role == "primary_operator")
    return result("cases_performed", have >= need, f"{have} cases performed; {need} required",
                  numbers={"have": have, "need": need}, missing=[f"{need - have} more cases performed"])


def cases_interpreted(ctx: Context) -> RuleResult:
    need = ctx.params["cases_interpreted_min"]
    have = sum(1 for c in ctx.eligible if c.role in ("primary_operator", "reporting"))
    return result("cases_interpreted", have >= need, f"{have} cases interpreted; {need} required",
                  numbers={"have": have, "need": need}, missing=[f"{need - have} more cases interpreted"])


def virtual_share(ctx: Context) -> RuleResult:
    """SCMR virtual training (seed 001): at most a share of the counted cases (performed or interpreted)
    done over live video. The programme's share (candidate.virtual_share_max) replaces the rule set's."""
    chosen = ctx.data.candidate.virtual_share_max
    share = Fraction(chosen) if chosen is not None else ctx.params["virtual_share_max"]
    counted = [c for c in ctx.eligible if c.role in ("primary_operator", "reporting")]
    virtual = [c for c in counted if c.mode == "virtual"]
    allowed = floor(share * len(counted))
    pct = f"{float(share) * 100:g}%"
    return result("virtual_share", len(virtual) <= allowed,
                  f"{len(virtual)} of {len(counted)} counted cases virtual; at most {allowed} ({pct})",
                  numbers={"have": len(virtual), "max": allowed, "counted": len(counted)},
                  offending=ids(virtual) if len(virtual) > allowed else (),
                  missing=[f"{len(virtual) - allowed} virtual cases too many (at most {allowed}, {pct} of "
                           f"{len(counted)}): add in-person cases"])
