"""What the viewer loads for a case: every visible series as a stack of slices, each slice its cardiac
phases in time order, each phase the URL of one raw frame (library's frame endpoint, docs/case-library.md)
and its key ("<image id>:<frame>") for the series' batch endpoint (``frames_url``).

``stack`` is pure (dicts in, dicts out) and tested without a database."""

from __future__ import annotations

from statistics import median

from django.urls import reverse


def _normal(orientation) -> tuple[float, float, float] | None:
    if not orientation or len(orientation) != 6:
        return None
    r, c = orientation[:3], orientation[3:]
    return (r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0])


def slice_position(instance: dict) -> float | None:
    """Where the image lies along the stack: ImagePositionPatient on the slice normal, else SliceLocation."""
    normal = _normal(instance.get("image_orientation"))
    position = instance.get("image_position")
    if normal and position and len(position) == 3:
        return sum(p * n for p, n in zip(position, normal))
    return instance.get("slice_location")


def stack(instances: list[dict]) -> list[dict]:
    """Group frames into slices (same position within 0.01 mm) ordered by position; phases by trigger
    time, then instance number. Instances without any position are one slice each, in instance order.
    Each instance dict has "frames" (URLs), "trigger_time_ms", "instance_number" and position fields."""
    groups: dict[object, list[dict]] = {}
    for index, inst in enumerate(instances):
        pos = slice_position(inst)
        key = round(pos, 2) if pos is not None else ("n", inst.get("instance_number") or 0, index)
        groups.setdefault(key, []).append(inst)

    def order(key):
        return (0, key, 0) if not isinstance(key, tuple) else (1, key[1], key[2])

    slices = []
    for key in sorted(groups, key=order):
        members = sorted(groups[key], key=lambda i: (i.get("trigger_time_ms") is None, i.get("trigger_time_ms") or 0,
                                                     i.get("instance_number") or 0))
        slices.append({"position": None if isinstance(key, tuple) else key,
                       "frames": [url for inst in members for url in inst["frames"]],
                       "keys": [k for inst in members for k in inst.get("keys", [])]})
    return slices


def slice_distance(slices: list[dict], spacing_between: float | None, thickness: float | None) -> float:
    """Centre-to-centre distance of the slices: the measured positions, else SpacingBetweenSlices,
    else SliceThickness, else 1 mm."""
    positions = [s["position"] for s in slices if s["position"] is not None]
    steps = [abs(b - a) for a, b in zip(positions, positions[1:]) if abs(b - a) > 0]
    if steps:
        return round(median(steps), 3)
    return spacing_between or thickness or 1.0


def _frame_url(instance_id: int, n: int, *, template: list[str] = []) -> str:  # noqa: B006 (a cache)
    if not template:
        template.append(reverse("library-frame", args=[123456789, 987654321]))
    return template[0].replace("123456789", str(instance_id)).replace("987654321", str(n))


INSTANCE_FIELDS = ("pk", "series_id", "number_of_frames", "trigger_time_ms", "instance_number", "image_position",
                   "image_orientation", "slice_location", "rows", "columns", "window_center", "window_width",
                   "rescale_slope", "rescale_intercept", "bits_allocated", "pixel_representation",
                   "photometric_interpretation")


def series_entry(series, instances: list[dict]) -> dict | None:
    rows = [{**i, "frames": [_frame_url(i["pk"], n) for n in range(1, i["number_of_frames"] + 1)],
             "keys": [f"{i['pk']}:{n}" for n in range(1, i["number_of_frames"] + 1)]} for i in instances]
    if not rows:
        return None
    first = instances[0]
    slices = stack(rows)
    label = " ".join(x for x in (f"#{series.series_number}" if series.series_number is not None else "",
                                 series.description or series.get_kind_display()) if x)
    spacing = series.pixel_spacing_mm or [1.0, 1.0]
    return {
        "id": series.pk, "label": label,
        # many frames in one request: GET frames_url?f=<key>,<key>... (docs/case-library.md, "Frame endpoint contract")
        "frames_url": reverse("library-series-frames", args=[series.pk]), "kind": series.kind, "modality": series.modality,
        "rows": first["rows"], "columns": first["columns"], "pixel_spacing": [float(spacing[0]), float(spacing[1])],
        "pixel_spacing_known": bool(series.pixel_spacing_mm),
        "slice_distance_mm": slice_distance(slices, series.spacing_between_slices_mm, series.slice_thickness_mm),
        "frame_time_ms": series.frame_time_ms,
        "window_center": first["window_center"], "window_width": first["window_width"],
        "rescale_slope": first["rescale_slope"] or 1.0, "rescale_intercept": first["rescale_intercept"] or 0.0,
        "bits_allocated": first["bits_allocated"], "pixel_representation": first["pixel_representation"],
        "photometric": first["photometric_interpretation"],
        "slices": slices,
    }


def case_manifest(user, case) -> dict:
    """Every series of the case with its visible instances (cleared or released from quarantine), for a
    user the library's selector lets open the case (404 otherwise). One query per table, no per-row
    permission subquery: the case is checked once."""
    from cmrnet.library import selectors as library
    from cmrnet.library.models import VISIBLE_QUARANTINE, Instance, Series

    case = library.get_case_for_user(user, case.pk)
    by_series: dict[int, list[dict]] = {}
    instances = Instance.objects.filter(series__study__case=case, quarantine_status__in=VISIBLE_QUARANTINE,
                                        samples_per_pixel=1).order_by("instance_number", "pk").values(*INSTANCE_FIELDS)
    for inst in instances:
        by_series.setdefault(inst["series_id"], []).append(inst)
    series = Series.objects.filter(study__case=case).order_by("study__study_date", "study__pk", "series_number", "pk")
    entries = [series_entry(s, by_series.get(s.pk, [])) for s in series]
    return {"case": {"id": case.pk, "pseudonym": case.pseudonym}, "series": [e for e in entries if e]}
