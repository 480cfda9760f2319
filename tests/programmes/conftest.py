"""A programme that meets every SCMR stipulation, built through the services (as a director would)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cmrnet.people.roles import Role
from cmrnet.people.services import add_certification
from cmrnet.programmes import services
from cmrnet.programmes.checklist import REQUIRED_CATEGORIES

START = dt.date(2026, 3, 2)
END = dt.date(2026, 6, 30)
VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40   # 10 KiB stand-in for an MP4


@pytest.fixture
def lead(make_person):
    person = make_person("lena@example.org", Role.MENTOR, full_name="Lena Lead")
    add_certification(by=None, holder=person, body="SCMR", level=3, awarded_on=dt.date(2018, 1, 1), valid_until=dt.date(2030, 1, 1))
    return person


@pytest.fixture
def draft(director, lead, mentor, centre):
    """A programme with no modules or sessions yet (enrolment cannot open)."""
    centre.trainees_trained = 0
    centre.save()
    return services.create_programme(
        by=director, faculty=[mentor, lead], title="Virtual CMR Level II 2026", host_centre=centre, director=director, lead=lead,
        starts_on=START, ends_on=END, time_zone="Europe/Berlin", capacity=5, delivery_mode="blended",
        enrolment_policy="application")


def live_times(hour: int, day: int = 9):
    start = dt.datetime(2026, 3, day, hour, 0, tzinfo=dt.UTC)
    return start, start + dt.timedelta(hours=1)


def published_cases(contributor, categories=REQUIRED_CATEGORIES):
    """Published case-library cases, one per category (rows only: the reading set needs no images here)."""
    from cmrnet.library.models import Case, CaseStatus

    return [Case.objects.create(title=f"{c} study", category=c, contributor=contributor, status=CaseStatus.PUBLISHED)
            for c in categories]


@pytest.fixture
def complete_programme(draft, director, mentor, lead):
    """Every mandatory stipulation met."""
    p = draft
    services.add_module(by=director, programme=p, title="Foundations", objectives="Physics and safety\nProtocols",
                        session_kinds=["didactic_live", "recorded_lecture"], covers_safety=True)
    services.add_module(by=director, programme=p, title="Reading", objectives="Report a complete study",
                        session_kinds=["interpretation", "scan_observation", "planning"])
    services.update_programme(by=director, programme=p, stress_in_person=True, devices_in_person=True,
                              training_record_note="140 fellows since 2001",
                              training_record_document=SimpleUploadedFile("record.pdf", b"%PDF-1.4 record"),
                              video_equipment_statement="Diagnostic-grade monitors", privacy_statement="De-identified only",
                              scmr_feedback_arrangement="End-of-programme survey sent to SCMR")
    p.host_centre.trainees_trained = 140
    p.host_centre.save()
    services.add_session(by=director, programme=p, kind="didactic_live", title="Physics", starts_at=live_times(8)[0],
                         ends_at=live_times(8)[1], mentor=lead)
    services.add_session(by=director, programme=p, kind="recorded_lecture", title="Safety lecture",
                         video=SimpleUploadedFile("safety.mp4", VIDEO, content_type="video/mp4"), video_seconds=100, covers_safety=True)
    services.add_session(by=director, programme=p, kind="scan_observation", title="Live scan", mentor=mentor,
                         starts_at=live_times(10)[0], ends_at=live_times(10)[1])
    services.add_session(by=director, programme=p, kind="planning", title="Planning", mentor=mentor,
                         starts_at=live_times(12)[0], ends_at=live_times(12)[1])
    services.add_session(by=director, programme=p, kind="interpretation", title="Reading group", mentor=mentor,
                         starts_at=live_times(14)[0], ends_at=live_times(14)[1], cases=published_cases(lead))
    p.refresh_from_db()
    return p


@pytest.fixture
def open_programme(complete_programme, director):
    return services.open_enrolment(by=director, programme=complete_programme, today=dt.date(2026, 1, 10))


@pytest.fixture
def make_trainees(make_person):
    def make(n: int, prefix: str = "t"):
        return [make_person(f"{prefix}{i}@example.org", Role.TRAINEE, full_name=f"Trainee {prefix.upper()}{i}") for i in range(n)]
    return make


@pytest.fixture
def enrol(director):
    def do(programme, trainee):
        enrolment = services.apply(by=trainee, programme=programme, now=timezone.now())
        return services.accept(by=director, enrolment=enrolment, now=timezone.now())
    return do
