"""Builders shared by the rule tests (no database, no Django)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from functools import lru_cache

from cmrnet.rules import ApplicationData, Case, evaluate, load_ruleset
from cmrnet.rules.testing import make_cases, make_compliant_application

EXAM = date(2025, 11, 7)
TODAY = date(2026, 1, 1)
RULESET = load_ruleset("eacvi-2025")
SUP = "sup-eacvi-01"


@lru_cache(maxsize=64)
def _generated(route: str, items: tuple) -> ApplicationData:
    return make_compliant_application(route, **dict(items))


def compliant(route: str = "level2", **kwargs) -> ApplicationData:
    """A generated compliant application (immutable, so one per arguments is shared)."""
    return _generated(route, tuple(sorted(kwargs.items())))


def evaluation(data: ApplicationData, route: str = "level2", today: date = TODAY, ruleset=RULESET):
    return evaluate(ruleset, route, data, today=today)


def rule(data: ApplicationData, rule_id: str, route: str = "level2", today: date = TODAY):
    return evaluation(data, route, today).rule(rule_id)


def status(data: ApplicationData, rule_id: str, route: str = "level2", today: date = TODAY) -> str:
    return rule(data, rule_id, route, today).status


def exactly(count: int, route: str = "level2", **kwargs) -> ApplicationData:
    """A compliant application with exactly ``count`` cases, none normal/course/other-centre."""
    data = compliant(route)
    first = min(c.study_date for c in data.cases)
    last = max(c.study_date for c in data.cases)
    cases = make_cases(count, first, last, other_centre=0, course=0, **kwargs)
    return replace(data, cases=tuple(replace(c, normal=False) for c in cases))


def with_cases(data: ApplicationData, cases) -> ApplicationData:
    return replace(data, cases=tuple(cases))


def modify(data: ApplicationData, indices, **changes) -> ApplicationData:
    """Apply ``changes`` to the cases at ``indices``."""
    chosen = set(indices)
    return with_cases(data, [replace(c, **changes) if i in chosen else c for i, c in enumerate(data.cases)])


def candidate(data: ApplicationData, **changes) -> ApplicationData:
    return replace(data, candidate=replace(data.candidate, **changes))


def a_case(case_id: str, day: date, **changes) -> Case:
    base = Case(case_id=case_id, study_date=day, patient_key=f"p-{case_id}", category="other",
                normal=False, source="own_centre", course_id="", role="primary_operator",
                control_room=False, supervisor_id=SUP, clinical_change=False)
    return replace(base, **changes)


def days(n: int) -> timedelta:
    return timedelta(days=n)


def with_params(route: str, ruleset=RULESET, **params):
    """A copy of ``ruleset`` whose ``route`` has ``params`` changed (a reading switched)."""
    from types import MappingProxyType

    old = ruleset.route(route)
    new = replace(old, params=MappingProxyType({**old.params, **params}))
    return replace(ruleset, routes=MappingProxyType({**ruleset.routes, route: new}))
