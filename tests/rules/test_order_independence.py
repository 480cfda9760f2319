"""Property: the verdict, and every rule's result, does not depend on row order."""

from dataclasses import replace
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cmrnet.rules.testing import make_compliant_application

from .helpers import evaluation

BASE = {route: make_compliant_application(route, cases=160 if route != "level3-direct" else 300)
        for route in ("level2", "level3-via-level2", "level3-direct")}


@st.composite
def messy_application(draw):
    """A generated application with some cases broken in ways that trigger rules."""
    route = draw(st.sampled_from(sorted(BASE)))
    data = BASE[route]
    cases = list(data.cases)
    n = len(cases)
    for _ in range(draw(st.integers(0, 12))):
        i, j = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        change = draw(st.sampled_from(["observer", "duplicate", "normal", "shift", "course", "supervisor", "other"]))
        case = cases[i]
        if change == "observer":
            case = replace(case, role="observer")
        elif change == "duplicate":
            case = replace(case, patient_key=cases[j].patient_key, clinical_change=draw(st.booleans()))
        elif change == "normal":
            case = replace(case, normal=True)
        elif change == "shift":
            case = replace(case, study_date=case.study_date + timedelta(days=draw(st.integers(-900, 900))))
        elif change == "course":
            case = replace(case, source="course", course_id=draw(st.sampled_from(["", "k1", "k2"])),
                           patient_key=cases[j].patient_key)
        elif change == "supervisor":
            case = replace(case, supervisor_id=draw(st.sampled_from(["nobody", "sup-eacvi-01", "sup-scmr-02"])))
        else:
            case = replace(case, source="other_centre")
        cases[i] = case
    return route, replace(data, cases=tuple(cases))


def shuffled(data, rng):
    def mix(items):
        items = list(items)
        rng.shuffle(items)
        return tuple(items)
    return replace(data, cases=mix(data.cases), supervisors=mix(data.supervisors),
                   training=mix(data.training), cme=mix(data.cme))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messy_application(), st.randoms(use_true_random=False))
def test_verdict_and_each_rule_do_not_depend_on_row_order(app, rng):
    route, data = app
    before = evaluation(data, route)
    after = evaluation(shuffled(data, rng), route)
    assert after.compliant == before.compliant
    assert [(r.id, r.status) for r in after.rules] == [(r.id, r.status) for r in before.rules]
    assert after.to_dict() == before.to_dict()
    assert after.missing == before.missing
