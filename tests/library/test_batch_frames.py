"""The series batch frame endpoint (/library/series/<id>/frames?f=...): many frames in one answer, all or
nothing, behind the same selectors as the single-frame endpoint."""

import pytest

from cmrnet.library.dicomweb import decode_multipart
from cmrnet.library.models import CaseStatus, Series, Study
from cmrnet.library.views import BATCH_MAX_FRAMES, parse_batch
from tests.library.conftest import store_instance


@pytest.fixture
def stack(make_case, mr_bytes):
    case = make_case()
    study = Study.objects.create(case=case, study_uid="2.25.5001")
    series = Series.objects.create(study=study, series_uid="2.25.5002", kind="cine_sax")
    images = [store_instance(series, mr_bytes, n=n) for n in range(1, 5)]
    held = store_instance(series, mr_bytes, n=9, quarantine_status="pending")
    draft = make_case(status=CaseStatus.DRAFT)
    other = Series.objects.create(study=Study.objects.create(case=draft, study_uid="2.25.5003"), series_uid="2.25.5004")
    return {"series": series, "images": images, "held": held, "other": other, "foreign": store_instance(other, mr_bytes)}


def url(series):
    return f"/library/series/{series.pk}/frames"


def test_frames_in_the_order_asked_equal_the_single_frame_endpoint(client_for, trainee, stack):
    client = client_for(trainee)
    ids = [i.pk for i in stack["images"]]
    order = [ids[2], ids[0], ids[3], ids[1], ids[0]]
    response = client.get(url(stack["series"]), {"f": ",".join(f"{i}:1" if n % 2 else str(i) for n, i in enumerate(order))})
    assert response.status_code == 200 and response["Content-Type"].startswith('multipart/related; type="application/octet-stream"')
    parts = decode_multipart(response.content, response["Content-Type"])
    singles = [client.get(f"/library/instances/{i}/frames/1").content for i in order]
    assert parts == singles and len(parts[0]) == 64 * 64 * 2
    assert response.content.count(b"Content-Location: /library/instances/") == 5
    assert response["Cache-Control"] == "private, max-age=31536000, immutable"
    assert client.get(url(stack["series"]), {"f": ",".join(map(str, order))}, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_all_or_nothing_for_images_outside_the_series_or_in_quarantine(client_for, trainee, director, stack):
    ids = [i.pk for i in stack["images"]]
    for person in (trainee, director):  # curators too: quarantine is never served as frames
        client = client_for(person)
        for stranger in (stack["held"].pk, stack["foreign"].pk, 999999):
            response = client.get(url(stack["series"]), {"f": f"{ids[0]},{stranger}"})
            assert response.status_code == 404 and str(stranger) in response.json()["detail"]
    assert client_for(trainee).get(url(stack["series"]), {"f": f"{ids[0]}:2"}).status_code == 404  # no frame 2
    assert client_for(trainee).get(url(stack["other"]), {"f": str(stack["foreign"].pk)}).status_code == 404  # a draft


def test_bad_lists_are_400_naming_the_item(client_for, trainee, stack):
    client = client_for(trainee)
    for bad in ("", "abc", "1:0", "1:x", "1,,2", ",".join(["1"] * (BATCH_MAX_FRAMES + 1))):
        response = client.get(url(stack["series"]), {"f": bad})
        assert response.status_code == 400, bad
    assert "'abc'" in client.get(url(stack["series"]), {"f": "abc"}).json()["detail"]


def test_parse_batch():
    assert parse_batch("41,42:3") == [(41, 1), (42, 3)]
    assert len(parse_batch(",".join(["7"] * BATCH_MAX_FRAMES))) == BATCH_MAX_FRAMES
    with pytest.raises(ValueError):
        parse_batch("7:-1")
