"""Issue 13 (follow-up of issue 8): the board home page, the candidate's dashboard panel and the board's
start-time input state sitting times on the sitting's own clock, with its abbreviation."""

import datetime as dt

import pytest

from cmrnet.exams import services
from tests.exams import factories

pytestmark = pytest.mark.django_db

OPENS = dt.datetime(2026, 11, 7, 14, 0, tzinfo=dt.timezone.utc)   # 09:00 EST in New York, 15:00 CET in Paris


@pytest.fixture
def new_york(board_member, form5):
    return factories.sitting_for(board_member, form5, opens=OPENS, hours=2, time_zone="America/New_York")


def test_the_board_home_page_shows_the_sittings_clock(client_for, board_member, new_york):
    page = client_for(board_member).get("/exams/board/").content.decode()
    assert "2026-11-07 09:00–11:00 EST" in page
    assert "2026-11-07 15:00" not in page                        # not the site's clock (Europe/Paris)


def test_the_candidate_panel_shows_the_sittings_clock(client_for, board_member, new_york, trainee):
    services.register_candidate(by=board_member, sitting=new_york, candidate=trainee)
    page = client_for(trainee).get("/").content.decode()
    assert "starts 2026-11-07 09:00 EST" in page


def test_a_sitting_on_the_site_clock_is_shown_on_it(client_for, board_member, sitting):
    page = client_for(board_member).get("/exams/board/").content.decode()
    assert "2026-11-07 11:00–14:00 CET" in page                  # factories.T0 = 10:00 UTC


def test_the_start_time_input_names_the_zone_and_is_read_on_it(client_for, board_member, new_york):
    c = client_for(board_member)
    page = c.get(f"/exams/sittings/{new_york.pk}/manage/").content.decode()
    assert "Start time (America/New_York, EST)" in page
    assert 'value="2026-11-07T09:00"' in page                    # the default: the window's opening, local
    assert c.post(f"/exams/sittings/{new_york.pk}/slots/", {"starts_at": "2026-11-07T09:30", "capacity": "5"}).status_code == 302
    slot = new_york.slots.get()
    assert slot.starts_at == dt.datetime(2026, 11, 7, 14, 30, tzinfo=dt.timezone.utc)


def test_the_sitting_form_says_its_times_are_on_the_sittings_clock(client_for, board_member, form5):
    page = client_for(board_member).get(f"/exams/forms/{form5.pk}/schedule/").content.decode()
    assert page.count("(sitting&#x27;s time zone)") == 2 or page.count("(sitting's time zone)") == 2
