"""How numbers, durations, dates and internal names are shown to people: one rule each, used by every
page (template filters in core/templatetags/cmrnet.py) and by e-mails and PDFs."""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

DATE_FORMAT = "Y-m-d"  # ISO 8601, as typed in every date field (cmrnet.core.widgets.DayInput) and in imports
DATE_INPUT_HINT = "as your browser shows it; stored as a calendar day"

FLAG_LABELS = {
    "too_easy": "too easy (almost everyone answers correctly)",
    "too_hard": "too hard (few answer correctly)",
    "no_variance": "no variation (everyone answers alike)",
    "weak_discrimination": "weak discrimination (barely separates strong from weak candidates)",
    "negative_discrimination": "negative discrimination (weaker candidates do better: check the key)",
    "possible_miskey": "possible wrong key (a distractor attracts the strong candidates)",
    "many_defect_flags": "reported as defective by several candidates",
}


def stat(value, places: int = 2, max_places: int = 4) -> str:
    """A statistic (a correlation, a proportion) to `places` decimals, with its sign kept: a value that
    rounds to zero is shown with as many decimals as it takes to see it (−0.004, not 0.00), up to
    `max_places`; beyond that it is a signed zero (−0.0000)."""
    if value is None:
        return "–"
    v = float(value)
    if math.isnan(v):
        return "–"
    for digits in range(places, max_places + 1):
        text = f"{v:.{digits}f}"
        if float(text) != 0 or v == 0:
            return text.replace("-", "−")
    return f"{v:.{max_places}f}".replace("-", "−")


def flag_label(name: str) -> str:
    return FLAG_LABELS.get(name, name.replace("_", " "))


def duration(seconds) -> str:
    """Seconds as h:mm:ss or m:ss ("59:49", "1:02:03"); "–" for none; negatives clamp to 0:00."""
    if seconds is None:
        return "–"
    total = max(0, int(round(float(seconds))))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def operational_pass_mark(cut) -> int | None:
    """The pass mark a candidate must reach, in whole items: the exact cut rounded UP, with the same
    tolerance as the scoring (pass when total >= cut - 1e-9), so page and verdict never disagree
    (10.925 -> 11, 11.0 -> 11, 10.0000000001 -> 10)."""
    if cut is None:
        return None
    return int(math.ceil(float(cut) - 1e-9))


def exact_cut(cut) -> str:
    """The exact cut for display beside the pass mark: 2 decimals, half up (10.925 -> 10.93)."""
    if cut is None:
        return "–"
    return str(Decimal(str(cut)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def pass_mark(cut, max_score=None) -> str:
    """"11 of 20 items (exact cut 10.93)": the one way a pass mark is written everywhere."""
    if cut is None:
        return "not set"
    mark = operational_pass_mark(cut)
    of = f" of {int(max_score) if float(max_score) == int(max_score) else max_score}" if max_score is not None else ""
    if abs(float(cut) - mark) < 1e-9:
        return f"{mark}{of} items"
    return f"{mark}{of} items (exact cut {exact_cut(cut)})"


DAY = "%Y-%m-%d"            # the same day format for Python text (e-mails, PDFs, messages)
MOMENT = "%Y-%m-%d %H:%M"   # a moment, on a stated clock


def moment(value: dt.datetime, zone=None, *, with_zone: bool = True) -> str:
    """A moment as e-mails, PDFs and messages state it: '2026-11-07 11:00 CET' on `zone` (the site's
    time zone when None); '–' for none."""
    from django.utils import timezone

    if value is None:
        return "–"
    local = value.astimezone(zone) if zone is not None else timezone.localtime(value)
    return f"{local:{MOMENT}} {local:%Z}" if with_zone else f"{local:{MOMENT}}"


def day(value) -> str:
    """A calendar day as every page, e-mail and PDF shows it (2026-03-03, ISO 8601); '–' for none."""
    from django.utils.dateformat import format as date_format

    if value is None or value == "":
        return "–"
    if isinstance(value, dt.datetime):
        value = value.date()
    return date_format(value, DATE_FORMAT)


def fixed(value, places: int = 2) -> str:
    """Django's `floatformat:places` (places >= 0) for numbers, without its localisation machinery: the same
    text (half up from the shortest repr, no sign on a zero, "" for what is not a number, nan/inf as
    Python writes them) at a fiftieth of the cost (about 90 µs a call there, which made the item analysis
    page spend 60 ms in this filter). No thousands separator: the site does not use one."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else fixed(int(value), places)
    try:
        d = Decimal(repr(value) if isinstance(value, float) else str(value))
    except ArithmeticError:
        return ""
    if not d.is_finite():
        return repr(float(value)) if isinstance(value, float) else ""
    rounded = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    if not rounded:
        rounded = abs(rounded)
    return f"{rounded:f}"
