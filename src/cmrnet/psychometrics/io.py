"""Reading exam CSV files: responses, scored matrices, keys and Angoff ratings.

Every reader raises :class:`InputError` on bad input, naming the file, the line
(1-based line number in the file; the header is line 1) and the column.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "InputError",
    "ResponseTable",
    "ScoredTable",
    "RatingsTable",
    "read_responses_csv",
    "read_scored_csv",
    "read_key_csv",
    "read_ratings_csv",
    "read_defects_csv",
]

DEFAULT_OPTIONS = "ABCDE"


class InputError(ValueError):
    """Bad input file or value; the message names file, line and column."""

    def __init__(self, message: str, *, file: str | None = None,
                 line: int | None = None, column: str | None = None):
        self.file, self.line, self.column = file, line, column
        where = []
        if file is not None:
            where.append(str(file))
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column!r}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


@dataclass(frozen=True)
class ResponseTable:
    """Option letters as integer codes: -1 = omitted, 0 = first option, ..."""

    candidate_ids: list[str]
    item_ids: list[str]
    codes: np.ndarray  # int8, shape (n_candidates, n_items)
    options: str  # option letters, e.g. "ABCDE"


@dataclass(frozen=True)
class ScoredTable:
    candidate_ids: list[str]
    item_ids: list[str]
    scores: np.ndarray  # float64, shape (n_candidates, n_items)


@dataclass(frozen=True)
class RatingsTable:
    judge_ids: list[str]
    item_ids: list[str]
    ratings: np.ndarray  # float64 probabilities in [0, 1], shape (n_judges, n_items)
    percent_input: bool  # True when the file held 0-100 percentages


def _read_rows(path: str | Path, what: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and (line number, cells) rows; checks shape and duplicate columns."""
    name = str(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            rows = list(csv.reader(fh))
    except OSError as exc:
        raise InputError(f"cannot read {what} file: {exc.strerror or exc}", file=name) from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} file is not UTF-8 text", file=name) from exc
    numbered = [(i + 1, [c.strip() for c in r]) for i, r in enumerate(rows)
                if any(c.strip() for c in r)]
    if not numbered:
        raise InputError(f"{what} file is empty", file=name)
    (hline, header), body = numbered[0], numbered[1:]
    if len(header) < 2:
        raise InputError("header needs an id column and at least one item column",
                         file=name, line=hline)
    seen: set[str] = set()
    for col in header:
        if not col:
            raise InputError("empty column name in header", file=name, line=hline)
        if col in seen:
            raise InputError("duplicate column in header", file=name, line=hline, column=col)
        seen.add(col)
    if not body:
        raise InputError(f"{what} file has a header but no data rows", file=name)
    ids: set[str] = set()
    for line, cells in body:
        if len(cells) != len(header):
            raise InputError(f"expected {len(header)} cells, found {len(cells)}",
                             file=name, line=line)
        if not cells[0]:
            raise InputError("empty id", file=name, line=line, column=header[0])
        if cells[0] in ids:
            raise InputError(f"duplicate id {cells[0]!r}", file=name, line=line,
                             column=header[0])
        ids.add(cells[0])
    return header, body


def _split_columns(header: list[str], ignore: tuple[str, ...]) -> list[int]:
    return [i for i, c in enumerate(header) if i > 0 and c not in ignore]


def read_responses_csv(path: str | Path, options: str = DEFAULT_OPTIONS) -> ResponseTable:
    """Read ``candidate_id,item1..itemK`` with option letters; empty = omitted.

    Letters are case-insensitive.  The returned ``options`` is trimmed to the
    highest letter actually used (so a 4-option file reports A-D).
    """
    header, body = _read_rows(path, "responses")
    lookup = {ch: i for i, ch in enumerate(options.upper())}
    cols = _split_columns(header, ())
    codes = np.full((len(body), len(cols)), -1, dtype=np.int8)
    for r, (line, cells) in enumerate(body):
        for c, ci in enumerate(cols):
            cell = cells[ci].upper()
            if not cell:
                continue
            code = lookup.get(cell)
            if code is None:
                raise InputError(
                    f"invalid option {cells[ci]!r} (expected one of {', '.join(options)} "
                    "or empty for omitted)", file=str(path), line=line, column=header[ci])
            codes[r, c] = code
    used = int(codes.max()) + 1 if codes.size else 0
    return ResponseTable([cells[0] for _, cells in body], [header[i] for i in cols],
                         codes, options.upper()[:max(used, 2)])


def _parse_number(cell: str, path, line: int, column: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise InputError(f"not a number: {cell!r}", file=str(path), line=line,
                         column=column) from None
    if not math.isfinite(value):
        raise InputError(f"not a finite number: {cell!r}", file=str(path), line=line,
                         column=column)
    return value


def read_scored_csv(path: str | Path, *, fractional: bool = False,
                    ignore_columns: tuple[str, ...] = ()) -> ScoredTable:
    """Read ``candidate_id,item1..itemK`` with 0/1 marks.

    With ``fractional=True`` any mark in [0, 1] is accepted (Moodle's partial
    credit).  Columns named in ``ignore_columns`` (e.g. Moodle's ``summarks``)
    are skipped.  Empty cells are an error: a scored file must be complete.
    """
    header, body = _read_rows(path, "scored responses")
    cols = _split_columns(header, ignore_columns)
    if not cols:
        raise InputError("no item columns", file=str(path), line=1)
    scores = np.empty((len(body), len(cols)))
    for r, (line, cells) in enumerate(body):
        for c, ci in enumerate(cols):
            cell = cells[ci]
            if not cell:
                raise InputError("empty cell in a scored file (use 0 for wrong/omitted)",
                                 file=str(path), line=line, column=header[ci])
            value = _parse_number(cell, path, line, header[ci])
            ok = 0.0 <= value <= 1.0 if fractional else value in (0.0, 1.0)
            if not ok:
                expect = "a mark between 0 and 1" if fractional else "0 or 1"
                raise InputError(f"invalid mark {cell!r} (expected {expect})",
                                 file=str(path), line=line, column=header[ci])
            scores[r, c] = value
    return ScoredTable([cells[0] for _, cells in body], [header[i] for i in cols], scores)


def read_key_csv(path: str | Path, options: str = DEFAULT_OPTIONS) -> dict[str, str]:
    """Read ``item_id,key``; returns {item_id: upper-case letter} in file order."""
    header, body = _read_rows(path, "key")
    if len(header) != 2:
        raise InputError("key file must have exactly two columns: item_id,key",
                         file=str(path), line=1)
    key: dict[str, str] = {}
    for line, (item, letter) in body:
        letter = letter.upper()
        if len(letter) != 1 or letter not in options.upper():
            raise InputError(f"invalid key {letter!r} (expected one of {', '.join(options)})",
                             file=str(path), line=line, column=header[1])
        key[item] = letter
    return key


def read_ratings_csv(path: str | Path) -> RatingsTable:
    """Read Angoff ratings ``judge_id,item1..itemK``.

    Each value is the probability that a borderline candidate answers the item
    correctly.  Values may be given as proportions (0-1) or percentages
    (0-100).  Detection: if any value exceeds 1 the whole file is read as
    percentages and divided by 100; otherwise as proportions.  (A file of
    percentages that are all <= 1 % would be misread; such ratings are not
    realistic for Angoff.)
    """
    header, body = _read_rows(path, "ratings")
    cols = _split_columns(header, ())
    ratings = np.empty((len(body), len(cols)))
    for r, (line, cells) in enumerate(body):
        for c, ci in enumerate(cols):
            if not cells[ci]:
                raise InputError("empty rating", file=str(path), line=line, column=header[ci])
            value = _parse_number(cells[ci], path, line, header[ci])
            if not 0.0 <= value <= 100.0:
                raise InputError(f"rating {cells[ci]!r} out of range (0-1 or 0-100 %)",
                                 file=str(path), line=line, column=header[ci])
            ratings[r, c] = value
    percent = bool((ratings > 1.0).any())
    if percent:
        ratings = ratings / 100.0
    return RatingsTable([cells[0] for _, cells in body], [header[i] for i in cols],
                        ratings, percent)


def read_defects_csv(path: str | Path) -> dict[str, int]:
    """Read candidate defect-flag counts ``item_id,count``."""
    header, body = _read_rows(path, "defect flags")
    if len(header) != 2:
        raise InputError("defect file must have two columns: item_id,count",
                         file=str(path), line=1)
    out: dict[str, int] = {}
    for line, (item, cell) in body:
        if not cell.isdigit():
            raise InputError(f"invalid count {cell!r} (expected a whole number >= 0)",
                             file=str(path), line=line, column=header[1])
        out[item] = int(cell)
    return out
