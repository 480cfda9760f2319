"""Candidates register themselves in the window, as qualified physicians with a current registration, in a
start time with places left; the board registers anyone else with a reason. Every registration goes
through `register_candidate`."""

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from cmrnet.audit.models import AuditEntry
from cmrnet.exams import services
from cmrnet.exams.models import Registration
from cmrnet.people.services import update_profile
from tests.exams import factories

pytestmark = pytest.mark.django_db

T0 = factories.T0  # 2026-11-07 10:00 UTC: the exam day 2026-11-07
OPEN_DAY = dt.date(2026, 8, 7)


def physician(person, valid=dt.date(2030, 1, 1)):
    return update_profile(by=person, person=person, registration_country="DE", registration_number="DE-9",
                          registration_valid_until=valid)


@pytest.fixture
def open_sitting(board_member, sitting):
    return services.set_registration_settings(by=board_member, sitting=sitting, self_registration=True,
                                              registration_opens_on=None, registration_closes_on=None)


@pytest.fixture
def slot(board_member, open_sitting):
    return services.add_slot(by=board_member, sitting=open_sitting, starts_at=T0, capacity=2)


def test_a_candidate_registers_on_the_day_the_window_opens_through_register_candidate(open_sitting, slot, trainee):
    physician(trainee)
    with mock.patch("cmrnet.exams.services.registration.register_candidate",
                    wraps=services.register_candidate) as one_place:
        reg = services.register_self(candidate=trainee, sitting=open_sitting, slot=slot, physician_declared=True,
                                     today=OPEN_DAY)
    assert one_place.call_count == 1
    assert (reg.slot, reg.self_registered, reg.reason) == (slot, True, "")
    entry = AuditEntry.objects.get(action="sitting.candidate_registered")
    assert entry.actor == trainee and entry.data["self_registered"] is True and entry.data["slot_id"] == slot.pk


def test_the_day_before_the_window_opens_is_refused(open_sitting, slot, trainee):
    physician(trainee)
    with pytest.raises(ValidationError, match="opens on 2026-08-07"):
        services.register_self(candidate=trainee, sitting=open_sitting, slot=slot, physician_declared=True,
                               today=OPEN_DAY - dt.timedelta(days=1))
    assert not Registration.objects.exists()


def test_the_window_settings_per_sitting_move_the_days(board_member, open_sitting, slot, trainee):
    physician(trainee)
    services.set_registration_settings(by=board_member, sitting=open_sitting, self_registration=True,
                                       registration_opens_on=dt.date(2026, 9, 1),
                                       registration_closes_on=dt.date(2026, 10, 31))
    with pytest.raises(ValidationError, match="opens on 2026-09-01"):
        services.register_self(candidate=trainee, sitting=open_sitting, slot=slot, physician_declared=True,
                               today=dt.date(2026, 8, 31))
    with pytest.raises(ValidationError, match="closed on 2026-10-31"):
        services.register_self(candidate=trainee, sitting=open_sitting, slot=slot, physician_declared=True,
                               today=dt.date(2026, 11, 1))
    assert services.register_self(candidate=trainee, sitting=open_sitting, slot=slot, physician_declared=True,
                                  today=dt.date(2026, 10, 31))
    entry = AuditEntry.objects.get(action="sitting.registration_settings_changed", changes__has_key="registration_opens_on")
    assert entry.changes["registration_opens_on"] == [None, "2026-09-01"]


def test_settings_that_close_after_the_exam_or_before_opening_are_refused(board_member, open_sitting):
    with pytest.raises(ValidationError) as exc:
        services.set_registration_settings(by=board_member, sitting=open_sitting, self_registration=True,
                                           registration_opens_on=None, registration_closes_on=dt.date(2026, 11, 7))
    assert "registration_closes_on" in exc.value.message_dict
    with pytest.raises(ValidationError, match="on or after it opens"):
        services.set_registration_settings(by=board_member, sitting=open_sitting, self_registration=True,
                                           registration_opens_on=dt.date(2026, 10, 1),
                                           registration_closes_on=dt.date(2026, 9, 30))


@pytest.mark.parametrize(("profile", "declared", "message"), [
    ({}, True, "Record your medical registration"),
    ({"valid": dt.date(2026, 11, 6)}, True, "valid until 2026-11-06, before the exam"),
    ({"valid": dt.date(2026, 11, 7)}, False, "qualified physicians"),
])
def test_only_qualified_physicians_with_a_current_registration(open_sitting, slot, trainee, profile, declared, message):
    if profile:
        physician(trainee, valid=profile["valid"])
    with pytest.raises(ValidationError, match=message):
        services.register_self(candidate=trainee, sitting=open_sitting, slot=slot, physician_declared=declared,
                               today=OPEN_DAY)


def test_a_start_time_exactly_full_refuses_the_next_candidate(open_sitting, slot, candidates, board_member):
    for person in candidates[:3]:
        physician(person)
    for person in candidates[:2]:  # capacity 2: exactly full
        services.register_self(candidate=person, sitting=open_sitting, slot=slot, physician_declared=True, today=OPEN_DAY)
    assert services.registration.places_left(slot) == 0
    with pytest.raises(ValidationError, match="is full"):
        services.register_self(candidate=candidates[2], sitting=open_sitting, slot=slot, physician_declared=True,
                               today=OPEN_DAY)
    later = services.add_slot(by=board_member, sitting=open_sitting, starts_at=T0 + dt.timedelta(hours=1), capacity=1)
    assert services.register_self(candidate=candidates[2], sitting=open_sitting, slot=later, physician_declared=True,
                                  today=OPEN_DAY).slot == later


def test_a_sitting_with_start_times_needs_one_and_a_sitting_without_self_registration_refuses(
        sitting, board_member, trainee):
    physician(trainee)
    with pytest.raises(ValidationError, match="exam board registers"):
        services.register_self(candidate=trainee, sitting=sitting, slot=None, physician_declared=True, today=OPEN_DAY)
    services.set_registration_settings(by=board_member, sitting=sitting, self_registration=True,
                                       registration_opens_on=None, registration_closes_on=None)
    services.add_slot(by=board_member, sitting=sitting, starts_at=T0, capacity=5)
    with pytest.raises(ValidationError, match="Choose a start time"):
        services.register_self(candidate=trainee, sitting=sitting, slot=None, physician_declared=True, today=OPEN_DAY)


def test_the_board_registers_anyone_the_rules_refuse_only_with_a_reason(open_sitting, slot, board_member, trainee):
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(2026, 7, 1)):  # before the window, no registration
        with pytest.raises(ValidationError) as exc:
            services.register_candidate(by=board_member, sitting=open_sitting, candidate=trainee, slot=slot)
        assert "opens on 2026-08-07" in exc.value.message_dict["reason"][0]
        reg = services.register_candidate(by=board_member, sitting=open_sitting, candidate=trainee, slot=slot,
                                          reason="Candidate's registration renewal is in progress (letter seen).")
    assert reg.self_registered is False and reg.reason.startswith("Candidate's registration")
    entry = AuditEntry.objects.get(action="sitting.candidate_registered")
    assert entry.actor == board_member and "opens on 2026-08-07" in entry.data["overrides"]


def test_slots_lie_in_the_start_window_and_capacity_never_drops_below_the_registered(open_sitting, slot, trainee,
                                                                                    board_member):
    with pytest.raises(ValidationError) as exc:
        services.add_slot(by=board_member, sitting=open_sitting, starts_at=T0 + dt.timedelta(hours=4), capacity=3)
    assert "starts_at" in exc.value.message_dict
    assert services.add_slot(by=board_member, sitting=open_sitting, starts_at=T0 + dt.timedelta(hours=3), capacity=1)
    physician(trainee)
    services.register_self(candidate=trainee, sitting=open_sitting, slot=slot, physician_declared=True, today=OPEN_DAY)
    with pytest.raises(ValidationError, match="at least 1"):
        services.set_slot_capacity(by=board_member, slot=slot, capacity=0)
    assert services.set_slot_capacity(by=board_member, slot=slot, capacity=1).capacity == 1


def test_a_candidate_withdraws_inside_the_window_only(open_sitting, slot, trainee):
    physician(trainee)
    reg = services.register_self(candidate=trainee, sitting=open_sitting, slot=slot, physician_declared=True,
                                 today=OPEN_DAY)
    with pytest.raises(ValidationError, match="only until 2026-11-06"):
        services.cancel_own_registration(candidate=trainee, registration=reg, today=dt.date(2026, 11, 7))
    services.cancel_own_registration(candidate=trainee, registration=reg, today=dt.date(2026, 11, 6))
    assert not Registration.objects.exists()
    assert AuditEntry.objects.filter(action="sitting.registration_withdrawn").count() == 1


# --- pages ----------------------------------------------------------------------------------------------

def test_the_candidate_registers_on_the_page_and_sees_the_start_time(client_for, open_sitting, slot, trainee):
    physician(trainee)
    c = client_for(trainee)
    with mock.patch("django.utils.timezone.localdate", return_value=OPEN_DAY):
        listing = c.get("/exams/register/").content.decode()
        assert "Test sitting" in listing and "2026-08-07 to 2026-11-06" in listing and "2 of 2 left" in listing
        page = c.get(f"/exams/register/{open_sitting.pk}/").content.decode()
        assert "2 of 2 places left" in page
        refused = c.post(f"/exams/register/{open_sitting.pk}/", {"slot": slot.pk}).content.decode()
        assert "qualified physicians" in refused and not Registration.objects.exists()
        response = c.post(f"/exams/register/{open_sitting.pk}/", {"slot": slot.pk, "physician": "on"})
        assert response.status_code == 302
        mine = c.get("/exams/mine/").content.decode()
    assert "your start time" in mine and "Withdraw" in mine


def test_the_registration_page_says_why_before_the_candidate_tries(client_for, open_sitting, slot, trainee):
    with mock.patch("django.utils.timezone.localdate", return_value=OPEN_DAY):
        page = client_for(trainee).get(f"/exams/register/{open_sitting.pk}/").content.decode()
    assert 'id="refusal"' in page and "Record your medical registration" in page


def test_a_sitting_not_open_to_self_registration_is_404_for_candidates(client_for, sitting, trainee):
    with mock.patch("django.utils.timezone.localdate", return_value=OPEN_DAY):
        assert client_for(trainee).get(f"/exams/register/{sitting.pk}/").status_code == 404


def test_board_pages_set_the_window_and_slots(client_for, board_member, sitting, trainee):
    c = client_for(board_member)
    assert c.post(f"/exams/sittings/{sitting.pk}/registration-settings/",
                  {"self_registration": "on", "registration_opens_on": "", "registration_closes_on": ""}).status_code == 302
    assert c.post(f"/exams/sittings/{sitting.pk}/slots/", {"starts_at": "2026-11-07T11:30", "capacity": "40"}).status_code == 302
    sitting.refresh_from_db()
    assert sitting.self_registration and sitting.slots.get().capacity == 40
    page = c.get(f"/exams/sittings/{sitting.pk}/manage/").content.decode()
    assert "2026-08-07" in page and "2026-11-06" in page
    slot = sitting.slots.get()
    c.post(f"/exams/sittings/{sitting.pk}/slots/{slot.pk}/", {"capacity": "12"})
    slot.refresh_from_db()
    assert slot.capacity == 12
    for url in (f"/exams/sittings/{sitting.pk}/registration-settings/", f"/exams/sittings/{sitting.pk}/slots/",
                f"/exams/sittings/{sitting.pk}/slots/{slot.pk}/"):
        assert client_for(trainee).post(url, {"capacity": "1"}).status_code == 403


def test_the_api_registers_with_the_same_rules(client_for, open_sitting, slot, trainee, other_trainee):
    physician(trainee)
    c = client_for(trainee)
    with mock.patch("django.utils.timezone.localdate", return_value=OPEN_DAY):
        listed = c.get("/api/v1/exam-registration-sittings/").json()["results"]
        assert listed[0]["registration_opens"] == "2026-08-07" and listed[0]["slots"][0]["places_left"] == 2
        refused = c.post("/api/v1/exam-registrations/", {"sitting": open_sitting.pk, "slot": slot.pk, "physician": False},
                         content_type="application/json")
        assert refused.status_code == 400 and "qualified physicians" in str(refused.json())
        made = c.post("/api/v1/exam-registrations/", {"sitting": open_sitting.pk, "slot": slot.pk, "physician": True},
                      content_type="application/json")
        assert made.status_code == 201 and made.json()["self_registered"] is True
        reg_id = made.json()["id"]
        assert client_for(other_trainee).post(f"/api/v1/exam-registrations/{reg_id}/withdraw/").status_code == 404
        assert c.post(f"/api/v1/exam-registrations/{reg_id}/withdraw/").status_code == 204
    assert not Registration.objects.exists()


def test_self_registration_goes_through_the_one_refusal_for_people_who_can_see_item_content(
        open_sitting, slot, board_member):
    """register_candidate decides eligibility in one place: a board member (item bank access) who is a
    qualified physician with a current registration is still refused when registering themselves."""
    physician(board_member)
    with pytest.raises(ValidationError, match="can see the item bank"):
        services.register_self(candidate=board_member, sitting=open_sitting, slot=slot, physician_declared=True,
                               today=OPEN_DAY)
    assert not Registration.objects.exists()
