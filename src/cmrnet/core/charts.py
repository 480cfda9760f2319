"""Small accessible SVG charts rendered on the server: no JavaScript, no CDN.

Each chart carries a <title> and <desc> for screen readers; pages show the same numbers in a
table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from itertools import count

from django.utils.safestring import SafeString, mark_safe

_ids = count(1)


def _uid(prefix: str) -> str:
    """A fresh element id, so several charts on one page keep their labels apart."""
    return f"{prefix}{next(_ids)}"


CHAR_W = 8.0  # average width of a character at the charts' 14px font, in SVG units


def _text_w(text: str) -> float:
    return len(text) * CHAR_W


def bar_chart(rows: Sequence[tuple[str, float]], *, title: str, description: str = "",
              width: int = 560, height: int = 240, value_format: str = "{:g}", css_class: str = "chart") -> SafeString:
    """Vertical bars, one per (label, value), with the value written above each bar.

    Labels never overlap and are never cut: when the longest does not fit its slot, every label is
    written vertically under its bar and the chart grows downwards to hold it; a horizontal label
    at either end is anchored inside the chart. A value that does not fit above its bar is left to
    the bar's tooltip (and to the table every chart has beside it)."""
    pad_left, pad_right, pad_bottom, pad_top = 36, 8, 28, 20
    plot_w, plot_h = width - pad_left - pad_right, height - pad_bottom - pad_top
    top = max((v for _, v in rows), default=0) or 1
    slot = plot_w / max(len(rows), 1)
    bar_w = max(slot * 0.65, 2)
    longest = max((_text_w(str(label)) for label, _ in rows), default=0)
    vertical = longest > slot - 4
    total_h = height + (int(longest) + 6 - pad_bottom + 14 if vertical else 0)
    base = pad_top + plot_h
    tid, did = _uid("chart-t"), _uid("chart-d")
    parts = [
        f'<svg class="{css_class}" role="img" aria-labelledby="{tid} {did}" viewBox="0 0 {width} {total_h}" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{tid}">{escape(title)}</title>'
        f'<desc id="{did}">{escape(description or title)}</desc>',
        f'<line class="axis" x1="{pad_left}" y1="{base}" x2="{width - pad_right}" y2="{base}"/>',
    ]
    for i, (label, value) in enumerate(rows):
        h = plot_h * (value / top)
        x = pad_left + i * slot + (slot - bar_w) / 2
        cx, y = x + bar_w / 2, base - h
        shown = value_format.format(value)
        value_text = (f'<text class="value" x="{cx:.1f}" y="{y - 4:.1f}" text-anchor="middle">{escape(shown)}</text>'
                      if _text_w(shown) <= slot + 2 else "")
        parts.append(
            f'<g class="bar"><rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}">'
            f'<title>{escape(str(label))}: {escape(shown)}</title></rect>{value_text}{_label(str(label), cx, base, width, vertical)}</g>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _label(label: str, cx: float, base: float, width: int, vertical: bool) -> str:
    if vertical:
        ly = base + 8
        return (f'<text class="label" x="{cx + 5:.1f}" y="{ly:.1f}" text-anchor="end" '
                f'transform="rotate(-90 {cx + 5:.1f} {ly:.1f})">{escape(label)}</text>')
    half = _text_w(label) / 2
    anchor, x = "middle", cx
    if cx + half > width - 2:
        anchor, x = "end", width - 2
    elif cx - half < 2:
        anchor, x = "start", 2
    return f'<text class="label" x="{x:.1f}" y="{base + 20:.1f}" text-anchor="{anchor}">{escape(label)}</text>'


def share_bar(parts: Sequence[tuple[str, float]], *, title: str, width: int = 560, height: int = 40) -> SafeString:
    """One horizontal bar split into shares (e.g. small / medium / large), each labelled inside
    its segment when it is wide enough; the page's caption gives every number in words."""
    total = sum(v for _, v in parts) or 1
    x = 0.0
    tid = _uid("share-t")
    out = [
        f'<svg class="chart share" role="img" aria-labelledby="{tid}" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title id="{tid}">{escape(title)}</title>'
    ]
    for i, (label, value) in enumerate(parts):
        w = width * value / total
        if w > 0:
            text = f"{escape(label)}: {value:g}"
            fits = w >= 11 * len(text)
            out.append(
                f'<g class="share-{i}"><rect x="{x:.1f}" y="0" width="{w:.1f}" height="{height}"><title>{text}</title></rect>'
                + (f'<text x="{x + 6:.1f}" y="{height / 2 + 7:.1f}">{text}</text>' if fits else "") + "</g>"
            )
        x += w
    out.append("</svg>")
    return mark_safe("".join(out))
