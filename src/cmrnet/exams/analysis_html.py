"""HTML fragments of the item analysis page built in Python: the per-option figures and the re-key choice of
every item row. As template loops they were ~4,500 template variables for 100 items (most of the page's
time); here they are a join per row. Every value that is not a number we formatted is escaped."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from cmrnet.core.display import fixed, stat


def options_cell(options: dict) -> SafeString:
    """One line per option: the letter (bold for the key), its count, proportion and rest correlation."""
    parts = []
    for letter, o in options.items():
        label = f"<strong>{escape(letter)}</strong>" if o.get("key") else escape(letter)
        parts.append(f"<div>{label}: {escape(o.get('count'))} ({escape(fixed(o.get('proportion'), 2))}, "
                     f"{escape(stat(o.get('r_rest')))})</div>")
    return mark_safe("".join(parts))


def key_options(suggested: str | None) -> SafeString:
    """The <option>s of the new-key choice: none, then A-E with the suggested key selected."""
    return mark_safe("<option value=\"\">–</option>" + "".join(
        f"<option value=\"{letter}\"{' selected' if letter == suggested else ''}>{letter}</option>"
        for letter in "ABCDE"))
