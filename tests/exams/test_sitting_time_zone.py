"""Finding 11: exam messages state times on the sitting's clock (with its zone), never in UTC."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from cmrnet.exams import services
from cmrnet.exams.models import Sitting
from tests.exams import factories
from tests.exams.factories import T0  # 2026-11-07 10:00 UTC

pytestmark = pytest.mark.django_db


def test_the_start_window_message_uses_the_site_zone_by_default(board_member, sitting, trainee):
    services.register_candidate(by=board_member, sitting=sitting, candidate=trainee)
    with pytest.raises(ValidationError) as error:
        services.start_attempt(candidate=trainee, sitting=sitting, now=T0 - dt.timedelta(hours=1))
    assert "(2026-11-07 11:00 CET to 14:00 CET)" in str(error.value)  # Europe/Paris, not 10:00 UTC


def test_the_start_window_message_uses_the_sittings_own_zone(board_member, form5, trainee):
    sitting = factories.sitting_for(board_member, form5, time_zone="America/New_York")
    services.register_candidate(by=board_member, sitting=sitting, candidate=trainee)
    with pytest.raises(ValidationError) as error:
        services.start_attempt(candidate=trainee, sitting=sitting, now=T0 - dt.timedelta(hours=1))
    assert "(2026-11-07 05:00 EST to 08:00 EST)" in str(error.value)


def test_the_closed_message_states_the_deadline_on_the_sittings_clock(board_member, form5, trainee):
    sitting = factories.sitting_for(board_member, form5, time_zone="Asia/Tokyo", duration=60)
    services.register_candidate(by=board_member, sitting=sitting, candidate=trainee)
    attempt = services.start_attempt(candidate=trainee, sitting=sitting, now=T0)
    with pytest.raises(services.AttemptClosed) as error:
        services.save_answer(attempt=attempt, now=T0 + dt.timedelta(minutes=61), form_item_id=attempt.item_order[0],
                             choice="A")
    assert str(error.value).startswith("The exam was closed at 20:00:00 JST;")


def test_the_slot_message_uses_the_sittings_zone(board_member, form5):
    sitting = factories.sitting_for(board_member, form5, time_zone="Europe/London")
    with pytest.raises(ValidationError) as error:
        services.add_slot(by=board_member, sitting=sitting, starts_at=T0 - dt.timedelta(hours=2), capacity=5)
    assert "(10:00 GMT to 13:00 GMT)" in str(error.value)


def test_the_board_enters_the_window_on_the_sittings_clock(board_member, form5, client_for):
    response = client_for(board_member).post(f"/exams/forms/{form5.pk}/schedule/", {
        "title": "Autumn sitting", "start_opens": "2026-11-07T11:00", "start_closes": "2026-11-07T14:00",
        "duration_minutes": 180, "time_zone": "America/New_York"})
    assert response.status_code == 302, response.content.decode()[-2000:]
    sitting = Sitting.objects.get(title="Autumn sitting")
    assert sitting.start_opens == dt.datetime(2026, 11, 7, 16, 0, tzinfo=dt.timezone.utc)
    assert sitting.exam_date == dt.date(2026, 11, 7)
    page = client_for(board_member).get(f"/exams/sittings/{sitting.pk}/manage/").content.decode()
    assert "2026-11-07 11:00 – 2026-11-07 14:00 EST (America/New_York)" in page


def test_an_unknown_time_zone_is_refused(board_member, form5, client_for):
    response = client_for(board_member).post(f"/exams/forms/{form5.pk}/schedule/", {
        "title": "Bad zone", "start_opens": "2026-11-07T11:00", "start_closes": "2026-11-07T14:00",
        "duration_minutes": 180, "time_zone": "Mars/Olympus"})
    assert response.status_code == 200
    assert "is not a time zone" in response.content.decode()
    assert not Sitting.objects.filter(title="Bad zone").exists()
