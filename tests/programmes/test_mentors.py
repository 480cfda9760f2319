"""Several mentors in a small group: the cap is per mentor, so the group has mentors x cap places; enforced at
place-taking and at join (the programme's and the live room's), tested at the boundary."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cmrnet.live import selectors as live_selectors
from cmrnet.live.models import Participant
from cmrnet.programmes import progress, services
from cmrnet.programmes.models import SessionKind

from .conftest import live_times

pytestmark = pytest.mark.django_db


def test_the_rule_gives_mentors_times_cap_places():
    assert progress.seat_refusal(seated=7, cap=4, mentors=2, already_seated=False) is None
    assert progress.seat_refusal(seated=8, cap=4, mentors=2, already_seated=False) == \
        "This small group is full (8 places: 4 trainees per mentor, 2 mentors)."
    assert progress.seat_refusal(seated=4, cap=4, mentors=1, already_seated=False) == \
        "This small group is full (4 trainees per mentor)."
    assert progress.seat_refusal(seated=3, cap=4, mentors=1, already_seated=False) is None
    assert progress.seat_refusal(seated=8, cap=4, mentors=2, already_seated=True) is None


@pytest.fixture
def two_mentor_group(open_programme, director, mentor, lead):
    services.update_programme(by=director, programme=open_programme, capacity=20)   # room for nine trainees
    start, end = live_times(16)
    return services.add_session(by=director, programme=open_programme, kind=SessionKind.SCAN_OBSERVATION,
                                title="Two-mentor scan", mentor=mentor, co_mentors=[lead], starts_at=start, ends_at=end)


def test_two_mentors_take_eight_and_refuse_the_ninth_at_enrolment_and_at_join(two_mentor_group, make_trainees, enrol,
                                                                             mentor, lead):
    group = two_mentor_group
    assert (group.effective_cap, group.mentor_count, group.capacity) == (4, 2, 8)
    room = group.live_session.room
    assert set(Participant.objects.filter(room=room, role="mentor").values_list("person_id", flat=True)) == {mentor.pk, lead.pk}
    trainees = make_trainees(9)
    for t in trainees:
        enrol(group.programme, t)
    for t in trainees[:8]:
        services.take_seat(by=t, session=group, now=timezone.now())
    with pytest.raises(ValidationError) as exc:
        services.take_seat(by=trainees[8], session=group, now=timezone.now())
    assert exc.value.messages == ["This small group is full (8 places: 4 trainees per mentor, 2 mentors)."]
    assert group.seats.count() == 8
    assert services.join_refusal(trainees[7], group) is None
    assert services.join_refusal(trainees[8], group) == "This small group is full (8 places: 4 trainees per mentor, 2 mentors)."


def test_one_mentor_fewer_closes_the_places_beyond_the_new_capacity_at_join(two_mentor_group, make_trainees, enrol,
                                                                            director, mentor):
    group = two_mentor_group
    trainees = make_trainees(5)
    for t in trainees:
        enrol(group.programme, t)
        services.take_seat(by=t, session=group, now=timezone.now())
    services.update_session(by=director, session=group, co_mentors=[])
    group.refresh_from_db()
    assert group.capacity == 4
    assert services.join_refusal(trainees[3], group) is None
    assert services.join_refusal(trainees[4], group) == "This small group is full (4 trainees per mentor)."
    # the live room's own gate says the same
    room = group.live_session.room
    assert live_selectors.join_refusal(trainees[4], room, on=timezone.localdate()) == \
        "This small group is full (4 trainees per mentor)."
    late = make_trainees(1, prefix="late")[0]
    enrol(group.programme, late)
    with pytest.raises(ValidationError, match=r"full \(4 trainees per mentor\)"):
        services.take_seat(by=late, session=group, now=timezone.now())


def test_further_mentors_must_teach_on_the_programme_and_differ_from_the_mentor(open_programme, director, mentor,
                                                                                 make_person):
    from cmrnet.people.roles import Role

    outsider = make_person("out@example.org", Role.MENTOR)
    start, end = live_times(18)
    with pytest.raises(ValidationError) as exc:
        services.add_session(by=director, programme=open_programme, kind="interpretation", title="G", mentor=mentor,
                             co_mentors=[outsider], starts_at=start, ends_at=end)
    assert list(exc.value.message_dict) == ["co_mentors"]
    with pytest.raises(ValidationError) as exc:
        services.add_session(by=director, programme=open_programme, kind="interpretation", title="G", mentor=mentor,
                             co_mentors=[mentor], starts_at=start, ends_at=end)
    assert list(exc.value.message_dict) == ["co_mentors"]


def test_the_page_shows_the_places_of_two_mentors(two_mentor_group, client_for, director):
    page = client_for(director).get(f"/programmes/sessions/{two_mentor_group.pk}/").content.decode()
    assert "0 of 8 taken (4 trainees per mentor, 2 mentors)" in page
    assert "Max Mentor, Lena Lead" in page
