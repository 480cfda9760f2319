"""Country choices for forms: the ISO 3166 list of django-countries, shown by name, stored as the code."""

from __future__ import annotations

from django import forms


def country_choices(blank: str | None = None) -> list[tuple[str, str]]:
    from django_countries import countries

    choices = [(code, name) for code, name in countries]
    return ([("", blank)] if blank is not None else []) + choices


def country_name(code: str) -> str:
    from django_countries import countries

    return countries.name(code) or code if code else ""


class CountryField(forms.ChoiceField):
    """A select of countries by name; the cleaned value is the ISO code (e.g. "DE")."""

    def __init__(self, *, required: bool = True, blank: str = "choose a country", **kwargs):
        super().__init__(choices=lambda: country_choices(blank), required=required, **kwargs)

    def to_python(self, value):
        return super().to_python(value).strip().upper()

    def valid_value(self, value):
        return super().valid_value(value.upper() if isinstance(value, str) else value)
