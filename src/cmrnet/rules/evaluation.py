"""``evaluate``: a pure function of (rule set, route, application data, today)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Callable

from . import candidate_rules as people
from . import case_rules as cases
from .context import Context, build_context
from .model import ApplicationData
from .results import Evaluation, RuleResult
from .ruleset import RuleSet, load_ruleset

RULE_FUNCTIONS: dict[str, Callable[[Context], RuleResult]] = {
    "case_count": cases.case_count,
    "normal_share": cases.normal_share,
    "course_share": cases.course_share,
    "course_duplicates": cases.course_duplicates,
    "other_centre_count": cases.other_centre_count,
    "category_minimums": cases.category_minimums,
    "window_24_months": cases.window_24_months,
    "exam_window": cases.exam_window,
    "submission_deadline": people.submission_deadline,
    "recent_window": cases.recent_window,
    "new_cases": cases.new_cases,
    "patient_unique": cases.patient_unique,
    "role_primary": cases.role_primary,
    "control_room": cases.control_room,
    "supervisor_level3": people.supervisor_level3,
    "training_months": people.training_months,
    "cme_hours": people.cme_hours,
    "exam_passed": people.exam_passed,
    "registration": people.registration,
    "acls": people.acls,
    "level2_current": people.level2_current,
    "peer_recognition": people.peer_recognition,
    "supervisor_declaration": people.supervisor_declaration,
    "cases_performed": cases.cases_performed,
    "cases_interpreted": cases.cases_interpreted,
    "course_review": cases.course_review,
    "level1_knowledge": people.level1_knowledge,
    "virtual_share": cases.virtual_share,
}


def evaluate(ruleset: RuleSet | str, route: str, data: ApplicationData, *, today: date) -> Evaluation:
    """Judge ``data`` against ``route`` of ``ruleset`` as of ``today``.

    ``today`` is only used when the candidate has no application date (it is
    then the date the deadline, registration, ACLS and Level 2 are judged on).
    """
    if isinstance(ruleset, str):
        ruleset = load_ruleset(ruleset)
    ctx = build_context(ruleset, ruleset.route(route), data, today)
    cases.select_cases(ctx)
    results = []
    for rule_id in ctx.route.rules:
        outcome = RULE_FUNCTIONS[rule_id](ctx)
        info = ruleset.rules.get(rule_id)
        if info is not None:
            outcome = replace(outcome, title=info.title)
        results.append(outcome)
    # One line per action: two rules can need the same thing (e.g. "enter the exam date").
    missing = list(dict.fromkeys(line for r in results for line in r.missing))
    rejections: dict[str, tuple[str, ...]] = {}
    for rule_id, bad in ctx.rejected.items():
        for case in bad:
            rejections[case.case_id] = rejections.get(case.case_id, ()) + (rule_id,)
    return Evaluation(
        ruleset=ruleset.id, route=route, compliant=all(r.met for r in results),
        rules=results, missing=missing, case_rejections=rejections,
        cme=ctx.extra.get("cme", []),
        warnings=list(dict.fromkeys(ctx.warnings)), allocations=list(ctx.allocations),
    )
