"""PURE PYTHON: LV volume by disc summation (the modified Simpson's rule on a short-axis stack).

Each short-axis slice contributes the area inside its endocardial contour times the slice
distance (centre to centre: SpacingBetweenSlices, else the distance between ImagePositionPatient
along the slice normal, else SliceThickness). Contours are polygons in pixel coordinates; areas go
to mm² with the pixel spacing (row, column) and volumes to ml (1 ml = 1000 mm³).
The viewer computes the same in JavaScript (static/library/viewer/measure.js); the tests run both on
the same contours.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def polygon_area_px(points: Sequence[tuple[float, float]]) -> float:
    """Area of a simple polygon (x, y) by the shoelace formula, in pixels²; fewer than 3 points = 0."""
    if len(points) < 3:
        return 0.0
    total = 0.0
    for (x1, y1), (x2, y2) in zip(points, [*points[1:], points[0]]):
        total += x1 * y2 - x2 * y1
    return abs(total) / 2


def polygon_area_mm2(points: Sequence[tuple[float, float]], pixel_spacing: tuple[float, float]) -> float:
    """``pixel_spacing`` as DICOM gives it: (row spacing = mm per y step, column spacing = mm per x step)."""
    row, col = pixel_spacing
    return polygon_area_px(points) * row * col


def disc_volume_ml(areas_mm2: Iterable[float], slice_distance_mm: float) -> float:
    """Sum of area x distance over the slices, in ml."""
    if slice_distance_mm <= 0:
        raise ValueError("the slice distance must be positive")
    return sum(areas_mm2) * slice_distance_mm / 1000


def ejection_fraction(edv_ml: float, esv_ml: float) -> float:
    """EF in percent; ValueError for a non-positive EDV or an ESV above it."""
    if edv_ml <= 0 or esv_ml < 0 or esv_ml > edv_ml:
        raise ValueError(f"EDV {edv_ml} and ESV {esv_ml} do not make an ejection fraction")
    return (edv_ml - esv_ml) / edv_ml * 100
