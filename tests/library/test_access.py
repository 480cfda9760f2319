"""Who sees which case, series and frame: network members, contributors, curators; quarantine hidden."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file

from cmrnet.library import selectors
from cmrnet.library.models import CaseStatus, Instance, Series
from cmrnet.people.roles import Role
from tests.library.conftest import store_instance

pytestmark = pytest.mark.django_db


def test_members_see_published_cases_only(make_case, trainee, mentor):
    published = make_case()
    draft = make_case(status=CaseStatus.DRAFT, title="draft")
    withdrawn = make_case(status=CaseStatus.WITHDRAWN, title="gone")
    assert list(selectors.cases_for_user(trainee)) == [published]
    # the contributor keeps seeing their own drafts and withdrawn cases
    assert set(selectors.cases_for_user(mentor)) == {published, draft, withdrawn}
    # the browsing list hides withdrawn cases from everyone but the contributor
    assert set(selectors.library_cases(trainee)) == {published}


def test_someone_outside_the_network_sees_nothing(make_case, django_user_model):
    make_case()
    outsider = django_user_model.objects.create_user("x@example.org", "pw-123456789", full_name="X")
    assert not selectors.is_network_member(outsider)
    assert list(selectors.cases_for_user(outsider)) == []


def test_directors_curate_their_centre_and_admins_all(make_case, make_person, director, admin, other_centre):
    other_mentor = make_person("om@example.org", Role.MENTOR, at=other_centre)
    ours = make_case(status=CaseStatus.DRAFT)
    theirs = make_case(status=CaseStatus.DRAFT, contributor=other_mentor, at=other_centre)
    assert selectors.can_curate(director, ours) and not selectors.can_curate(director, theirs)
    assert set(selectors.cases_for_user(director)) == {ours}
    assert set(selectors.cases_for_user(admin)) == {ours, theirs}


def test_quarantined_instances_are_hidden_from_members(case_with_image, trainee, admin, mr_bytes):
    series = Series.objects.get()
    held = store_instance(series, mr_bytes, quarantine_status="pending", n=2)
    assert held not in selectors.instances_for_user(trainee)
    assert held in selectors.quarantine_for_user(admin)
    assert list(selectors.quarantine_for_user(trainee)) == []


def test_series_metadata_lists_visible_instances_with_frame_urls(client_for, case_with_image, trainee, mr_bytes):
    series = Series.objects.get()
    store_instance(series, mr_bytes, quarantine_status="pending", n=2)
    body = client_for(trainee).get(f"/library/series/{series.pk}/metadata.json").json()
    assert body["series"]["series_uid"] == "2.25.1002"
    assert len(body["instances"]) == 1
    inst = body["instances"][0]
    assert (inst["rows"], inst["columns"], inst["bits_allocated"]) == (64, 64, 16)
    assert inst["frames"] == [f"/library/instances/{inst['id']}/frames/1"]


def test_frame_is_the_raw_pixel_data_with_immutable_caching(client_for, case_with_image, trainee):
    inst = Instance.objects.get()
    client = client_for(trainee)
    response = client.get(f"/library/instances/{inst.pk}/frames/1")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert "immutable" in response["Cache-Control"] and response["Cache-Control"].startswith("private")
    expected = pydicom.dcmread(get_testdata_file("MR_small.dcm")).pixel_array.astype("<i2")
    got = np.frombuffer(response.content, dtype="<i2").reshape(64, 64)
    assert np.array_equal(got, expected)
    again = client.get(f"/library/instances/{inst.pk}/frames/1", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert client.get(f"/library/instances/{inst.pk}/frames/2").status_code == 404


def test_frames_of_unseen_cases_and_quarantine_are_404(client_for, case_with_image, other_trainee, trainee, mr_bytes, django_user_model):
    inst = Instance.objects.get()
    held = store_instance(inst.series, mr_bytes, quarantine_status="pending", n=2)
    assert client_for(trainee).get(f"/library/instances/{held.pk}/frames/1").status_code == 404
    case = inst.series.study.case
    case.status = CaseStatus.DRAFT
    case.save()
    assert client_for(other_trainee).get(f"/library/instances/{inst.pk}/frames/1").status_code == 404
    assert client_for(other_trainee).get(f"/library/series/{inst.series_id}/metadata.json").status_code == 404


def test_library_page_lists_and_filters(client_for, make_case, trainee):
    make_case(title="Anterior infarct", category="ischaemic")
    make_case(title="Tetralogy repaired", category="congenital")
    page = client_for(trainee).get("/library/?category=congenital").content.decode()
    assert "Tetralogy repaired" in page and "Anterior infarct" not in page
