"""Writing through /api/v1/: the pages' services, permission checks and validation messages (naming the field),
for the director, faculty (a mentor teaching on the programme), trainees and anonymous callers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from cmrnet.audit.models import AuditEntry
from cmrnet.programmes import services
from cmrnet.programmes.models import Enrolment, Module, Programme, ProgrammeSession, SessionKind, Survey

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def api(client_for):
    """api(person)(method, url, data) -> response; person None is anonymous."""
    def for_person(person):
        client = client_for(person) if person is not None else Client()

        def call(method: str, url: str, data=None):
            return getattr(client, method)(f"{API}{url}", data=data, content_type="application/json")
        return call
    return for_person


def new_programme(director, lead, centre, **overrides):
    body = {"title": "API Programme", "host_centre": centre.pk, "director": director.pk, "lead": lead.pk,
            "faculty": [lead.pk], "starts_on": "2026-09-01", "ends_on": "2026-12-31", "time_zone": "Europe/Berlin",
            "capacity": 6, "delivery_mode": "virtual", "enrolment_policy": "application", "mentor_cap": 4,
            "virtual_share_max": "0.5", "in_person_below_level": 2}
    return {**body, **overrides}


# --------------------------------------------------------------------------- programmes
def test_a_director_creates_a_programme_and_others_are_refused(api, director, lead, mentor, trainee, centre):
    body = new_programme(director, lead, centre)
    assert api(None)("post", "/programmes/", body).status_code == 401
    refused = api(mentor)("post", "/programmes/", body)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Only programme directors and network administrators create programmes."
    assert api(trainee)("post", "/programmes/", body).status_code == 403
    assert not Programme.objects.exists()
    created = api(director)("post", "/programmes/", body)
    assert created.status_code == 201, created.content
    programme = Programme.objects.get(pk=created.json()["id"])
    assert (programme.title, programme.capacity, programme.created_by) == ("API Programme", 6, director)
    assert list(programme.faculty.all()) == [lead]
    assert AuditEntry.objects.filter(action="programme.created", object_id=str(programme.pk), actor=director).exists()


def test_bad_programme_data_is_refused_with_the_pages_messages_naming_the_field(api, director, lead, centre):
    call = api(director)
    late = call("post", "/programmes/", new_programme(director, lead, centre, ends_on="2026-08-31"))
    assert late.status_code == 400 and late.json() == {"ends_on": ["The programme ends before it starts."]}
    missing = call("post", "/programmes/", {k: v for k, v in new_programme(director, lead, centre).items() if k != "title"})
    assert missing.status_code == 400 and missing.json() == {"title": ["This field is required."]}
    share = call("post", "/programmes/", new_programme(director, lead, centre, virtual_share_max="1.5"))
    assert share.status_code == 400 and list(share.json()) == ["virtual_share_max"]
    assert call("post", "/programmes/", ["not", "an", "object"]).status_code == 400
    assert not Programme.objects.exists()


def test_patch_changes_only_what_is_sent_for_the_director_and_refuses_faculty_and_trainees(
        api, open_programme, director, mentor, trainee, other_trainee, enrol):
    enrol(open_programme, trainee)
    url = f"/programmes/{open_programme.pk}/"
    assert api(None)("patch", url, {"capacity": 9}).status_code == 401
    assert api(mentor)("patch", url, {"capacity": 9}).status_code == 403
    assert api(trainee)("patch", url, {"capacity": 9}).status_code == 403
    assert api(other_trainee)("patch", url, {"capacity": 9}).status_code == 403   # open: visible, not theirs
    changed = api(director)("patch", url, {"capacity": 9, "mentor_cap": 3})
    assert changed.status_code == 200, changed.content
    open_programme.refresh_from_db()
    assert (open_programme.capacity, open_programme.mentor_cap, open_programme.title) == (9, 3, "Virtual CMR Level II 2026")
    assert open_programme.faculty.count() == 2 and open_programme.training_record_document   # untouched
    entry = AuditEntry.objects.filter(action="programme.updated").latest("pk")
    assert entry.changes == {"capacity": [5, 9], "mentor_cap": [4, 3]}
    bad = api(director)("patch", url, {"capacity": 0})
    assert bad.status_code == 400 and list(bad.json()) == ["capacity"]


def test_a_draft_programme_is_not_found_for_trainees(api, draft, trainee):
    assert api(trainee)("patch", f"/programmes/{draft.pk}/", {"capacity": 3}).status_code == 404
    assert api(trainee)("post", f"/programmes/{draft.pk}/modules/", {"title": "M", "objectives": "x"}).status_code == 404


def test_opening_enrolment_over_the_api_is_refused_while_a_stipulation_is_unmet(api, draft, director, mentor):
    assert api(mentor)("post", f"/programmes/{draft.pk}/open-enrolment/").status_code == 403
    refused = api(director)("post", f"/programmes/{draft.pk}/open-enrolment/")
    assert refused.status_code == 400
    assert refused.json()["non_field_errors"][0].startswith("Enrolment cannot open; missing: ")
    draft.refresh_from_db()
    assert draft.enrolment_open is False


# --------------------------------------------------------------------------- modules and sessions
def test_modules_are_added_and_changed_by_the_director_only(api, draft, director, mentor, lead):
    url = f"/programmes/{draft.pk}/modules/"
    assert api(mentor)("post", url, {"title": "Safety", "objectives": "Screening"}).status_code == 403
    missing = api(director)("post", url, {"title": "Safety"})
    assert missing.status_code == 400 and missing.json() == {"objectives": ["This field is required."]}
    kinds = api(director)("post", url, {"title": "Safety", "objectives": "Screening", "session_kinds": ["bogus"]})
    assert kinds.status_code == 400 and list(kinds.json()) == ["session_kinds"]
    added = api(director)("post", url, {"title": "Safety", "objectives": "Screening\nZones", "covers_safety": True,
                                        "session_kinds": ["didactic_live"]})
    assert added.status_code == 201 and added.json()["objective_list"] == ["Screening", "Zones"]
    module = Module.objects.get(pk=added.json()["id"])
    assert api(lead)("patch", f"/programme-modules/{module.pk}/", {"title": "X"}).status_code == 403
    changed = api(director)("patch", f"/programme-modules/{module.pk}/", {"title": "CMR safety"})
    assert changed.status_code == 200
    module.refresh_from_db()
    assert (module.title, module.objectives, module.covers_safety) == ("CMR safety", "Screening\nZones", True)
    assert AuditEntry.objects.get(action="programme.module_updated").changes == {"title": ["Safety", "CMR safety"]}


def test_sessions_are_added_and_changed_through_the_api(api, open_programme, director, mentor, lead, trainee, enrol):
    enrol(open_programme, trainee)
    url = f"/programmes/{open_programme.pk}/sessions/"
    body = {"kind": "scan_observation", "title": "Stress perfusion", "mentor": mentor.pk, "day": "2026-03-20",
            "start": "09:00", "end": "10:00", "time_zone": "Europe/Berlin", "in_person_topic": "stress"}
    assert api(trainee)("post", url, body).status_code == 403
    assert api(mentor)("post", url, body).status_code == 403
    no_time = api(director)("post", url, {k: v for k, v in body.items() if k != "day"})
    assert no_time.status_code == 400 and no_time.json() == {"non_field_errors": ["A live session needs its date, start and end."]}
    no_mentor = api(director)("post", url, {k: v for k, v in body.items() if k != "mentor"})
    assert no_mentor.status_code == 400
    assert no_mentor.json() == {"mentor": ["A small-group session needs its mentor (the cap is per mentor)."]}
    added = api(director)("post", url, body)
    assert added.status_code == 201, added.content
    session = ProgrammeSession.objects.get(pk=added.json()["id"])
    assert session.live_session is not None and session.in_person_topic == "stress"
    assert session.live_session.starts_at == dt.datetime(2026, 3, 20, 8, 0, tzinfo=dt.UTC)
    # change it
    detail = f"/programme-sessions/{session.pk}/"
    assert api(trainee)("patch", detail, {"title": "x"}).status_code == 403
    too_big = api(director)("patch", detail, {"cap": 13})
    assert too_big.status_code == 400 and list(too_big.json()) == ["cap"]
    changed = api(director)("patch", detail, {"title": "Stress CMR", "cap": 2, "mentor": lead.pk})
    assert changed.status_code == 200, changed.content
    session.refresh_from_db()
    assert (session.title, session.cap, session.mentor, session.in_person_topic) == ("Stress CMR", 2, lead, "stress")
    assert session.live_session.room.participants.filter(person=lead, role="mentor").exists()
    assert AuditEntry.objects.get(action="programme.session_updated").changes["title"] == ["Stress perfusion", "Stress CMR"]
    # a further mentor doubles the places (the cap is per mentor); the mentor cannot be their own co-mentor
    same = api(director)("patch", detail, {"co_mentors": [lead.pk]})
    assert same.status_code == 400 and same.json() == {"co_mentors": ["Lena Lead is already the session's mentor."]}
    two = api(director)("patch", detail, {"co_mentors": [mentor.pk]})
    assert two.status_code == 200 and (two.json()["capacity"], two.json()["co_mentors"]) == (4, [mentor.pk])


# --------------------------------------------------------------------------- enrolment and places
def test_enrolment_actions_follow_the_pages_rules(api, open_programme, director, mentor, trainee, other_trainee):
    applied = api(trainee)("post", f"/programmes/{open_programme.pk}/apply/", {"statement": "Keen"})
    assert applied.status_code == 201 and applied.json()["status"] == "applied"
    eid = applied.json()["id"]
    assert api(trainee)("post", f"/programme-enrolments/{eid}/accept/").status_code == 403
    assert api(mentor)("post", f"/programme-enrolments/{eid}/accept/").status_code == 403
    assert api(other_trainee)("post", f"/programme-enrolments/{eid}/accept/").status_code == 404
    accepted = api(director)("post", f"/programme-enrolments/{eid}/accept/")
    assert accepted.status_code == 200 and accepted.json()["status"] == "enrolled"
    again = api(director)("post", f"/programme-enrolments/{eid}/accept/")
    assert again.status_code == 400 and again.json() == {"non_field_errors": ["Nothing to accept: the enrolment is enrolled."]}
    # the faculty set the level; a trainee may not; a level out of range names the field
    assert api(trainee)("post", f"/programme-enrolments/{eid}/level/", {"competence_level": 2}).status_code == 403
    bad = api(mentor)("post", f"/programme-enrolments/{eid}/level/", {"competence_level": 5})
    assert bad.status_code == 400 and list(bad.json()) == ["competence_level"]
    level = api(mentor)("post", f"/programme-enrolments/{eid}/level/", {"competence_level": 2})
    assert level.status_code == 200 and level.json()["competence_level"] == 2 and level.json()["released_places"] == []
    # invitations: the director only, trainees only
    invite = f"/programmes/{open_programme.pk}/invite/"
    assert api(mentor)("post", invite, {"trainee": other_trainee.pk}).status_code == 403
    not_trainee = api(director)("post", invite, {"trainee": mentor.pk})
    assert not_trainee.status_code == 400 and list(not_trainee.json()) == ["trainee"]
    invited = api(director)("post", invite, {"trainee": other_trainee.pk})
    assert invited.status_code == 201 and invited.json()["status"] == "invited"
    withdrawn = api(trainee)("post", f"/programme-enrolments/{eid}/withdraw/")
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert api(None)("post", f"/programme-enrolments/{eid}/withdraw/").status_code == 401


def test_places_in_a_small_group_are_taken_and_refused_at_the_cap_over_the_api(api, open_programme, make_trainees, enrol):
    group = open_programme.sessions.get(kind=SessionKind.INTERPRETATION)
    trainees = make_trainees(5)
    for t in trainees:
        enrol(open_programme, t)
    for t in trainees[:4]:
        taken = api(t)("post", f"/programme-sessions/{group.pk}/seat/")
        assert taken.status_code == 200
    full = api(trainees[4])("post", f"/programme-sessions/{group.pk}/seat/")
    assert full.status_code == 400 and full.json() == {"non_field_errors": ["This small group is full (4 trainees per mentor)."]}
    assert api(trainees[0])("delete", f"/programme-sessions/{group.pk}/seat/").status_code == 200
    assert api(trainees[4])("post", f"/programme-sessions/{group.pk}/seat/").status_code == 200
    assert sorted(group.seats.values_list("trainee_id", flat=True)) == sorted(t.pk for t in trainees[1:])


def test_determination_and_certificate_are_the_directors(api, open_programme, director, mentor, trainee, enrol):
    eid = enrol(open_programme, trainee).pk
    decided = {"competent": "yes", "decided_on": "2026-06-30"}
    assert api(mentor)("post", f"/programme-enrolments/{eid}/determination/", decided).status_code == 403
    needs = api(director)("post", f"/programme-enrolments/{eid}/determination/", decided)
    assert needs.status_code == 400 and "in-person assessment" in needs.json()["non_field_errors"][0]
    assert api(trainee)("post", f"/programme-enrolments/{eid}/assessment/", {"assessed_on": "2026-06-20"}).status_code == 403
    assert api(mentor)("post", f"/programme-enrolments/{eid}/assessment/",
                       {"assessed_on": "2026-06-20", "in_person": True}).status_code == 201
    assert api(director)("post", f"/programme-enrolments/{eid}/determination/", decided).status_code == 201
    certificate = api(director)("post", f"/programme-enrolments/{eid}/certificate/")
    assert certificate.status_code == 201 and certificate.json()["verify_url"].startswith("/certification/verify/")
    assert Enrolment.objects.get(pk=eid).status == "completed"


# --------------------------------------------------------------------------- surveys
def test_surveys_are_created_changed_and_answered_over_the_api(api, open_programme, director, mentor, trainee, enrol):
    enrol(open_programme, trainee)
    url = f"/programmes/{open_programme.pk}/surveys/"
    body = {"title": "Mid", "phase": "mid", "audience": "trainees", "opens_on": "2026-01-01", "closes_on": "2026-12-31",
            "min_group_size": 5, "questions": ["likert: The sessions were useful", "text: What would you change?"]}
    assert api(mentor)("post", url, body).status_code == 403
    assert api(trainee)("post", url, body).status_code == 403
    bad = api(director)("post", url, {**body, "questions": ["opinion: yes"]})
    assert bad.status_code == 400
    assert bad.json() == {"questions": ['Line 1: start with "likert:" or "text:" and give the question.']}
    closes = api(director)("post", url, {**body, "closes_on": "2025-12-31"})
    assert closes.status_code == 400 and closes.json() == {"closes_on": ["The survey closes before it opens."]}
    created = api(director)("post", url, body)
    assert created.status_code == 201, created.content
    survey = Survey.objects.get(pk=created.json()["id"])
    assert [(q.kind, q.text) for q in survey.questions.all()] == [("likert", "The sessions were useful"),
                                                                  ("text", "What would you change?")]
    detail = f"/programme-surveys/{survey.pk}/"
    assert api(trainee)("patch", detail, {"title": "x"}).status_code == 403
    renamed = api(director)("patch", detail, {"title": "Mid-programme", "questions": "likert: Useful\ntext: Change?"})
    assert renamed.status_code == 200 and renamed.json()["title"] == "Mid-programme"
    likert, text = survey.questions.all()
    # the mentor may not answer the trainees' survey; the trainee answers once
    assert api(mentor)("post", f"{detail}answers/", {f"q{likert.pk}": 4}).status_code == 403
    answered = api(trainee)("post", f"{detail}answers/", {f"q{likert.pk}": 4, f"q{text.pk}": "More cases"})
    assert answered.status_code == 201
    assert api(trainee)("post", f"{detail}answers/", {f"q{likert.pk}": 5}).status_code == 403
    # once answered, the questions are fixed; the window still moves
    locked = api(director)("patch", detail, {"questions": "likert: Something else"})
    assert locked.status_code == 400
    assert locked.json() == {"questions": ["People have answered this survey: this cannot change any more."]}
    assert api(director)("patch", detail, {"closes_on": "2026-11-30"}).status_code == 200
    survey.refresh_from_db()
    assert survey.closes_on == dt.date(2026, 11, 30) and survey.questions.count() == 2
    assert api(None)("patch", detail, {"title": "x"}).status_code == 401
