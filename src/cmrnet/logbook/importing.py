"""Bulk import of cases from CSV or XLSX: every row is checked and reported before anything is saved.

The file's header names the columns (any order); see docs/logbook.md. The local patient
identifier is hashed as the row is read; the raw value never leaves this module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from cmrnet import tabular
from cmrnet.logbook import selectors
from cmrnet.logbook.models import Case
from cmrnet.logbook.patient_keys import MAX_IDENTIFIER_LENGTH, normalise, patient_key
from cmrnet.logbook.services import CaseInput
from cmrnet.people.models import User
from cmrnet.rules.model import ROLES, SOURCES
from cmrnet.rules.package_io import NO, YES

REQUIRED = ("study_date", "patient_id", "category", "normal", "source", "role")
OPTIONAL = ("case_id", "course_id", "control_room", "supervisor", "clinical_change", "full_review")
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
MAX_COLUMNS = 50                 # an .xlsx sheet is read this wide at most
MAX_LENGTHS = {"case_id": Case._meta.get_field("case_id").max_length,
               "course_id": Case._meta.get_field("course_id").max_length,
               "patient_id": MAX_IDENTIFIER_LENGTH, "supervisor": 254}


class ImportFileError(ValueError):
    """The file as a whole cannot be read (type, encoding, header)."""


@dataclass
class RowResult:
    number: int                      # 1-based data row; the header is not counted
    shown: dict                      # what the preview table shows (patient key prefix only)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    data: CaseInput | None = None

    @property
    def line(self) -> int:
        return self.number + 1       # the spreadsheet line, header = line 1


@dataclass
class Preview:
    rows: list[RowResult]
    file_name: str

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not any(r.errors for r in self.rows)

    @property
    def error_count(self) -> int:
        return sum(1 for r in self.rows if r.errors)

    @property
    def valid_rows(self) -> list[CaseInput]:
        return [r.data for r in self.rows if r.data is not None]


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return str(value).strip()


def read_table(upload) -> list[list[str]]:
    """The uploaded file as rows of text cells (header first)."""
    name = (upload.name or "").lower()
    if upload.size > MAX_BYTES:
        raise ImportFileError("The file is larger than 5 MB.")
    content = upload.read()
    if name.endswith(".xlsx"):
        return _read_xlsx(content)
    if name.endswith(".csv"):
        return _read_csv(content)
    raise ImportFileError("Upload a .csv or .xlsx file.")


def _read_xlsx(content: bytes) -> list[list[str]]:
    """The first sheet, streamed by openpyxl after the archive's size is checked (cmrnet.tabular)."""
    try:
        rows = tabular.read_xlsx(content, max_rows=MAX_ROWS + 1, max_columns=MAX_COLUMNS)
    except tabular.TooManyRows:
        raise ImportFileError(f"At most {MAX_ROWS} rows per import.") from None
    except tabular.TableError as error:
        raise ImportFileError(f"The file is not a readable .xlsx workbook ({error}).") from None
    return [[_text(v) for v in row] for row in rows]


def _read_csv(content: bytes) -> list[list[str]]:
    """RFC 4180 (comma, double quotes, "" inside quotes): no dialect is guessed, so a quoted value
    can never shift the columns after it."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError("The CSV file is not UTF-8 text (save it as 'CSV UTF-8').") from None
    try:
        table = [[c.strip() for c in row] for row in tabular.read_csv(text)]
    except tabular.TableError as error:
        raise ImportFileError(f"The CSV file cannot be read: {error}.") from None
    header = table[0] if table else []
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        separator = "semicolons" if ";" in header[0] else "tabs"
        raise ImportFileError(f"The columns are separated by {separator}, not commas: save the file as "
                              f"'CSV UTF-8 (comma delimited)', or upload the .xlsx workbook.")
    return table


def _flag(text: str, required: bool) -> bool:
    value = text.strip().lower()
    if not value and not required:
        return False
    if value in YES:
        return True
    if value in NO:
        return False
    raise ValueError(f"{text!r} is not yes or no")


def _date(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None
    if day > timezone.localdate():
        raise ValueError(f"{day} is in the future")
    return day


def _choice(allowed) -> callable:
    def parse(text: str) -> str:
        if text.strip() not in allowed:
            raise ValueError(f"{text!r} is not one of {', '.join(allowed)}")
        return text.strip()
    return parse


def _supervisor_finder(trainee: User):
    known = {u.email.lower(): u for u in selectors.supervisors_of(trainee)}
    current = list(selectors.current_supervisors(trainee, timezone.localdate()))
    default = current[0] if len(current) == 1 else None

    def find(text: str) -> int | None:
        email = text.strip().lower()
        if not email:
            if default is None:
                raise ValueError("is empty and you do not have exactly one current supervisor: give their e-mail")
            return default.pk
        if email not in known:
            raise ValueError(f"{text!r} is not one of your supervisors (use their e-mail)")
        return known[email].pk
    return find


def check_rows(table: list[list[str]], *, trainee: User, categories, file_name: str = "") -> Preview:
    """Check every row; never stops at the first error."""
    if not table or not any(c for c in table[0]):
        raise ImportFileError("The file is empty: the first line must name the columns.")
    header = [h.strip().lower() for h in table[0]]
    twice = tabular.duplicated(h for h in header if h)
    if twice:
        raise ImportFileError(f"Header (line 1): column(s) {', '.join(twice)} appear more than once.")
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h and h not in REQUIRED + OPTIONAL]
    if missing or unknown:
        parts = ([f"missing column(s) {', '.join(missing)}"] if missing else []) + (
            [f"unknown column(s) {', '.join(unknown)}"] if unknown else [])
        raise ImportFileError(f"Header (line 1): {'; '.join(parts)}. Expected columns: "
                              f"{', '.join(REQUIRED + OPTIONAL)}.")
    data_rows = [r for r in table[1:]]
    if sum(1 for r in data_rows if any(c.strip() for c in r)) > MAX_ROWS:
        raise ImportFileError(f"At most {MAX_ROWS} rows per import.")
    parsers = {
        "study_date": _date, "patient_id": patient_key, "category": _choice(tuple(categories)),
        "normal": lambda t: _flag(t, True), "source": _choice(SOURCES), "role": _choice(ROLES),
        "case_id": str.strip, "course_id": str.strip, "control_room": lambda t: _flag(t, False),
        "supervisor": _supervisor_finder(trainee), "clinical_change": lambda t: _flag(t, False),
        "full_review": lambda t: _flag(t, True) if t.strip() else None,
    }
    taken = set(selectors.Case.objects.filter(trainee=trainee).values_list("case_id", flat=True))
    existing_keys = existing_patient_keys(trainee)
    seen_ids: dict[str, int] = {}
    seen_keys: dict[str, int] = {}
    results = []
    identifiers = _identifiers(data_rows, header.index("patient_id"))
    for number, cells in enumerate(data_rows, start=1):
        if not any(c.strip() for c in cells):
            continue
        row = RowResult(number, {})
        if len(cells) > len(header):
            row.errors.append(f"Row {number} (line {number + 1}): {len(cells)} values for {len(header)} columns "
                              f"(a value with a comma must be in double quotes: \"a, b\")")
        cells = list(cells) + [""] * (len(header) - len(cells))
        raw = dict(zip(header, cells))
        values = {}
        for column in REQUIRED + OPTIONAL:
            if column not in raw:
                continue
            try:
                if column in REQUIRED and column != "normal" and not raw[column].strip():
                    raise ValueError("is empty")
                _check_length(column, raw[column])
                values[column] = parsers[column](raw[column])
            except ValueError as error:
                row.errors.append(f"Row {number} (line {number + 1}), column {column}: {error}")
        _row_checks(row, values, taken, seen_ids, seen_keys, existing_keys)
        _not_an_identifier(row, values.get("case_id", ""), identifiers)
        row.shown = {k: raw.get(k, "") for k in REQUIRED + OPTIONAL if k != "patient_id"}
        row.shown["patient_key"] = values["patient_id"][:8] if "patient_id" in values else ""
        if not row.errors:
            row.data = CaseInput(
                study_date=values["study_date"], patient_key=values["patient_id"], category=values["category"],
                normal=values["normal"], source=values["source"], course_id=values.get("course_id", ""),
                role=values["role"], control_room=values.get("control_room", False),
                supervisor_id=values.get("supervisor"), clinical_change=values.get("clinical_change", False),
                case_id=values.get("case_id", ""), full_review=values.get("full_review"))
        results.append(row)
    if not results:
        raise ImportFileError("The file has a header but no rows.")
    return Preview(results, file_name)


def _check_length(column: str, text: str) -> None:
    limit = MAX_LENGTHS.get(column)
    if limit is not None and len(text.strip()) > limit:
        raise ValueError(f"{len(text.strip())} characters; at most {limit}")


def _identifiers(rows: list[list[str]], column: int) -> dict[str, int]:
    """Each patient identifier of the file (normalised) -> the first row that gives it."""
    found: dict[str, int] = {}
    for number, cells in enumerate(rows, start=1):
        value = normalise(cells[column]) if len(cells) > column else ""
        if value:
            found.setdefault(value, number)
    return found


def _not_an_identifier(row: RowResult, case_id: str, identifiers: dict[str, int]) -> None:
    """A case id that is a patient identifier of the file would store that identifier as it is."""
    if case_id and normalise(case_id) in identifiers:
        row.errors.append(f"Row {row.number} (line {row.number + 1}), column case_id: is the patient identifier of "
                          f"row {identifiers[normalise(case_id)]}; a case id must not identify a patient")


def _row_checks(row: RowResult, values: dict, taken: set, seen_ids: dict, seen_keys: dict, existing: dict) -> None:
    n = row.number
    where = f"Row {n} (line {n + 1})"
    course_id_refused = any(", column course_id:" in e for e in row.errors)
    if values.get("source") == "course" and not values.get("course_id") and not course_id_refused:
        row.errors.append(f"{where}, column course_id: a course case needs the course id")
    case_id = values.get("case_id", "")
    if case_id:
        if case_id in taken:
            row.errors.append(f"{where}, column case_id: {case_id!r} is already in your logbook")
        elif case_id in seen_ids:
            row.errors.append(f"{where}, column case_id: {case_id!r} already used in row {seen_ids[case_id]}")
        seen_ids.setdefault(case_id, n)
    key = values.get("patient_id")
    if key and not values.get("clinical_change"):
        if key in seen_keys:
            row.warnings.append(f"{where}: same patient as row {seen_keys[key]}; counted once unless "
                                f"clinical_change is yes")
        elif key in existing:
            row.warnings.append(f"{where}: same patient as case {existing[key]} in your logbook; counted once "
                                f"unless clinical_change is yes")
    if key:
        seen_keys.setdefault(key, n)


def repeat_patient_case(trainee: User, key: str, *, clinical_change: bool = False) -> str:
    """The case id of an earlier case of this patient in the logbook, or "" (the import's repeat check, for
    one case at entry: a warning, never a refusal; a clinical change makes the repeat count on its own)."""
    if not key or clinical_change:
        return ""
    existing = existing_patient_keys(trainee)
    return existing.get(key, "")


def existing_patient_keys(trainee: User) -> dict[str, str]:
    """Patient key -> a case id of the trainee's logbook with that key."""
    return dict(selectors.Case.objects.filter(trainee=trainee).values_list("patient_key", "case_id"))


def preview_file(upload, *, trainee: User, categories) -> Preview:
    return check_rows(read_table(upload), trainee=trainee, categories=categories, file_name=upload.name)
