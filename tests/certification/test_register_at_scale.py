"""The public register read one page at a time: search, sort and paging in the database."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cmrnet.certification import selectors
from tests.scale_data import many_certificates

pytestmark = pytest.mark.django_db

NAME = re.compile(r"<tr><td>(Holder [^<]+)</td><td>([A-Z]*)</td>")


def test_the_register_pages_fifty_at_a_time_in_name_order():
    many_certificates(120, today=timezone.localdate())
    html = Client().get("/certification/register/").content.decode()
    names = [n for n, _ in NAME.findall(html)]
    assert len(names) == 50 and names == sorted(names) and "1–50 of 120 certificates" in html
    last = Client().get("/certification/register/?page=3").content.decode()
    assert len(NAME.findall(last)) == 20


def test_sorting_by_validity_and_filtering_by_country_with_the_centre_as_fallback(centre):
    today = timezone.localdate()
    many_certificates(60, today=today)
    html = Client().get("/certification/register/?sort=-valid_until").content.decode()
    dates = re.findall(r"<td>(\d{4}-\d{2}-\d{2})</td><td>(?:Active|Expired|Revoked)</td>", html)
    assert dates == sorted(dates, reverse=True) and len(dates) == 50
    # holders without a registration country take their centre's; here none has a centre, so "" and no match
    fr = Client().get("/certification/register/?country=fr").content.decode()
    assert {c for _, c in NAME.findall(fr)} == {"FR"}
    from cmrnet.people.models import User

    User.objects.filter(registration_country="").update(centre=centre)
    de = [c for _, c in NAME.findall(Client().get(f"/certification/register/?country={centre.country}").content.decode())]
    assert de and set(de) == {centre.country}
    assert len(de) == sum(1 for e in selectors.public_register(today=today) if e.country == centre.country)


def test_the_name_search_runs_in_the_database_and_keeps_the_filter_in_page_links():
    many_certificates(130, today=timezone.localdate())
    html = Client().get("/certification/register/?name=holder+reg+0001").content.decode()
    # every word must appear: "0001" is in 00001 and in 00010-00019
    assert sorted(n for n, _ in NAME.findall(html)) == [f"Holder reg {i:05d}" for i in (1, *range(10, 20))]
    html = Client().get("/certification/register/?level=3").content.decode()
    assert "level=3&amp;page=2" in html or "page=2&amp;level=3" in html


def test_the_register_query_count_does_not_grow_with_certificates(django_assert_max_num_queries):
    today = timezone.localdate()
    many_certificates(10, today=today, prefix="a")
    with CaptureQueriesContext(connection) as ctx:
        Client().get("/certification/register/")
    small = len(ctx.captured_queries)
    many_certificates(600, today=today, prefix="b")
    with django_assert_max_num_queries(small):
        assert Client().get("/certification/register/?sort=country&page=4").status_code == 200
