"""The application package: a folder (or a zip) of CSV files and ``candidate.toml``.

``read_package`` turns a package into ``ApplicationData``; any bad value raises
``PackageError`` naming the file, the row (1-based data row, the header not
counted) or TOML key, and the column.  ``write_package`` writes the same
format, so a package read and written again is identical in content.

Files are read only through ``package_source`` (a name inside the package, never a path of the
file system); see there.
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterable

from cmrnet.tabular import TableError, duplicated, read_csv, write_csv

from .model import (CME_KINDS, DEFAULT_CATEGORIES, PEER_KINDS, PEER_SCOPES, ROLES, SOURCES, TRAINING_MODES,
                    ApplicationData, Candidate, Case, CmeActivity, Level2Certificate, PeerItem,
                    PeerRecognition, SupervisorCert, TrainingPeriod)
from .package_source import Package, PackageError, member_name, open_package

CASE_COLUMNS = ("case_id", "study_date", "patient_key", "category", "normal", "source", "course_id",
                "role", "control_room", "supervisor_id", "clinical_change")
CASE_OPTIONAL = ("full_review", "mode")  # appended; full_review empty/absent = not recorded, mode = in_person
SUPERVISOR_COLUMNS = ("supervisor_id", "body", "level", "awarded_on", "valid_until")
SUPERVISOR_OPTIONAL = ("revoked_on",)
TRAINING_COLUMNS = ("period_id", "start_date", "end_date", "hours_per_week", "supervisor_id", "centre")
TRAINING_OPTIONAL = ("mode",)           # in_person / virtual; absent or empty = in_person
CME_COLUMNS = ("activity_id", "title", "provider", "kind", "start_date", "end_date", "credits",
               "modalities", "catalog_id", "certificate")
CME_OPTIONAL = ("full_attendance", "accepted_hours", "accepted_reason")   # appended when some claim fills them
EMPTY = {"full_review": None, "full_attendance": False, "accepted_hours": None, "accepted_reason": "", "mode": "in_person"}
PEER_COLUMNS = ("item_id", "kind", "title", "event", "date", "scope", "first_author", "presented_in_person")
PEER_KEYS = ("cme_faculty", "invited_talks", "publications", "first_author_orals", "posters")
YES, NO = ("yes", "y", "true", "1"), ("no", "n", "false", "0")


# ----------------------------------------------------------------------------
# Cell parsers: raise ValueError with a description; the row reader adds where.
# ----------------------------------------------------------------------------
def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def parse_flag(text: str) -> bool:
    value = text.strip().lower()
    if value in YES:
        return True
    if value in NO:
        return False
    raise ValueError(f"{text!r} is not yes or no")


def parse_optional_flag(text: str) -> bool:
    return parse_flag(text) if text.strip() else False


def parse_flag_or_none(text: str) -> bool | None:
    return parse_flag(text) if text.strip() else None


def parse_count(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise ValueError(f"{text!r} is negative")
    return value


def parse_number(text: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if value < 0 or value != value or value in (float("inf"),):
        raise ValueError(f"{text!r} is not a non-negative number")
    return value


def one_of(choices: Iterable[str]) -> Callable[[str], str]:
    allowed = tuple(choices)

    def parse(text: str) -> str:
        value = text.strip()
        if value not in allowed:
            raise ValueError(f"{text!r} is not one of {', '.join(allowed)}")
        return value
    return parse


def training_mode(text: str) -> str:
    """The ``mode`` of training.csv and cases.csv: in_person or virtual (any case); empty = in_person."""
    return one_of(TRAINING_MODES)(text.strip().lower() or "in_person")


def certificate_reference(text: str) -> str:
    """cme.csv's ``certificate``: empty/"no" (none), "yes" (claimed), or a file name inside the package."""
    value = text.strip()
    if value.lower() in ("", "no", "false", "0", "none", "yes", "y", "true", "1"):
        return value
    member_name(value)          # ValueError when it could name a file outside the package
    return value


def required(text: str) -> str:
    if not text.strip():
        raise ValueError("is empty")
    return text.strip()


def optional(text: str) -> str:
    return text.strip()


# ----------------------------------------------------------------------------
# Reading
# ----------------------------------------------------------------------------
def _rows(path, columns: tuple[str, ...], optional_columns: tuple[str, ...] = ()):
    """Yield (row number, dict) for each data row; check the header."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise PackageError(f"{path.name}: file not found in the package") from None
    except UnicodeDecodeError:
        raise PackageError(f"{path.name}: not UTF-8 text") from None
    try:
        table = read_csv(text)
    except TableError as error:
        raise PackageError(f"{path.name} {error}") from None
    header = [h.strip() for h in (table[0] if table else [])]
    for name in duplicated(header):
        raise PackageError(f"{path.name} header (line 1): column {name!r} appears twice")
    for name in columns:
        if name not in header:
            raise PackageError(f"{path.name} header (line 1): missing column {name!r}")
    for name in header:
        if name not in columns and name not in optional_columns:
            raise PackageError(f"{path.name} header (line 1): unknown column {name!r}")
    for number, cells in enumerate(table[1:], start=1):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            raise PackageError(f"{path.name} row {number}: {len(cells)} values for {len(header)} columns")
        yield number, dict(zip(header, cells))


def _convert(file: str, number: int, row: dict, parsers: dict[str, Callable[[str], Any]]) -> dict:
    values = {}
    for column, parse in parsers.items():
        if column not in row:
            continue
        try:
            values[column] = parse(row[column])
        except ValueError as error:
            raise PackageError(f"{file} row {number}, column {column}: {error}") from None
    return values


def _unique(file: str, number: int, column: str, value: str, seen: dict[str, int]) -> None:
    if value in seen:
        raise PackageError(f"{file} row {number}, column {column}: {value!r} already used in row {seen[value]}")
    seen[value] = number


def read_cases(path, categories: Iterable[str] = DEFAULT_CATEGORIES) -> tuple[Case, ...]:
    parsers = {
        "case_id": required, "study_date": parse_date, "patient_key": required,
        "category": one_of(categories), "normal": parse_flag, "source": one_of(SOURCES),
        "course_id": optional, "role": one_of(ROLES), "control_room": parse_optional_flag,
        "supervisor_id": optional, "clinical_change": parse_optional_flag,
        "full_review": parse_flag_or_none, "mode": training_mode,
    }
    cases, seen = [], {}
    for number, row in _rows(path, CASE_COLUMNS, CASE_OPTIONAL):
        values = _convert(path.name, number, row, parsers)
        _unique(path.name, number, "case_id", values["case_id"], seen)
        cases.append(Case(**values))
    return tuple(cases)


def _check_order(file: str, number: int, values: dict, first: str, last: str) -> None:
    if values[last] < values[first]:
        raise PackageError(f"{file} row {number}, column {last}: {values[last]} is before {first} {values[first]}")


def read_supervisors(path) -> tuple[SupervisorCert, ...]:
    parsers = {
        "supervisor_id": required, "body": lambda t: required(t).upper(), "level": parse_count,
        "awarded_on": parse_date, "valid_until": parse_date,
        "revoked_on": lambda t: parse_date(t) if t.strip() else None,
    }
    certs = []
    for number, row in _rows(path, SUPERVISOR_COLUMNS, SUPERVISOR_OPTIONAL):
        values = _convert(path.name, number, row, parsers)
        _check_order(path.name, number, values, "awarded_on", "valid_until")
        certs.append(SupervisorCert(**values))
    return tuple(certs)


def read_training(path) -> tuple[TrainingPeriod, ...]:
    parsers = {
        "period_id": required, "start_date": parse_date, "end_date": parse_date,
        "hours_per_week": parse_number, "supervisor_id": optional, "centre": optional, "mode": training_mode,
    }
    periods, seen = [], {}
    for number, row in _rows(path, TRAINING_COLUMNS, TRAINING_OPTIONAL):
        values = _convert(path.name, number, row, parsers)
        _unique(path.name, number, "period_id", values["period_id"], seen)
        _check_order(path.name, number, values, "start_date", "end_date")
        periods.append(TrainingPeriod(**values))
    return tuple(periods)


def read_cme(path) -> tuple[CmeActivity, ...]:
    def modalities(text: str) -> int:
        value = parse_count(text) if text.strip() else 1
        if value < 1:
            raise ValueError(f"{text!r} must be at least 1")
        return value
    parsers = {
        "activity_id": required, "title": required, "provider": optional, "kind": one_of(CME_KINDS),
        "start_date": parse_date, "end_date": parse_date, "credits": parse_number,
        "modalities": modalities, "catalog_id": optional, "certificate": certificate_reference,
        "full_attendance": parse_optional_flag,
        "accepted_hours": lambda t: parse_number(t) if t.strip() else None, "accepted_reason": optional,
    }
    activities, seen = [], {}
    for number, row in _rows(path, CME_COLUMNS, CME_OPTIONAL):
        values = _convert(path.name, number, row, parsers)
        _unique(path.name, number, "activity_id", values["activity_id"], seen)
        _check_order(path.name, number, values, "start_date", "end_date")
        activities.append(CmeActivity(**values))
    return tuple(activities)


def read_peer(path: Path) -> tuple[PeerItem, ...]:
    parsers = {
        "item_id": required, "kind": one_of(PEER_KINDS), "title": required, "event": optional,
        "date": lambda t: parse_date(t) if t.strip() else None,
        "scope": lambda t: one_of(PEER_SCOPES)(t) if t.strip() else "international",
        "first_author": parse_optional_flag, "presented_in_person": parse_optional_flag,
    }
    items, seen = [], {}
    for number, row in _rows(path, PEER_COLUMNS):
        values = _convert(path.name, number, row, parsers)
        _unique(path.name, number, "item_id", values["item_id"], seen)
        values["day"] = values.pop("date")
        items.append(PeerItem(**values))
    return tuple(items)


class _Toml:
    """Typed access to candidate.toml that names the key on error."""

    def __init__(self, name: str, doc: dict):
        self.name, self.doc = name, doc

    def fail(self, key: str, problem: str) -> PackageError:
        return PackageError(f"{self.name} key {key}: {problem}")

    def date(self, table: dict, key: str, prefix: str = "") -> date | None:
        value = table.get(key)
        if value is None or isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return parse_date(value)
            except ValueError as error:
                raise self.fail(prefix + key, str(error)) from None
        raise self.fail(prefix + key, f"{value!r} is not a date (YYYY-MM-DD)")

    def text(self, table: dict, key: str) -> str:
        value = table.get(key, "")
        if not isinstance(value, str):
            raise self.fail(key, f"{value!r} is not a text")
        return value.strip()

    def flag(self, table: dict, key: str) -> bool:
        value = table.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(key, f"{value!r} is not true or false")
        return value

    def ids(self, table: dict, key: str, prefix: str = "") -> tuple[str, ...] | None:
        value = table.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(prefix + key, f"{value!r} is not a list of ids")
        return tuple(v.strip() for v in value)

    def count(self, table: dict, key: str, prefix: str = "") -> int:
        value = table.get(key, 0)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.fail(prefix + key, f"{value!r} is not a whole number >= 0")
        return value


def read_candidate(folder: Package, categories: Iterable[str] = DEFAULT_CATEGORIES) -> Candidate:
    path = folder / "candidate.toml"
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise PackageError("candidate.toml: file not found in the package") from None
    except UnicodeDecodeError:
        raise PackageError("candidate.toml: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise PackageError(f"candidate.toml: not valid TOML: {error}") from None
    toml = _Toml("candidate.toml", doc)
    peer_table = doc.get("peer_recognition", {})
    if not isinstance(peer_table, dict):
        raise toml.fail("peer_recognition", "expected a table")
    items = read_peer(folder / "peer.csv") if (folder / "peer.csv").exists() else ()
    peer = PeerRecognition(**{k: toml.count(peer_table, k, "peer_recognition.") for k in PEER_KEYS}, items=items)
    return Candidate(
        exam_date=toml.date(doc, "exam_date"),
        exam_passed=toml.flag(doc, "exam_passed"),
        results_date=toml.date(doc, "results_date"),
        registration_valid_until=toml.date(doc, "registration_valid_until"),
        acls_valid_until=toml.date(doc, "acls_valid_until"),
        application_date=toml.date(doc, "application_date"),
        supervisor_declaration=toml.flag(doc, "supervisor_declaration"),
        peer_recognition=peer,
        level2=_read_level2(toml, folder, doc.get("level2"), categories),
        deadline_extension_days=toml.count(doc, "deadline_extension_days"),
        logbook_deadline=toml.date(doc, "logbook_deadline"),
        specialty=toml.text(doc, "specialty"),
    )


def _read_level2(toml: _Toml, folder: Package, table: Any, categories) -> Level2Certificate | None:
    if table is None:
        return None
    if not isinstance(table, dict):
        raise toml.fail("level2", "expected a table")
    awarded, until = toml.date(table, "awarded_on", "level2."), toml.date(table, "valid_until", "level2.")
    if awarded is None or until is None:
        raise toml.fail("level2.awarded_on" if awarded is None else "level2.valid_until", "missing")
    if until < awarded:
        raise toml.fail("level2.valid_until", f"{until} is before awarded_on {awarded}")
    file_name = table.get("cases", "")
    if not isinstance(file_name, str):
        raise toml.fail("level2.cases", "expected a file name")
    if file_name:
        try:
            file_name = member_name(file_name)
        except ValueError as error:
            raise toml.fail("level2.cases", str(error)) from None
    cases = read_cases(folder / file_name, categories) if file_name else ()
    return Level2Certificate(awarded, until, cases, file_name or "level2_cases.csv",
                             toml.ids(table, "training", "level2."), toml.ids(table, "cme", "level2."))


def read_package(folder: str | Path | Package, categories: Iterable[str] | None = None) -> ApplicationData:
    """Read an application package: a folder, a zip file, or a ``Package`` (e.g. a ``ZipPackage`` of
    an upload).  Only files inside the package are ever read (see ``package_source``).

    ``categories`` are the allowed case categories (``ruleset.categories``);
    by default the eight standard ones.  supervisors.csv, training.csv, cme.csv
    and peer.csv may be absent (read as empty); cases.csv and candidate.toml may not.
    """
    folder = open_package(folder)
    allowed = tuple(categories) if categories is not None else DEFAULT_CATEGORIES
    optional_file = lambda name, reader: reader(folder / name) if (folder / name).exists() else ()
    return ApplicationData(
        candidate=read_candidate(folder, allowed),
        cases=read_cases(folder / "cases.csv", allowed),
        supervisors=optional_file("supervisors.csv", read_supervisors),
        training=optional_file("training.csv", read_training),
        cme=optional_file("cme.csv", read_cme),
    )


# ----------------------------------------------------------------------------
# Writing
# ----------------------------------------------------------------------------
def _write_csv(path: Path, columns: tuple[str, ...], items: Iterable[Any], names: dict[str, str] | None = None) -> None:
    """Cells made by cmrnet.tabular.cell: text that a spreadsheet would run as a formula is escaped
    (and unescaped on reading, so the round trip is exact)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        write_csv(handle, columns, ([getattr(item, (names or {}).get(c, c)) for c in columns] for item in items))


def _with_optional(columns: tuple[str, ...], optional_columns: tuple[str, ...], items) -> tuple[str, ...]:
    """Append the optional columns some item fills (so packages without them are written as before)."""
    used = tuple(c for c in optional_columns if any(_filled(getattr(i, c), EMPTY[c]) for i in items))
    return columns + used


def _filled(value: Any, empty: Any) -> bool:
    """Not the column's empty value (``0`` hours is a value, not ``None``)."""
    return value is not None if empty is None else value != empty


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, date)):
        return value.isoformat() if isinstance(value, date) else str(value)
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def candidate_toml(candidate: Candidate) -> str:
    """candidate.toml text for ``candidate`` (keys as documented in docs/rules.md)."""
    lines = []
    for key in ("exam_date", "exam_passed", "results_date", "registration_valid_until", "acls_valid_until",
                "application_date", "supervisor_declaration", "deadline_extension_days", "logbook_deadline",
                "specialty"):
        value = getattr(candidate, key)
        if value is not None and not (key == "deadline_extension_days" and value == 0) and value != "":
            lines.append(f"{key} = {_toml_value(value)}")
    lines += ["", "[peer_recognition]"]
    lines += [f"{k} = {getattr(candidate.peer_recognition, k)}" for k in PEER_KEYS]
    if candidate.level2 is not None:
        level2 = candidate.level2
        lines += ["", "[level2]", f"awarded_on = {level2.awarded_on.isoformat()}",
                  f"valid_until = {level2.valid_until.isoformat()}", f"cases = {_toml_value(level2.cases_file)}"]
        for key, ids in (("training", level2.training_ids), ("cme", level2.cme_ids)):
            if ids is not None:
                lines.append(f"{key} = [{', '.join(_toml_value(i) for i in ids)}]")
    return "\n".join(lines) + "\n"


def write_package(folder: str | Path, data: ApplicationData) -> Path:
    """Write ``data`` as a package folder (created if needed); returns the folder."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "candidate.toml").write_text(candidate_toml(data.candidate), encoding="utf-8")
    _write_csv(folder / "cases.csv", _with_optional(CASE_COLUMNS, CASE_OPTIONAL, data.cases), data.cases)
    columns = SUPERVISOR_COLUMNS + (SUPERVISOR_OPTIONAL if any(s.revoked_on for s in data.supervisors) else ())
    _write_csv(folder / "supervisors.csv", columns, data.supervisors)
    _write_csv(folder / "training.csv", _with_optional(TRAINING_COLUMNS, TRAINING_OPTIONAL, data.training), data.training)
    _write_csv(folder / "cme.csv", _with_optional(CME_COLUMNS, CME_OPTIONAL, data.cme), data.cme)
    if data.candidate.peer_recognition.items:
        _write_csv(folder / "peer.csv", PEER_COLUMNS, data.candidate.peer_recognition.items, {"date": "day"})
    if data.candidate.level2 is not None:
        level2_cases = data.candidate.level2.cases
        target = folder / member_name(data.candidate.level2.cases_file)   # never outside the folder
        target.parent.mkdir(parents=True, exist_ok=True)
        _write_csv(target, _with_optional(CASE_COLUMNS, CASE_OPTIONAL, level2_cases), level2_cases)
    return folder
