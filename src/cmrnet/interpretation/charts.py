"""The Bland-Altman plot as an accessible server-side SVG (no script), numbers in a table beside it."""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe

from cmrnet.core.charts import _uid
from cmrnet.interpretation.agreement import BlandAltman


def bland_altman_svg(result: BlandAltman, *, title: str, unit: str, width: int = 460, height: int = 260) -> SafeString:
    pad_l, pad_r, pad_t, pad_b = 40, 118, 14, 34
    pw, ph = width - pad_l - pad_r, height - pad_t - pad_b
    xs = [m for m, _ in result.points]
    ys = [d for _, d in result.points] + [result.bias] + [v for v in (result.lower, result.upper) if v is not None]
    x0, x1 = min(xs), max(xs)
    if x1 - x0 < 1e-9:
        x0, x1 = x0 - 1, x1 + 1
    span = max(abs(v) for v in ys) or 1
    y0, y1 = -span * 1.15, span * 1.15
    X = lambda v: pad_l + (v - x0) / (x1 - x0) * pw  # noqa: E731
    Y = lambda v: pad_t + (y1 - v) / (y1 - y0) * ph  # noqa: E731
    tid, did = _uid("ba-t"), _uid("ba-d")
    limits = (f"limits of agreement {result.lower:.1f} to {result.upper:.1f} {unit}" if result.lower is not None
              else "no limits with a single reading")
    desc = f"{result.n} readings; bias {result.bias:+.1f} {unit}; {limits}"
    parts = [f'<svg class="chart bland-altman" role="img" aria-labelledby="{tid} {did}" viewBox="0 0 {width} {height}" '
             f'xmlns="http://www.w3.org/2000/svg"><title id="{tid}">{escape(title)}</title><desc id="{did}">{escape(desc)}</desc>',
             f'<line class="axis" x1="{pad_l}" y1="{Y(0):.1f}" x2="{pad_l + pw}" y2="{Y(0):.1f}"/>',
             f'<line class="axis" x1="{pad_l}" y1="{pad_t}" x2="{pad_l}" y2="{pad_t + ph}"/>']
    for value, css, label in ((result.bias, "bias", f"bias {result.bias:+.1f}"),
                              (result.upper, "loa", f"+1.96 SD {result.upper:+.1f}" if result.upper is not None else ""),
                              (result.lower, "loa", f"−1.96 SD {result.lower:+.1f}" if result.lower is not None else "")):
        if value is None:
            continue
        parts.append(f'<line class="{css}" x1="{pad_l}" y1="{Y(value):.1f}" x2="{pad_l + pw}" y2="{Y(value):.1f}"/>'
                     f'<text class="label" x="{pad_l + pw + 4}" y="{Y(value) + 4:.1f}">{escape(label)}</text>')
    for m, d in result.points:
        parts.append(f'<circle class="point" cx="{X(m):.1f}" cy="{Y(d):.1f}" r="4"/>')
    parts.append(f'<text class="label" x="{pad_l + pw / 2:.0f}" y="{height - 6}" text-anchor="middle">'
                 f'mean of trainee and reference ({escape(unit)})</text>'
                 f'<text class="label" x="{pad_l + 4}" y="{pad_t + 10}">{escape("trainee − reference")}</text>'
                 f'<text class="label" x="{pad_l}" y="{height - 20}">{x0:.0f}</text>'
                 f'<text class="label" x="{pad_l + pw}" y="{height - 20}" text-anchor="end">{x1:.0f}</text></svg>')
    return mark_safe("".join(parts))
