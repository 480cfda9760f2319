"""Rule sets: TOML data files, loaded and validated.

A rule set file names its routes, each route's rules and parameters, the
case categories with per-route minimums, and the source sentence of every
rule.  ``load_ruleset`` accepts a shipped name (``eacvi-2025``), a name found
in extra directories, or a path.  Any problem raises ``RuleSetError`` naming
the file and the key.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Mapping

SHIPPED_DIR = Path(__file__).with_name("rulesets")

INT, NUMBER, SHARE, BOOL = "integer", "number", "share between 0 and 1", "boolean"
MONTHS = "number of months (1 or more)"      # a window: 0 months would hold no case at all
DEADLINE_ANCHORS = ("exam_date", "results_date")     # a parameter whose type is a tuple: one of these

# Parameters each rule reads from its route: name -> (type, required).
RULE_PARAMS: dict[str, dict[str, tuple[str, bool]]] = {
    "case_count": {"cases_min": (INT, True)},
    "normal_share": {"normal_share_max": (SHARE, True)},
    "course_share": {"course_share_max": (SHARE, True), "cases_min": (INT, True)},
    "course_duplicates": {},
    "other_centre_count": {"other_centre_max": (INT, True)},
    "category_minimums": {},
    "window_24_months": {"window_months": (MONTHS, True)},
    "exam_window": {"exam_window_years": (INT, True)},
    "submission_deadline": {"submission_deadline_years": (INT, True),
                            "deadline_anchor": (DEADLINE_ANCHORS, False)},
    "recent_window": {"recent_window_months": (INT, True)},
    "new_cases": {},
    "patient_unique": {"patient_repeat_on_clinical_change": (BOOL, False)},
    "role_primary": {},
    "control_room": {"control_room_min": (INT, True), "control_room_include_level2": (BOOL, False)},
    "supervisor_level3": {},
    "training_months": {
        "training_months_min": (NUMBER, True), "full_time_hours": (NUMBER, True),
        "training_window_months": (INT, True), "training_requires_level3": (BOOL, False),
        "training_window_pro_rata": (BOOL, False),
        "count_beyond_level2": (BOOL, False), "level2_presume_used_until_award": (BOOL, False),
    },
    "cme_hours": {"cme_hours_min": (NUMBER, True),
                  "count_beyond_level2": (BOOL, False), "level2_presume_used_until_award": (BOOL, False)},
    "exam_passed": {},
    "registration": {},
    "acls": {},
    "level2_current": {},
    "peer_recognition": {
        "peer_cme_faculty_min": (INT, True), "peer_invited_talks_min": (INT, True),
        "peer_publications_min": (INT, True), "peer_first_author_orals_min": (INT, True),
    },
    "supervisor_declaration": {},
    "cases_performed": {"cases_performed_min": (INT, True)},
    "cases_interpreted": {"cases_interpreted_min": (INT, True)},
    "course_review": {},
    "level1_knowledge": {"level1_cme_hours_min": (NUMBER, True)},
    "virtual_share": {"virtual_share_max": (SHARE, True)},
}
KNOWN_RULES = tuple(RULE_PARAMS)


class RuleSetError(ValueError):
    """A rule set file is missing, unreadable or invalid."""


@dataclass(frozen=True)
class RuleInfo:
    id: str
    title: str
    source: str


@dataclass(frozen=True)
class Category:
    id: str
    label: str
    note: str
    minimums: Mapping[str, int]


@dataclass(frozen=True)
class Route:
    id: str
    label: str
    rules: tuple[str, ...]
    params: Mapping[str, Any]
    level: int = 0             # the certification level the route leads to (0 = not said)
    evidence: tuple[str, ...] = ()   # the documents an application on this route must carry


@dataclass(frozen=True)
class Reading:
    """A sentence of the source that can be read two ways, the reading chosen and the other one."""

    id: str
    value: Any
    alternative: str
    source: str


@dataclass(frozen=True)
class CatalogueEntry:
    id: str
    title: str
    cmr_credits: Fraction | None
    divide_by_modalities: bool
    general_meeting: bool
    note: str
    grant_credits: Fraction | None = None   # granted for full attendance, whatever the certificate says
    yearly: bool = True                     # an annual meeting: each year's edition is its own event
    level1_course: bool = False             # a Level 1 course (completed in full: Level 1 knowledge)


@dataclass(frozen=True)
class CmeSettings:
    max_credits_per_day: Fraction = Fraction(8)
    max_years_before_exam: int = 2
    min_sources: int = 2
    rejected_kinds: tuple[str, ...] = ("self_directed",)
    catalogue: Mapping[str, CatalogueEntry] = field(default_factory=dict)


@dataclass(frozen=True)
class RuleSet:
    id: str
    body: str
    title: str
    version: str
    status: str
    path: Path
    routes: Mapping[str, Route]
    categories: Mapping[str, Category]
    rules: Mapping[str, RuleInfo]
    supervisor_bodies: tuple[str, ...]
    supervisor_level: int
    cme: CmeSettings
    readings: Mapping[str, Reading] = field(default_factory=dict)

    def route(self, route_id: str) -> Route:
        try:
            return self.routes[route_id]
        except KeyError:
            known = ", ".join(self.routes)
            raise RuleSetError(f"{self.id}: unknown route {route_id!r}: this rule set defines only "
                               f"{known}") from None

    def route_choices(self) -> list[tuple[str, str]]:
        """(route id, label) of every route this rule set defines, in file order."""
        return [(route.id, route.label) for route in self.routes.values()]

    def reading(self, reading_id: str) -> Any:
        """The chosen value of a documented reading (``[readings.<id>]``)."""
        return self.readings[reading_id].value


def route_choices(ruleset: "RuleSet | str", extra_dirs: Iterable[str | Path] = ()) -> list[tuple[str, str]]:
    """The routes an application may be opened on for a rule set (by object or name)."""
    if isinstance(ruleset, str):
        ruleset = load_ruleset(ruleset, extra_dirs)
    return ruleset.route_choices()


# ----------------------------------------------------------------------------
# Finding and loading files
# ----------------------------------------------------------------------------
def available_rulesets(extra_dirs: Iterable[str | Path] = ()) -> dict[str, Path]:
    """Rule set names -> files: shipped ones, then ``extra_dirs`` (later wins)."""
    found: dict[str, Path] = {}
    for directory in (SHIPPED_DIR, *map(Path, extra_dirs)):
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.toml")):
            if path.name != "cme_catalogue.toml":
                found[path.stem] = path
    return found


def load_ruleset(name_or_path: str | Path, extra_dirs: Iterable[str | Path] = ()) -> RuleSet:
    """Load and validate a rule set by name (shipped or in ``extra_dirs``), or from a file when given
    a ``Path`` (the command line's choice).  A string is only ever a name, so a value from a web
    request (``?ruleset=``) can never make the server read a file of its choosing."""
    if isinstance(name_or_path, Path):
        path = name_or_path
    else:
        known = available_rulesets(extra_dirs)
        if str(name_or_path) not in known:
            names = ", ".join(sorted(known))
            raise RuleSetError(f"unknown rule set {str(name_or_path)!r} (available: {names})")
        path = known[str(name_or_path)]
    try:
        mtime = path.stat().st_mtime_ns
    except OSError as error:
        raise RuleSetError(f"{path}: cannot read: {error.strerror}") from None
    return _cached_load(path.resolve(), mtime)


_CACHE: dict[tuple[Path, int], RuleSet] = {}


def _cached_load(path: Path, mtime: int) -> RuleSet:
    key = (path, mtime)
    if key not in _CACHE:
        _CACHE[key] = parse_ruleset(_read_toml(path), path)
    return _CACHE[key]


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise RuleSetError(f"{path}: cannot read: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise RuleSetError(f"{path}: not valid TOML: {error}") from None


# ----------------------------------------------------------------------------
# Validation
# ----------------------------------------------------------------------------
class _Reader:
    """Typed access to a TOML document that reports file and key on error."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, key: str, problem: str) -> RuleSetError:
        return RuleSetError(f"{self.path.name}: key {key}: {problem}")

    def table(self, doc: Mapping, key: str, name: str, required: bool = True) -> dict:
        value = doc.get(name)
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            raise self.fail(key, "missing table" if value is None else "expected a table")
        return value

    def text(self, doc: Mapping, key: str, name: str, default: str | None = None) -> str:
        value = doc.get(name, default)
        if not isinstance(value, str) or (default is None and not value.strip()):
            raise self.fail(f"{key}.{name}", "expected a non-empty string")
        return value

    def value(self, value: Any, key: str, kind: str | tuple[str, ...]) -> Any:
        if isinstance(kind, tuple):
            if value not in kind:
                raise self.fail(key, f"expected one of {', '.join(kind)}, got {value!r}")
            return value
        ok = {
            INT: isinstance(value, int) and not isinstance(value, bool) and value >= 0,
            MONTHS: isinstance(value, int) and not isinstance(value, bool) and value >= 1,
            NUMBER: isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0,
            SHARE: isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 1,
            BOOL: isinstance(value, bool),
        }[kind]
        if not ok:
            raise self.fail(key, f"expected a {'' if kind == MONTHS else 'non-negative '}{kind}, got {value!r}")
        if kind in (NUMBER, SHARE):
            return Fraction(str(value))
        return value


def parse_ruleset(doc: Mapping, path: Path) -> RuleSet:
    """Validate a parsed TOML document and build a ``RuleSet``."""
    read = _Reader(path)
    head = read.table(doc, "ruleset", "ruleset")
    rules = _parse_rules(read, read.table(doc, "rules", "rules"))
    routes = _parse_routes(read, read.table(doc, "routes", "routes"), rules)
    categories = _parse_categories(read, read.table(doc, "categories", "categories"), routes)
    supervision = read.table(doc, "supervision", "supervision", required=False)
    bodies = supervision.get("bodies", ["EACVI", "SCMR"])
    if not isinstance(bodies, list) or not all(isinstance(b, str) for b in bodies):
        raise read.fail("supervision.bodies", "expected a list of strings")
    level = read.value(supervision.get("level", 3), "supervision.level", INT)
    return RuleSet(
        id=read.text(head, "ruleset", "id"),
        body=read.text(head, "ruleset", "body"),
        title=read.text(head, "ruleset", "title"),
        version=str(head.get("version", "")),
        status=read.text(head, "ruleset", "status", default=""),
        path=path,
        routes=MappingProxyType(routes),
        categories=MappingProxyType(categories),
        rules=MappingProxyType(rules),
        supervisor_bodies=tuple(b.upper() for b in bodies),
        supervisor_level=level,
        cme=_parse_cme(read, doc, path),
        readings=MappingProxyType(_parse_readings(read, read.table(doc, "readings", "readings", required=False))),
    )


def _parse_readings(read: _Reader, table: Mapping) -> dict[str, Reading]:
    readings = {}
    for reading_id, entry in table.items():
        key = f"readings.{reading_id}"
        if not isinstance(entry, dict) or "value" not in entry:
            raise read.fail(key, "expected a table with value, alternative and source")
        readings[reading_id] = Reading(reading_id, entry["value"], read.text(entry, key, "alternative"),
                                       read.text(entry, key, "source"))
    return readings


def _parse_rules(read: _Reader, table: Mapping) -> dict[str, RuleInfo]:
    rules = {}
    for rule_id, entry in table.items():
        key = f"rules.{rule_id}"
        if rule_id not in RULE_PARAMS:
            raise read.fail(key, f"unknown rule id (known: {', '.join(KNOWN_RULES)})")
        if not isinstance(entry, dict):
            raise read.fail(key, "expected a table")
        rules[rule_id] = RuleInfo(rule_id, read.text(entry, key, "title"), read.text(entry, key, "source"))
    return rules


def _parse_routes(read: _Reader, table: Mapping, rules: Mapping[str, RuleInfo]) -> dict[str, Route]:
    if not table:
        raise read.fail("routes", "no routes defined")
    routes = {}
    for route_id, entry in table.items():
        key = f"routes.{route_id}"
        if not isinstance(entry, dict):
            raise read.fail(key, "expected a table")
        rule_ids = entry.get("rules")
        if not isinstance(rule_ids, list) or not rule_ids:
            raise read.fail(f"{key}.rules", "expected a non-empty list of rule ids")
        for rule_id in rule_ids:
            if rule_id not in rules:
                raise read.fail(f"{key}.rules", f"rule {rule_id!r} has no [rules.{rule_id}] entry")
        params = _parse_params(read, key, read.table(entry, key, "params", required=False), rule_ids)
        label = read.text(entry, key, "label", default=route_id)
        level = read.value(entry.get("level", 0), f"{key}.level", INT)
        evidence = entry.get("evidence", [])
        if not isinstance(evidence, list) or not all(isinstance(e, str) and e.strip() for e in evidence):
            raise read.fail(f"{key}.evidence", "expected a list of non-empty strings")
        routes[route_id] = Route(route_id, label, tuple(rule_ids), MappingProxyType(params), level, tuple(evidence))
    return routes


def _parse_params(read: _Reader, key: str, given: Mapping, rule_ids: list[str]) -> dict[str, Any]:
    expected: dict[str, tuple[str, bool]] = {}
    for rule_id in rule_ids:
        expected.update(RULE_PARAMS[rule_id])
    params = {}
    for name, (kind, required) in expected.items():
        if name in given:
            params[name] = read.value(given[name], f"{key}.params.{name}", kind)
        elif required:
            raise read.fail(f"{key}.params.{name}", "missing (needed by the route's rules)")
    unknown = sorted(set(given) - set(expected))
    if unknown:
        raise read.fail(f"{key}.params.{unknown[0]}", "not used by any rule of this route")
    return params


def _parse_categories(read: _Reader, table: Mapping, routes: Mapping[str, Route]) -> dict[str, Category]:
    if not table:
        raise read.fail("categories", "no categories defined")
    categories = {}
    for cat_id, entry in table.items():
        key = f"categories.{cat_id}"
        if not isinstance(entry, dict):
            raise read.fail(key, "expected a table")
        minimums = read.table(entry, key, "minimum", required=False)
        for route_id, number in minimums.items():
            if route_id not in routes:
                raise read.fail(f"{key}.minimum.{route_id}", "not a route of this rule set")
            read.value(number, f"{key}.minimum.{route_id}", INT)
        categories[cat_id] = Category(
            cat_id, read.text(entry, key, "label", default=cat_id),
            read.text(entry, key, "note", default=""), MappingProxyType(dict(minimums)),
        )
    return categories


def _parse_cme(read: _Reader, doc: Mapping, path: Path) -> CmeSettings:
    table = read.table(doc, "cme", "cme", required=False)
    rejected = table.get("rejected_kinds", ["self_directed"])
    if not isinstance(rejected, list):
        raise read.fail("cme.rejected_kinds", "expected a list of strings")
    catalogue: dict[str, CatalogueEntry] = {}
    name = doc.get("ruleset", {}).get("cme_catalogue")
    if name:
        catalogue = load_catalogue(path.parent / name)
    return CmeSettings(
        max_credits_per_day=read.value(table.get("max_credits_per_day", 8), "cme.max_credits_per_day", NUMBER),
        max_years_before_exam=read.value(table.get("max_years_before_exam", 2), "cme.max_years_before_exam", INT),
        min_sources=read.value(table.get("min_sources", 2), "cme.min_sources", INT),
        rejected_kinds=tuple(rejected),
        catalogue=MappingProxyType(catalogue),
    )


def load_catalogue(path: Path) -> dict[str, CatalogueEntry]:
    """Read a CME catalogue file (``[meetings.<id>]`` tables)."""
    read = _Reader(path)
    meetings = read.table(_read_toml(path), "meetings", "meetings")
    catalogue = {}
    for meeting_id, entry in meetings.items():
        key = f"meetings.{meeting_id}"
        if not isinstance(entry, dict):
            raise read.fail(key, "expected a table")
        credits, grant = entry.get("cmr_credits"), entry.get("grant_credits")
        if meeting_id != meeting_id.strip().lower() or not meeting_id.strip():
            raise read.fail(key, "catalogue ids are lower case: <series> or <series>-<YYYY>")
        catalogue[meeting_id] = CatalogueEntry(
            id=meeting_id,
            title=read.text(entry, key, "title"),
            cmr_credits=None if credits is None else read.value(credits, f"{key}.cmr_credits", NUMBER),
            divide_by_modalities=read.value(entry.get("divide_by_modalities", True), f"{key}.divide_by_modalities", BOOL),
            general_meeting=read.value(entry.get("general_meeting", False), f"{key}.general_meeting", BOOL),
            note=read.text(entry, key, "note", default=""),
            grant_credits=None if grant is None else read.value(grant, f"{key}.grant_credits", NUMBER),
            yearly=read.value(entry.get("yearly", True), f"{key}.yearly", BOOL),
            level1_course=read.value(entry.get("level1_course", False), f"{key}.level1_course", BOOL),
        )
    return catalogue
