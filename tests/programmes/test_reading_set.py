"""Interpretation sessions read a set of case-library cases in the interpretation app, reviewed by the session's
mentors; the checklist's interpretation item is counted from that data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cmrnet.audit.models import AuditEntry
from cmrnet.interpretation.models import Assignment, Interpretation, Status
from cmrnet.library.models import CaseStatus
from cmrnet.programmes import selectors, services
from cmrnet.programmes.models import SessionKind

from .conftest import live_times, published_cases

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 1, 10)


def interpretation_item(programme):
    return next(i for i in selectors.checklist(programme, today=TODAY).items if i.id == "interpretation")


def test_the_checklist_counts_the_reading_set_and_the_reviews_of_the_mentor(open_programme, mentor, trainee, enrol):
    item = interpretation_item(open_programme)
    assert item.status == "met"
    assert item.evidence == ("1 interpretation session with a mentor and a reading set of 7 library cases covering 7 of 7 "
                             "categories; 0 readings reviewed by the mentors so far")
    group = open_programme.sessions.get(kind=SessionKind.INTERPRETATION)
    enrol(open_programme, trainee)
    services.take_seat(by=trainee, session=group, now=timezone.now())
    reading = Interpretation.objects.filter(trainee=trainee).first()
    Interpretation.objects.filter(pk=reading.pk).update(status=Status.REVIEWED, reviewed_by=mentor)
    assert interpretation_item(open_programme).evidence.endswith("; 1 reading reviewed by the mentors so far")


def test_a_withdrawn_case_no_longer_covers_its_category(open_programme):
    group = open_programme.sessions.get(kind=SessionKind.INTERPRETATION)
    group.cases.filter(category="mass").update(status=CaseStatus.WITHDRAWN)
    item = interpretation_item(open_programme)
    assert item.status == "unmet" and item.missing == ("cover in the reading sets: mass",)


def test_a_place_gives_the_trainee_the_reading_set_to_read_reviewed_by_the_mentor(open_programme, mentor, trainee, enrol):
    group = open_programme.sessions.get(kind=SessionKind.INTERPRETATION)
    enrol(open_programme, trainee)
    services.take_seat(by=trainee, session=group, now=timezone.now())
    readings = Interpretation.objects.filter(trainee=trainee).select_related("assignment")
    assert {r.case_id for r in readings} == set(group.cases.values_list("pk", flat=True))
    assert {r.mentor_id for r in readings} == {mentor.pk} and {r.status for r in readings} == {Status.DRAFT}
    assert {r.assignment.note for r in readings} == {"Virtual CMR Level II 2026: Reading group"}
    assert AuditEntry.objects.filter(action="interpretation.assigned", actor=trainee).count() == 7
    # taking the place again (idempotent) assigns nothing twice
    services.take_seat(by=trainee, session=group, now=timezone.now())
    assert Assignment.objects.filter(trainee=trainee).count() == 7


def test_places_are_spread_over_the_mentors(open_programme, director, mentor, lead, make_trainees, enrol):
    start, end = live_times(18)
    group = services.add_session(by=director, programme=open_programme, kind="interpretation", title="Two mentors",
                                 mentor=mentor, co_mentors=[lead], starts_at=start, ends_at=end,
                                 cases=published_cases(lead, ["valvular", "mass"]))
    first, second = make_trainees(2)
    for t in (first, second):
        enrol(open_programme, t)
        services.take_seat(by=t, session=group, now=timezone.now())
    assert set(Interpretation.objects.filter(trainee=first).values_list("mentor_id", flat=True)) == {mentor.pk}
    assert set(Interpretation.objects.filter(trainee=second).values_list("mentor_id", flat=True)) == {lead.pk}


def test_a_reading_set_is_for_interpretation_sessions_and_published_cases_only(open_programme, director, mentor, lead):
    start, end = live_times(18)
    cases = published_cases(lead, ["valvular"])
    with pytest.raises(ValidationError) as exc:
        services.add_session(by=director, programme=open_programme, kind="planning", title="P", mentor=mentor,
                             starts_at=start, ends_at=end, cases=cases)
    assert exc.value.message_dict == {"cases": ["A reading set is for interpretation sessions."]}
    draft = published_cases(lead, ["mass"])[0]
    draft.status = CaseStatus.DRAFT
    draft.save()
    with pytest.raises(ValidationError) as exc:
        services.add_session(by=director, programme=open_programme, kind="interpretation", title="I", mentor=mentor,
                             starts_at=start, ends_at=end, cases=[draft])
    assert exc.value.message_dict == {"cases": [f"Not published in the case library: {draft.pseudonym}."]}


def test_cases_added_later_reach_the_trainees_holding_a_place(open_programme, director, lead, trainee, enrol):
    group = open_programme.sessions.get(kind=SessionKind.INTERPRETATION)
    enrol(open_programme, trainee)
    services.take_seat(by=trainee, session=group, now=timezone.now())
    extra = published_cases(lead, ["congenital"])[0]
    services.update_session(by=director, session=group, cases=[*group.cases.all(), extra])
    assert Interpretation.objects.filter(trainee=trainee, case=extra).exists()
    entry = AuditEntry.objects.filter(action="programme.session_updated").latest("pk")
    assert extra.pseudonym in entry.changes["cases"][1] and extra.pseudonym not in entry.changes["cases"][0]


def test_the_session_page_links_the_trainees_readings_and_shows_faculty_the_counts(open_programme, trainee, mentor, enrol,
                                                                                 client_for):
    group = open_programme.sessions.get(kind=SessionKind.INTERPRETATION)
    enrol(open_programme, trainee)
    services.take_seat(by=trainee, session=group, now=timezone.now())
    reading = Interpretation.objects.filter(trainee=trainee).order_by("case__category").first()
    own = client_for(trainee).get(f"/programmes/sessions/{group.pk}/").content.decode()
    assert 'id="reading-set"' in own and f'href="/interpretation/{reading.pk}/"' in own
    faculty = client_for(mentor).get(f"/programmes/sessions/{group.pk}/").content.decode()
    assert faculty.count("<td>1 / 0</td>") == 7   # each case: read by one trainee, none reviewed yet


def test_the_api_takes_a_reading_set(open_programme, director, lead, client_for):
    cases = published_cases(lead, ["valvular", "mass"])
    body = {"kind": "interpretation", "title": "API reading", "mentor": lead.pk, "day": "2026-03-21", "start": "09:00",
            "end": "10:00", "cases": [c.pk for c in cases]}
    created = client_for(director).post(f"/api/v1/programmes/{open_programme.pk}/sessions/", body,
                                        content_type="application/json")
    assert created.status_code == 201, created.content
    assert sorted(created.json()["cases"]) == sorted(c.pk for c in cases)
    bad = client_for(director).post(f"/api/v1/programmes/{open_programme.pk}/sessions/", {**body, "cases": [999999]},
                                    content_type="application/json")
    assert bad.status_code == 400 and list(bad.json()) == ["cases"]
