"""Results of an evaluation: one ``RuleResult`` per rule, and the ``Evaluation``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

MET, NOT_MET = "met", "not_met"


@dataclass(frozen=True)
class RuleResult:
    """The verdict of one rule.

    ``numbers`` holds the figures behind the verdict (e.g. ``have``/``need``),
    JSON-ready; ``offending`` the ids of the cases, periods or activities at
    fault; ``missing`` the lines a trainee can act on.
    """

    id: str
    status: str
    message: str
    numbers: Mapping[str, Any] = field(default_factory=dict)
    offending: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    title: str = ""

    @property
    def met(self) -> bool:
        return self.status == MET

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "status": self.status, "message": self.message,
            "title": self.title, "numbers": dict(self.numbers), "offending": list(self.offending),
        }


def result(rule_id: str, met: bool, message: str, *, numbers=None, offending=(), missing=()) -> RuleResult:
    """Shorthand used by the rule functions; ``missing`` lines only when not met."""
    if not isinstance(met, bool):
        raise TypeError(f"{rule_id}: met must be True or False, not {met!r}")
    return RuleResult(
        id=rule_id, status=MET if met else NOT_MET, message=message,
        numbers=dict(numbers or {}), offending=tuple(offending),
        missing=() if met else tuple(missing),
    )


@dataclass(frozen=True)
class Evaluation:
    """Every rule's result for one application against one route."""

    ruleset: str
    route: str
    compliant: bool
    rules: list[RuleResult]
    missing: list[str]
    case_rejections: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    cme: list = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)      # do not change the verdict; shown to the trainee
    allocations: list = field(default_factory=list)        # Level 3 via Level 2: where each period/claim went

    def rule(self, rule_id: str) -> RuleResult:
        for item in self.rules:
            if item.id == rule_id:
                return item
        raise KeyError(rule_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "ruleset": self.ruleset,
            "route": self.route,
            "compliant": self.compliant,
            "rules": [r.to_dict() for r in self.rules],
            "missing": list(self.missing),
            "warnings": list(self.warnings),
            "allocations": [a.to_dict() for a in self.allocations],
        }
