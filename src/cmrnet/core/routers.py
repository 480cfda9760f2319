"""API routers whose detail routes take a numeric id only.

Every model of the API is looked up by its integer primary key. DRF's routers accept any text as the id
(`[^/.]+`), which leaves each view to turn `abc` into an integer; a view that looks the object up through
a selector of its own once answered `/api/v1/logbook/cases/abc/` with a 500. With these routers such a
URL does not match at all (404), whatever the view does, and an id longer than 18 digits (beyond a
64-bit integer) is not a route either.
"""

from rest_framework import routers

NUMERIC_ID = r"[0-9]{1,18}"


class _NumericLookup:
    def get_lookup_regex(self, viewset, lookup_prefix=""):
        kwarg = getattr(viewset, "lookup_url_kwarg", None) or getattr(viewset, "lookup_field", "pk")
        value = getattr(viewset, "lookup_value_regex", NUMERIC_ID)
        return f"(?P<{lookup_prefix}{kwarg}>{value})"


class DefaultRouter(_NumericLookup, routers.DefaultRouter):
    pass


class SimpleRouter(_NumericLookup, routers.SimpleRouter):
    pass
