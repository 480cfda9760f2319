"""The application's state machine: which state may follow which, and who moves it.

Pure: services call `check(current, target)` before every transition and record it.
"""

from __future__ import annotations

from django.db import models


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned for modification"
    RESUBMITTED = "resubmitted", "Resubmitted"
    IN_GRADING = "in_grading", "In grading"
    GRADED = "graded", "Graded (graders agree)"
    DISAGREEMENT = "disagreement", "Graders disagree: chair decides"
    PASSED = "passed", "Passed"
    FAILED = "failed", "Failed"
    APPEALED = "appealed", "Appealed"
    APPEAL_DISMISSED = "appeal_dismissed", "Appeal dismissed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    REFUSED = "refused", "Refused (late)"
    REVOKED = "revoked", "Certificate revoked"


TRANSITIONS: dict[str, frozenset[str]] = {
    State.DRAFT: frozenset({State.SUBMITTED, State.WITHDRAWN, State.REFUSED}),
    State.SUBMITTED: frozenset({State.RETURNED, State.IN_GRADING, State.WITHDRAWN}),
    State.RETURNED: frozenset({State.RESUBMITTED, State.WITHDRAWN}),
    State.RESUBMITTED: frozenset({State.RETURNED, State.IN_GRADING, State.WITHDRAWN}),
    State.IN_GRADING: frozenset({State.GRADED, State.DISAGREEMENT}),
    State.GRADED: frozenset({State.PASSED, State.FAILED}),
    State.DISAGREEMENT: frozenset({State.PASSED, State.FAILED}),
    State.PASSED: frozenset({State.REVOKED}),
    State.FAILED: frozenset({State.APPEALED}),
    State.APPEALED: frozenset({State.PASSED, State.APPEAL_DISMISSED}),
    State.APPEAL_DISMISSED: frozenset(),
    State.WITHDRAWN: frozenset(),
    State.REFUSED: frozenset(),
    State.REVOKED: frozenset(),
}

EDITABLE = frozenset({State.DRAFT, State.RETURNED})          # the candidate may change documents/supervisors
OPEN_FOR_OFFICE = frozenset({State.SUBMITTED, State.RESUBMITTED})
FINAL = frozenset({State.PASSED, State.FAILED, State.APPEAL_DISMISSED, State.WITHDRAWN, State.REFUSED, State.REVOKED})


class IllegalTransition(Exception):
    """A transition the state machine does not allow; the message says from, to and what is allowed."""

    def __init__(self, current: str, target: str):
        allowed = sorted(TRANSITIONS.get(current, ()))
        self.current, self.target = current, target
        super().__init__(
            f"An application that is {State(current).label.lower()} cannot become {State(target).label.lower()}"
            f" (allowed next: {', '.join(State(a).label.lower() for a in allowed) or 'none, it is final'}).")


def can(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def check(current: str, target: str) -> None:
    if not can(current, target):
        raise IllegalTransition(current, target)
