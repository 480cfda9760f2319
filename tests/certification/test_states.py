"""The application state machine (pure)."""

import pytest

from cmrnet.certification import states
from cmrnet.certification.states import IllegalTransition, State

LEGAL = [
    (State.DRAFT, State.SUBMITTED), (State.SUBMITTED, State.RETURNED), (State.RETURNED, State.RESUBMITTED),
    (State.RESUBMITTED, State.RETURNED), (State.RESUBMITTED, State.IN_GRADING), (State.SUBMITTED, State.IN_GRADING),
    (State.IN_GRADING, State.GRADED), (State.IN_GRADING, State.DISAGREEMENT), (State.GRADED, State.PASSED),
    (State.GRADED, State.FAILED), (State.DISAGREEMENT, State.PASSED), (State.DISAGREEMENT, State.FAILED),
    (State.FAILED, State.APPEALED), (State.APPEALED, State.PASSED), (State.APPEALED, State.APPEAL_DISMISSED),
    (State.PASSED, State.REVOKED), (State.DRAFT, State.WITHDRAWN), (State.RETURNED, State.WITHDRAWN),
    (State.DRAFT, State.REFUSED),
]


@pytest.mark.parametrize(("current", "target"), LEGAL)
def test_legal_transitions_are_allowed(current, target):
    states.check(current, target)


@pytest.mark.parametrize(("current", "target"), [
    (State.DRAFT, State.IN_GRADING), (State.DRAFT, State.PASSED), (State.SUBMITTED, State.PASSED),
    (State.IN_GRADING, State.RETURNED), (State.IN_GRADING, State.WITHDRAWN), (State.PASSED, State.FAILED),
    (State.FAILED, State.PASSED), (State.GRADED, State.DISAGREEMENT), (State.WITHDRAWN, State.SUBMITTED),
    (State.APPEAL_DISMISSED, State.APPEALED), (State.RETURNED, State.IN_GRADING),
])
def test_illegal_transitions_are_refused_with_a_clear_message(current, target):
    with pytest.raises(IllegalTransition) as info:
        states.check(current, target)
    assert State(current).label.lower() in str(info.value)
    assert State(target).label.lower() in str(info.value)


def test_final_states_allow_nothing_but_revocation_of_a_pass():
    for state in states.FINAL:
        allowed = states.TRANSITIONS[state]
        assert allowed <= {State.REVOKED, State.APPEALED}
    assert "it is final" in str(IllegalTransition(State.WITHDRAWN, State.SUBMITTED))


def test_every_state_has_an_entry():
    assert set(states.TRANSITIONS) == set(State.values)
