"""PURE PYTHON: outcome figures of a cohort (the network paper's measures) and survey aggregation.

Medians are the middle value (the mean of the two middle values for an even count); a share is a
count over the participants with a value. "More than one month" is more than 30 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from statistics import median

MONTH_DAYS = 30


@dataclass(frozen=True)
class Participant:
    off_site_days: int | None = None
    days_to_first_own_scan: int | None = None
    attendance_percent: int | None = None
    completed: bool | None = None
    exam_passed: bool | None = None
    survey_score: float | None = None
    surveyed: bool = False


@dataclass(frozen=True)
class Summary:
    participants: int
    surveyed: int
    off_site_weeks_median: float | None
    first_scan_days_median: float | None
    first_scan_over_month: int          # participants with more than 30 days to their first own scan
    first_scan_known: int
    attendance_median: float | None
    completed: int
    completion_known: int
    exam_passed: int
    exam_known: int
    survey_score_mean: float | None

    @property
    def first_scan_over_month_percent(self) -> int | None:
        return round(100 * self.first_scan_over_month / self.first_scan_known) if self.first_scan_known else None

    @property
    def first_scan_weeks_median(self) -> float | None:
        return None if self.first_scan_days_median is None else round(self.first_scan_days_median / 7, 1)

    @property
    def completion_percent(self) -> int | None:
        return round(100 * self.completed / self.completion_known) if self.completion_known else None

    @property
    def exam_pass_percent(self) -> int | None:
        return round(100 * self.exam_passed / self.exam_known) if self.exam_known else None


def _median(values):
    values = [v for v in values if v is not None]
    return float(median(values)) if values else None


def summarise(people: list[Participant]) -> Summary:
    first = [p.days_to_first_own_scan for p in people if p.days_to_first_own_scan is not None]
    completion = [p.completed for p in people if p.completed is not None]
    exams = [p.exam_passed for p in people if p.exam_passed is not None]
    scores = [p.survey_score for p in people if p.survey_score is not None]
    off_site = _median(p.off_site_days for p in people)
    return Summary(
        participants=len(people), surveyed=sum(1 for p in people if p.surveyed),
        off_site_weeks_median=None if off_site is None else round(off_site / 7, 1),
        first_scan_days_median=_median(first), first_scan_over_month=sum(1 for d in first if d > MONTH_DAYS),
        first_scan_known=len(first), attendance_median=_median(p.attendance_percent for p in people),
        completed=sum(completion), completion_known=len(completion), exam_passed=sum(exams), exam_known=len(exams),
        survey_score_mean=round(sum(scores) / len(scores), 2) if scores else None)


# Bins of the time to the first own scan, for the distribution chart.
FIRST_SCAN_BINS = (("<= 1 week", 0, 7), ("1-2 weeks", 8, 14), ("2-4 weeks", 15, 30), ("> 1 month", 31, None))


def first_scan_distribution(people: list[Participant]) -> list[tuple[str, int]]:
    days = [p.days_to_first_own_scan for p in people if p.days_to_first_own_scan is not None]
    return [(label, sum(1 for d in days if d >= low and (high is None or d <= high))) for label, low, high in FIRST_SCAN_BINS]


OFF_SITE_BINS = (("<= 5 weeks", 0, 35), ("6-12 weeks", 36, 84), ("13-26 weeks", 85, 182), ("> 26 weeks", 183, None))


def off_site_distribution(people: list[Participant]) -> list[tuple[str, int]]:
    days = [p.off_site_days for p in people if p.off_site_days is not None]
    return [(label, sum(1 for d in days if d >= low and (high is None or d <= high))) for label, low, high in OFF_SITE_BINS]


# --------------------------------------------------------------------------- surveys
@dataclass(frozen=True)
class QuestionResult:
    text: str
    kind: str
    responses: int
    shown: bool                         # False below the minimum group size
    mean: Fraction | None = None
    distribution: tuple[int, ...] = ()  # counts of 1..5
    texts: tuple[str, ...] = ()


def aggregate(text: str, kind: str, *, likert: list[int], texts: list[str], min_group: int) -> QuestionResult:
    """One question's result; nothing of it is shown when fewer than `min_group` answered. Free texts
    are sorted (never in the order given), so their order says nothing about who wrote them."""
    responses = len(likert) if kind == "likert" else len([t for t in texts if t.strip()])
    if responses < min_group:
        return QuestionResult(text, kind, responses, False)
    if kind == "likert":
        return QuestionResult(text, kind, responses, True, Fraction(sum(likert), len(likert)),
                              tuple(likert.count(v) for v in range(1, 6)))
    return QuestionResult(text, kind, responses, True, texts=tuple(sorted(t.strip() for t in texts if t.strip())))


# --------------------------------------------------------------------------- imported cohorts (CSV)
IMPORT_COLUMNS = ("off_site_days", "days_to_first_own_scan", "attendance_percent", "completed", "exam_passed",
                  "survey_score", "surveyed")
MAX_IMPORT_ROWS = 5000


class ImportProblem(ValueError):
    """A row or column of an outcomes table that cannot be read; the message names it."""


def _int(text: str, low: int, high: int):
    if not text.strip():
        return None
    if not text.strip().isdigit() or not low <= int(text) <= high:
        raise ValueError(f"{text!r} is not a whole number from {low} to {high}")
    return int(text)


def _flag(text: str):
    value = text.strip().lower()
    if not value:
        return None
    if value in ("yes", "y", "true", "1"):
        return True
    if value in ("no", "n", "false", "0"):
        return False
    raise ValueError(f"{text!r} is not yes or no")


def _score(text: str):
    if not text.strip():
        return None
    try:
        value = round(float(text), 2)
    except ValueError:
        raise ValueError(f"{text!r} is not a number") from None
    if not 1 <= value <= 5:
        raise ValueError(f"{text!r} is not between 1 and 5")
    return value


PARSERS = {"off_site_days": lambda t: _int(t, 0, 3650), "days_to_first_own_scan": lambda t: _int(t, 0, 3650),
           "attendance_percent": lambda t: _int(t, 0, 100), "completed": _flag, "exam_passed": _flag, "survey_score": _score,
           "surveyed": lambda t: bool(_flag(t))}


def parse_rows(rows: list[list[str]]) -> list[dict]:
    """One dict per participant from a CSV table whose header names some of IMPORT_COLUMNS; empty cells
    are unknown. ImportProblem names the row (as numbered in the file) and the column."""
    if not rows:
        raise ImportProblem("The file is empty.")
    header = [h.strip() for h in rows[0]]
    unknown = [h for h in header if h not in IMPORT_COLUMNS]
    if unknown:
        raise ImportProblem(f"Unknown columns: {', '.join(unknown)} (known: {', '.join(IMPORT_COLUMNS)}).")
    if len(set(header)) != len(header):
        raise ImportProblem("A column appears twice in the header.")
    if len(rows) - 1 > MAX_IMPORT_ROWS:
        raise ImportProblem(f"{len(rows) - 1} rows; at most {MAX_IMPORT_ROWS} at once.")
    out = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise ImportProblem(f"Row {number}: {len(row)} cells, the header has {len(header)}.")
        values = {}
        for name, cell in zip(header, row):
            try:
                values[name] = PARSERS[name](cell)
            except ValueError as error:
                raise ImportProblem(f"Row {number}, column {name}: {error}.") from None
        out.append(values)
    if not out:
        raise ImportProblem("No participant rows below the header.")
    return out
