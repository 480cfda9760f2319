"""PURE PYTHON: compare a trainee's structured report with the case's reference report.

No Django here. A report is a plain dict of the structured fields (see ``REPORT_FIELDS``); tolerances
are per parameter (``Tolerance``) and come from the site's settings (``interpretation.models``) with
``DEFAULT_TOLERANCES`` as the fallback. Arithmetic is exact (Decimal from the written value), so a
trainee exactly on a boundary (EF 5 points off, a volume 10 % off) is within it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

# Measured quantities: (field, label, unit, kind) where kind is "points" (absolute) or "relative".
NUMERIC_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("lv_edv_ml", "LV end-diastolic volume", "ml"),
    ("lv_esv_ml", "LV end-systolic volume", "ml"),
    ("lv_sv_ml", "LV stroke volume", "ml"),
    ("lv_ef_pct", "LV ejection fraction", "%"),
    ("lv_mass_g", "LV mass", "g"),
    ("lv_mass_index_g_m2", "LV mass index", "g/m²"),
    ("rv_edv_ml", "RV end-diastolic volume", "ml"),
    ("rv_esv_ml", "RV end-systolic volume", "ml"),
    ("rv_sv_ml", "RV stroke volume", "ml"),
    ("rv_ef_pct", "RV ejection fraction", "%"),
)
SEGMENT_FIELDS: tuple[tuple[str, str], ...] = (
    ("perfusion_defects", "Perfusion defect segments (AHA 17)"),
)
LGE = ("lge", "LGE segments (AHA 17)")
LGE_PATTERN = ("lge_pattern", "LGE pattern in the segments both named")
CHOICE_FIELDS: tuple[tuple[str, str], ...] = (
    ("category", "Disease category"),
    ("final_diagnosis", "Final diagnosis"),
)
WALL_MOTION = ("wall_motion", "Wall motion (AHA 17)")
SEGMENTS = tuple(range(1, 18))
# The report's fields, named as in cmrnet.library.models.ReferenceReport (plus the case's category):
# segment maps are {"7": "transmural"} (LGE), {"1": "normal", ...} (wall motion); perfusion a list.
REPORT_FIELDS = tuple(f for f, *_ in NUMERIC_FIELDS) + (WALL_MOTION[0], LGE[0]) + \
    tuple(f for f, _ in SEGMENT_FIELDS) + ("valve_findings",) + tuple(f for f, _ in CHOICE_FIELDS)


@dataclass(frozen=True)
class Tolerance:
    """How far a trainee's value may be from the reference and still agree.

    ``absolute``: in the field's own unit (EF: percentage points); ``relative``: a fraction of the
    reference (0.10 = 10 %); ``max_mismatch``: segments (or wall-motion segments) that may differ.
    A numeric field with both is within when either holds.
    """

    absolute: Decimal | None = None
    relative: Decimal | None = None
    max_mismatch: int | None = None


DEFAULT_TOLERANCES: dict[str, Tolerance] = {
    **{f: Tolerance(relative=Decimal("0.10")) for f, *_ in NUMERIC_FIELDS if not f.endswith("_pct")},
    "lv_ef_pct": Tolerance(absolute=Decimal("5")),
    "rv_ef_pct": Tolerance(absolute=Decimal("5")),
    "lge": Tolerance(max_mismatch=1),
    "lge_pattern": Tolerance(max_mismatch=0),
    "perfusion_defects": Tolerance(max_mismatch=1),
    "wall_motion": Tolerance(max_mismatch=2),
}

AGREE, DIFFER, MISSING, NO_REFERENCE = "agree", "differ", "missing", "no_reference"


@dataclass(frozen=True)
class FieldResult:
    field: str
    label: str
    status: str                    # agree | differ | missing (trainee left it empty) | no_reference
    trainee: object = None
    reference: object = None
    difference: str = ""           # a short sentence: "+7 ml (+6.4 %)", "missed 3, 4; extra 9"
    tolerance: str = ""            # "± 10 %", "± 5 points", "≤ 1 segment"
    details: dict = field(default_factory=dict)

    @property
    def agrees(self) -> bool:
        return self.status == AGREE


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _fmt(number: Decimal) -> str:
    text = f"{number:+.1f}"
    return text[:-2] if text.endswith(".0") else text


def _tolerance_text(tol: Tolerance, unit: str) -> str:
    parts = []
    if tol.absolute is not None:
        parts.append(f"± {tol.absolute.normalize():f} {'points' if unit == '%' else unit}")
    if tol.relative is not None:
        parts.append(f"± {(tol.relative * 100).normalize():f} %")
    return " or ".join(parts) or "exact"


def compare_number(name: str, label: str, unit: str, trainee, reference, tol: Tolerance) -> FieldResult:
    mine, ref = _decimal(trainee), _decimal(reference)
    text = _tolerance_text(tol, unit)
    if ref is None:
        return FieldResult(name, label, NO_REFERENCE, trainee, reference, tolerance=text)
    if mine is None:
        return FieldResult(name, label, MISSING, trainee, reference, tolerance=text)
    delta = mine - ref
    ok = []
    if tol.absolute is not None:
        ok.append(abs(delta) <= tol.absolute)
    if tol.relative is not None:
        ok.append(abs(delta) <= tol.relative * abs(ref) if ref else delta == 0)
    within = any(ok) if ok else delta == 0
    difference = f"{_fmt(delta)} {'points' if unit == '%' else unit}"
    if ref and unit != "%":
        difference += f" ({_fmt(delta / abs(ref) * 100)} %)"
    return FieldResult(name, label, AGREE if within else DIFFER, trainee, reference, difference, text,
                       {"delta": str(delta)})


def _segments(value) -> set[int] | None:
    if value is None:
        return None
    found = set()
    for item in value:
        number = int(item)
        if number not in SEGMENTS:
            raise ValueError(f"segment {number} is not an AHA segment (1-17)")
        found.add(number)
    return found


def compare_segments(name: str, label: str, trainee, reference, tol: Tolerance) -> FieldResult:
    """Segment agreement: the segments named by one and not the other, against ``max_mismatch``.
    An empty list is an answer ("no segment"); ``None`` is no answer."""
    ref, mine = _segments(reference), _segments(trainee)
    limit = tol.max_mismatch or 0
    text = f"≤ {limit} segment{'s' if limit != 1 else ''} different"
    if ref is None:
        return FieldResult(name, label, NO_REFERENCE, trainee, reference, tolerance=text)
    if mine is None:
        return FieldResult(name, label, MISSING, trainee, reference, tolerance=text)
    missed, extra = sorted(ref - mine), sorted(mine - ref)
    agreeing = len(set(SEGMENTS) - (ref ^ mine))
    parts = ([f"missed {', '.join(map(str, missed))}"] if missed else []) + \
        ([f"extra {', '.join(map(str, extra))}"] if extra else [])
    status = AGREE if len(missed) + len(extra) <= limit else DIFFER
    return FieldResult(name, label, status, sorted(mine), sorted(ref), "; ".join(parts) or "same segments", text,
                       {"missed": missed, "extra": extra, "agreeing_segments": agreeing})


def compare_lge(trainee, reference, tol: Tolerance, pattern_tol: Tolerance) -> list[FieldResult]:
    """LGE as {segment: pattern}: the segments (missed, extra) against ``tol``, then the pattern in the
    segments both named against ``pattern_tol``. An empty map is an answer ("no LGE"); None is none."""
    keys = lambda m: None if m is None else list(m.keys())  # noqa: E731
    segments = compare_segments(LGE[0], LGE[1], keys(trainee), keys(reference), tol)
    name, label = LGE_PATTERN
    limit = pattern_tol.max_mismatch or 0
    text = f"≤ {limit} segment{'s' if limit != 1 else ''} different"
    if segments.status in (NO_REFERENCE, MISSING):
        return [segments, FieldResult(name, label, segments.status, tolerance=text)]
    ref = {int(k): v for k, v in reference.items()}
    mine = {int(k): v for k, v in trainee.items()}
    shared = sorted(set(ref) & set(mine))
    differing = [s for s in shared if mine[s] != ref[s]]
    words = ", ".join(f"{s}: {mine[s]} vs {ref[s]}" for s in differing)
    status = NO_REFERENCE if not shared else (AGREE if len(differing) <= limit else DIFFER)
    return [segments, FieldResult(name, label, status, {s: mine[s] for s in shared}, {s: ref[s] for s in shared},
                                  words or ("same pattern" if shared else ""), text, {"differing": differing})]


def compare_wall_motion(trainee, reference, tol: Tolerance) -> FieldResult:
    """Per-segment wall-motion grades ({segment: grade}); a segment the trainee left out counts as differing."""
    name, label = WALL_MOTION
    limit = tol.max_mismatch or 0
    text = f"≤ {limit} segment{'s' if limit != 1 else ''} different"
    if not reference:
        return FieldResult(name, label, NO_REFERENCE, trainee, reference, tolerance=text)
    if not trainee:
        return FieldResult(name, label, MISSING, trainee, reference, tolerance=text)
    ref = {int(k): v for k, v in reference.items()}
    mine = {int(k): v for k, v in trainee.items()}
    differing = sorted(s for s in ref if mine.get(s) != ref[s])
    status = AGREE if len(differing) <= limit else DIFFER
    words = ", ".join(f"{s}: {mine.get(s) or '—'} vs {ref[s]}" for s in differing)
    return FieldResult(name, label, status, mine, ref, words or "same grades", text, {"differing": differing})


def _norm(text) -> str:
    return " ".join(str(text or "").lower().split())


def compare_choice(name: str, label: str, trainee, reference) -> FieldResult:
    """Pattern, category and diagnosis: the same wording after case and spacing are ignored."""
    if not _norm(reference):
        return FieldResult(name, label, NO_REFERENCE, trainee, reference, tolerance="same")
    if not _norm(trainee):
        return FieldResult(name, label, MISSING, trainee, reference, tolerance="same")
    same = _norm(trainee) == _norm(reference)
    return FieldResult(name, label, AGREE if same else DIFFER, trainee, reference,
                       "" if same else "different", "same")


def compare_reports(trainee: dict, reference: dict, tolerances: dict[str, Tolerance] | None = None) -> list[FieldResult]:
    """Every structured field of the trainee's report against the reference, in report order."""
    tolerances = {**DEFAULT_TOLERANCES, **(tolerances or {})}
    results = [compare_number(f, label, unit, trainee.get(f), reference.get(f), tolerances.get(f, Tolerance()))
               for f, label, unit in NUMERIC_FIELDS]
    results.append(compare_wall_motion(trainee.get("wall_motion"), reference.get("wall_motion"),
                                       tolerances.get("wall_motion", Tolerance())))
    results += compare_lge(trainee.get("lge"), reference.get("lge"), tolerances.get("lge", Tolerance()),
                           tolerances.get("lge_pattern", Tolerance()))
    results += [compare_segments(f, label, trainee.get(f), reference.get(f), tolerances.get(f, Tolerance()))
                for f, label in SEGMENT_FIELDS]
    results += [compare_choice(f, label, trainee.get(f), reference.get(f)) for f, label in CHOICE_FIELDS]
    return results


def summary(results: list[FieldResult]) -> dict:
    """Counts over the fields the reference assessed: {"agree": n, "differ": n, "missing": n, "assessed": n}."""
    assessed = [r for r in results if r.status != NO_REFERENCE]
    return {"agree": sum(r.status == AGREE for r in assessed), "differ": sum(r.status == DIFFER for r in assessed),
            "missing": sum(r.status == MISSING for r in assessed), "assessed": len(assessed)}
