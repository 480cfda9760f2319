"""Shared state of one evaluation: sorted data, supervisor cover, case eligibility."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Mapping

from .level2_split import Allocation, split_for_level3
from .model import ApplicationData, Case, CmeActivity, SupervisorCert, TrainingPeriod
from .ruleset import Route, RuleSet

ONE_DAY = timedelta(days=1)


class SupervisorCover:
    """For each supervisor, the merged date intervals in which they hold a qualifying cert."""

    def __init__(self, certs: tuple[SupervisorCert, ...], bodies: tuple[str, ...], level: int):
        spans: dict[str, list[tuple[date, date]]] = {}
        self.known: set[str] = set()
        self.first_award: dict[str, date] = {}
        for cert in certs:
            self.known.add(cert.supervisor_id)
            if cert.body.upper() not in bodies or cert.level < level:
                continue
            end = cert.last_valid_day()
            if end >= cert.awarded_on:
                spans.setdefault(cert.supervisor_id, []).append((cert.awarded_on, end))
            first = self.first_award.get(cert.supervisor_id)
            if first is None or cert.awarded_on < first:
                self.first_award[cert.supervisor_id] = cert.awarded_on
        self.spans = {sid: _merge(items) for sid, items in spans.items()}
        self.starts = {sid: [s for s, _ in items] for sid, items in self.spans.items()}

    def holds_on(self, supervisor_id: str, day: date) -> bool:
        spans = self.spans.get(supervisor_id)
        if not spans:
            return False
        index = bisect_right(self.starts[supervisor_id], day) - 1
        return index >= 0 and spans[index][1] >= day

    def covered_parts(self, supervisor_id: str, start: date, end: date) -> list[tuple[date, date]]:
        """The parts of start..end (inclusive) in which the supervisor qualifies."""
        parts = []
        for span_start, span_end in self.spans.get(supervisor_id, ()):
            low, high = max(start, span_start), min(end, span_end)
            if low <= high:
                parts.append((low, high))
        return parts

    def last_valid_day(self, supervisor_id: str) -> date | None:
        spans = self.spans.get(supervisor_id)
        return spans[-1][1] if spans else None


def _merge(items: list[tuple[date, date]]) -> list[tuple[date, date]]:
    merged: list[tuple[date, date]] = []
    for start, end in sorted(items):
        if merged and start <= merged[-1][1] + ONE_DAY:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def case_order(case: Case) -> tuple:
    return (case.study_date, case.case_id)


@dataclass
class Context:
    """Everything the rule functions read; built once per evaluation."""

    ruleset: RuleSet
    route: Route
    data: ApplicationData
    today: date
    cases: list[Case]
    cover: SupervisorCover
    training: tuple[TrainingPeriod, ...] = ()     # the periods this route counts (see level2_split)
    cme: tuple[CmeActivity, ...] = ()             # the CME claims this route counts
    allocations: tuple[Allocation, ...] = ()      # Level 3 via Level 2: where each item went
    warnings: list[str] = field(default_factory=list)
    rejected: dict[str, list[Case]] = field(default_factory=dict)
    eligible: list[Case] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def params(self) -> Mapping[str, Any]:
        return self.route.params

    @property
    def reference_date(self) -> date:
        return self.data.candidate.reference_date(self.today)

    def applies(self, rule_id: str) -> bool:
        return rule_id in self.route.rules


def build_context(ruleset: RuleSet, route: Route, data: ApplicationData, today: date) -> Context:
    cover = SupervisorCover(data.supervisors, ruleset.supervisor_bodies, ruleset.supervisor_level)
    cases = sorted(data.cases, key=case_order)
    training, cme, allocations = data.training, data.cme, ()
    if route.params.get("count_beyond_level2"):
        split = split_for_level3(data.training, data.cme, data.candidate.level2,
                                 route.params.get("level2_presume_used_until_award", True))
        training, cme, allocations = split.training, split.cme, split.allocations
    return Context(ruleset, route, data, today, cases, cover, training, cme, allocations)
