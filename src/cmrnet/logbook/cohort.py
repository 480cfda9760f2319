"""The cohort page: every trainee a mentor supervises, a programme director directs (their centre) or the
exam board oversees, with their progress on every route at a glance; sortable and exported as CSV.

The logbooks are read in a fixed number of queries for the whole cohort (selectors.load_bundles); the rule
engine then evaluates each route in memory.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from cmrnet.logbook import selectors
from cmrnet.logbook.progress import route_panel
from cmrnet.people.roles import Role
from cmrnet.tabular import csv_bytes

COHORT_ROLES = (Role.MENTOR, Role.PROGRAMME_DIRECTOR, Role.EXAM_BOARD)
FIXED_SORTS = ("name", "centre", "cases", "verified", "pending")


def can_see_cohort(user) -> bool:
    return any(user.has_role(role) for role in COHORT_ROLES)


@dataclass
class RouteCell:
    key: str
    met: bool
    met_count: int
    rule_count: int
    chosen: bool

    @property
    def text(self) -> str:
        return f"{'met' if self.met else 'not met'} ({self.met_count}/{self.rule_count})"


@dataclass
class CohortRow:
    trainee: object
    centre: str
    cases: int
    verified: int
    pending: int
    queried: int
    routes: list[RouteCell]


@dataclass
class CohortTable:
    columns: list[dict]               # one per route: key, label, body
    rows: list[CohortRow]
    sort: str
    descending: bool
    today: dt.date
    sort_links: dict = field(default_factory=dict)


def _sort_key(key: str, index: dict[str, int]):
    if key in index:
        i = index[key]
        return lambda r: (r.routes[i].met, r.routes[i].met_count / max(r.routes[i].rule_count, 1), r.trainee.full_name)
    return {"name": lambda r: (r.trainee.full_name.lower(), r.trainee.pk),
            "centre": lambda r: (r.centre.lower(), r.trainee.full_name.lower()),
            "cases": lambda r: (r.cases, r.trainee.full_name), "verified": lambda r: (r.verified, r.trainee.full_name),
            "pending": lambda r: (r.pending, r.trainee.full_name)}[key]


def cohort_table(user, *, today: dt.date, sort: str = "name") -> CohortTable:
    trainees = list(selectors.logbook_owners_for_user(user).exclude(pk=user.pk).select_related("centre"))
    bundles = selectors.load_bundles(trainees)
    routes = selectors.all_routes()
    columns = [{"key": f"{rs.id}-{route}", "label": rs.routes[route].label, "body": rs.body} for rs, route in routes]
    rows = []
    for trainee in trainees:
        bundle = bundles[trainee.pk]
        chosen = f"{bundle.settings.ruleset}-{bundle.settings.route}"
        cells = []
        for ruleset, evaluation in selectors.evaluations_for(trainee, today=today, bundle=bundle):
            panel = route_panel(ruleset, evaluation)
            cells.append(RouteCell(panel["key"], panel["met"], panel["met_count"], panel["rule_count"],
                                   panel["key"] == chosen))
        statuses = [c.status for c in bundle.cases]
        rows.append(CohortRow(trainee, trainee.centre.name if trainee.centre_id else "", len(statuses),
                              statuses.count("verified"), statuses.count("pending"), statuses.count("queried"), cells))
    index = {c["key"]: i for i, c in enumerate(columns)}
    descending = sort.startswith("-")
    key = sort.removeprefix("-")
    if key not in index and key not in FIXED_SORTS:
        key, descending = "name", False
    rows.sort(key=_sort_key(key, index), reverse=descending)
    links = {k: f"?sort={'-' if k == key and not descending else ''}{k}" for k in (*FIXED_SORTS, *index)}
    return CohortTable(columns, rows, key, descending, today, links)


def cohort_csv(table: CohortTable) -> bytes:
    header = ["Trainee", "E-mail", "Centre", "Cases", "Verified", "Pending", "Queried",
              *[f"{c['body']} {c['label']}" for c in table.columns]]
    body = [[r.trainee.full_name, r.trainee.email, r.centre, r.cases, r.verified, r.pending, r.queried,
             *[cell.text for cell in r.routes]] for r in table.rows]
    return csv_bytes(header, body)
