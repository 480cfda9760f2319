"""Finding 11: every API detail route answers 404, never a 500, to an id that is not a number.

The routes are read from the URLconf, so a router or route added later is covered without editing
this file. `/api/v1/logbook/cases/abc/` once reached the database as `int('abc')` and answered 500.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")
CONVERTER = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>")


def api_routes(patterns=None, prefix=""):
    """(route text, view name) of every API route that takes an id in its path."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        text = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
        if isinstance(pattern, URLResolver):
            yield from api_routes(pattern.url_patterns, text)
        elif isinstance(pattern, URLPattern) and text.startswith("api/v1/") and "<format>" not in text \
                and "(?P<format>" not in text and (GROUP.search(text) or CONVERTER.search(text)):
            yield text, pattern.name


def url_with(text: str, value: str) -> str:
    text = GROUP.sub(value, text)
    return "/" + CONVERTER.sub(lambda m: value if m["conv"] in (None, "int", "str", "slug", "path") else value, text)


ID_ROUTES = sorted({text for text, name in api_routes() if re.search(r"<pk>|\(\?P<pk>", text)})


def test_the_api_has_detail_routes_to_check():
    assert "api/v1/logbook/cases/(?P<pk>[0-9]{1,18})/" in ID_ROUTES
    assert len(ID_ROUTES) >= 20


@pytest.mark.parametrize("value", ["abc", "-1", "9" * 25])
def test_detail_routes_answer_404_to_an_id_that_is_not_a_number(client_for, admin, trainee, value):
    for person in (admin, trainee):
        client = client_for(person)
        for text in ID_ROUTES:
            url = url_with(text, value)
            for method in ("get", "put", "patch", "delete", "post"):
                response = getattr(client, method)(url, content_type="application/json")
                assert response.status_code == 404, (person.email, method, url, response.status_code)


def test_a_numeric_id_still_reaches_the_view(client_for, trainee, mentor):
    import datetime as dt

    from cmrnet.logbook import services
    from tests.logbook.factories import case_input, supervise

    today = dt.date(2026, 6, 1)
    supervise(trainee, mentor, today=today)
    case = services.add_case(by=trainee, trainee=trainee, data=case_input(mentor, day=today))
    response = client_for(trainee).get(f"/api/v1/logbook/cases/{case.pk}/")
    assert response.status_code == 200 and response.json()["id"] == case.pk
    assert client_for(trainee).get(f"/api/v1/logbook/cases/{case.pk + 1000}/").status_code == 404


def test_other_path_values_of_the_api_never_give_a_server_error(client_for, admin):
    client = client_for(admin)
    for text in sorted({text for text, name in api_routes()} - set(ID_ROUTES)):
        for value in ("abc", "9" * 25, "%00", "..%2F"):
            response = client.get(url_with(text, value))
            assert response.status_code < 500, (text, value, response.status_code)
