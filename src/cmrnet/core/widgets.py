"""Form widgets shared by every app."""

from django import forms


class DayInput(forms.DateInput):
    """A day typed as YYYY-MM-DD: the format every page shows dates in. (A native date picker shows the
    browser's own format, 03/14/2026 or 14.03.2026, beside pages that say 2026-03-14.)"""

    input_type = "text"

    def __init__(self, attrs=None):
        base = {"placeholder": "YYYY-MM-DD", "pattern": r"\d{4}-\d{2}-\d{2}", "inputmode": "numeric",
                "autocomplete": "off", "size": "10", "maxlength": "10", "title": "a day as YYYY-MM-DD, e.g. 2026-03-14"}
        super().__init__(attrs={**base, **(attrs or {})}, format="%Y-%m-%d")
