"""PURE PYTHON: the DICOM PS3.15 Annex E confidentiality profile as data.

``data/ps3.15-table-e.1-1.csv`` is Table E.1-1 ("Application Level Confidentiality Profile Attributes")
of DICOM PS3.15, one row per attribute, with the action codes of the Basic Profile and of each option
column exactly as the standard prints them. This module resolves, per tag, the single action cmrnet
applies with the options it claims:

- Basic Application Level Confidentiality Profile (113100)
- Retain Longitudinal Temporal Information with Modified Dates Option (113107): ``C`` = shift the date
- Retain Patient Characteristics Option (113108): ``K`` keep, ``C`` clean
- Clean Descriptors Option (113105): ``C`` = clean the free text

Action codes (PS3.15 E.1.1): D dummy value, Z zero length (or dummy), X remove, K keep, C clean,
U replace UID (consistently). Compound codes (``X/Z``, ``X/D``, ``X/Z/D``, ``Z/D``, ``X/Z/U*``) depend on the
IOD's type for the attribute; cmrnet takes the one that keeps the object conformant whatever the type:
``Z`` for ``X/Z``, ``D`` for ``X/D``, ``X/Z/D`` and ``Z/D``, ``U`` for ``X/Z/U*``.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

OPTIONS = ("rtn_long_modif_dates", "rtn_pat_chars", "clean_desc")
# Code Sequence entries written into DeidentificationMethodCodeSequence (CID 7050).
METHOD_CODES = (
    ("113100", "Basic Application Confidentiality Profile"),
    ("113107", "Retain Longitudinal Temporal Information Modified Dates Option"),
    ("113108", "Retain Patient Characteristics Option"),
    ("113105", "Clean Descriptors Option"),
)
# DeidentificationMethod (LO, up to 64 characters per value): one value per profile and option.
METHOD_TEXT = ["cmrnet PS3.15 E.1.1 Basic Application Confidentiality Profile", "Retain Longitudinal Modified Dates Option",
               "Retain Patient Characteristics Option", "Clean Descriptors Option"]

_COMPOUND = {"X/Z": "Z", "X/D": "D", "X/Z/D": "D", "Z/D": "D", "X/ Z/U\\*": "U", "X/Z/U*": "U"}


@dataclass(frozen=True)
class Rule:
    tag: int | None           # None for the pattern rows (curves, overlays)
    keyword: str
    name: str
    basic: str                # the Basic Profile's code as printed
    action: str               # the action cmrnet applies: D Z X K C U, or "shift" (a date moved) / "clean"
    because: str              # which column decided it

    @property
    def tag_text(self) -> str:
        return f"({self.tag >> 16:04X},{self.tag & 0xFFFF:04X})" if self.tag is not None else self.keyword


def _resolve(row: dict) -> tuple[str, str]:
    """The action for one table row under the options cmrnet claims, and the column that decided it."""
    basic = row["basic"].strip()
    if row["rtn_pat_chars"] == "K":
        return "K", "Retain Patient Characteristics"
    if row["rtn_long_modif_dates"] == "C":
        return "shift", "Retain Longitudinal Temporal Information with Modified Dates"
    if row["clean_desc"] == "C" or row["rtn_pat_chars"] == "C":
        return "clean", "Clean Descriptors" if row["clean_desc"] == "C" else "Retain Patient Characteristics (clean)"
    return _COMPOUND.get(basic, basic), "Basic Profile"


def _table_rows() -> list[dict]:
    text = resources.files("cmrnet.library").joinpath("data/ps3.15-table-e.1-1.csv").read_text()
    return list(csv.DictReader(text.splitlines()))


@cache
def rules() -> dict[int, Rule]:
    """Tag -> Rule for every attribute of Table E.1-1 with an exact tag."""
    out = {}
    for row in _table_rows():
        m = re.fullmatch(r"\(([0-9A-F]{4}),([0-9A-F]{4})\)", row["tag"])
        if not m:
            continue
        tag = int(m.group(1) + m.group(2), 16)
        action, because = _resolve(row)
        out[tag] = Rule(tag, row["keyword"], row["name"], row["basic"], action, because)
    return out


def rule_for(tag: int) -> Rule | None:
    """The rule for `tag`, including the pattern rows: curve data (50xx,xxxx), overlay data and comments
    (60xx,3000)/(60xx,4000), all removed (X)."""
    found = rules().get(tag)
    if found is not None:
        return found
    group, element = tag >> 16, tag & 0xFFFF
    if 0x5000 <= group <= 0x50FF and group % 2 == 0:
        return Rule(None, "(50xx,xxxx)", "Curve Data", "X", "X", "Basic Profile")
    if 0x6000 <= group <= 0x60FF and group % 2 == 0 and element in (0x3000, 0x4000):
        name = "Overlay Data" if element == 0x3000 else "Overlay Comments"
        return Rule(None, f"(60xx,{element:04X})", name, "X", "X", "Basic Profile")
    return None
