"""The viewer's manifest: every visible series as slices x phases of raw-frame URLs, for members only."""

import numpy as np
import pytest

from cmrnet.interpretation.manifest import slice_distance, stack
from tests.interpretation.stack import frame, radius_px


def _inst(pos, t, n, url):
    return {"image_position": [0, 0, pos], "image_orientation": [1, 0, 0, 0, 1, 0], "trigger_time_ms": t,
            "instance_number": n, "frames": [url]}


def test_stack_groups_by_position_on_the_normal_and_orders_phases_by_trigger_time():
    instances = [_inst(16, 40, 9, "c1"), _inst(0, 40, 2, "a1"), _inst(8, 0, 5, "b0"), _inst(0, 0, 1, "a0"),
                 _inst(16, 0, 8, "c0"), _inst(8, 40, 6, "b1")]
    slices = stack(instances)
    assert [s["position"] for s in slices] == [0, 8, 16]
    assert [s["frames"] for s in slices] == [["a0", "a1"], ["b0", "b1"], ["c0", "c1"]]
    assert slice_distance(slices, None, 6.0) == 8.0   # measured positions win over the thickness


def test_oblique_stack_uses_the_slice_normal_not_z():
    # rows along x, columns along z: the normal is -y; positions differ in y only
    o = [1, 0, 0, 0, 0, 1]
    instances = [{"image_position": [5, y, 3], "image_orientation": o, "trigger_time_ms": 0, "instance_number": i,
                  "frames": [f"s{i}"]} for i, y in enumerate([20, 10, 0])]
    slices = stack(instances)
    assert len(slices) == 3 and slice_distance(slices, None, None) == 10.0


def test_without_positions_each_image_is_a_slice_and_spacing_falls_back():
    slices = stack([{"frames": ["x"], "instance_number": 2}, {"frames": ["y"], "instance_number": 1}])
    assert [s["frames"] for s in slices] == [["y"], ["x"]]
    assert slice_distance(slices, 10.0, 8.0) == 10.0
    assert slice_distance(slices, None, None) == 1.0


@pytest.mark.django_db
def test_case_manifest_and_raw_frames_for_a_member(client_for, cine_case, trainee):
    client = client_for(trainee)
    data = client.get(f"/interpretation/cases/{cine_case.pk}/manifest.json").json()
    (series,) = data["series"]
    assert (series["rows"], series["columns"], series["frame_time_ms"]) == (64, 64, 40.0)
    assert series["pixel_spacing"] == [1.5, 1.5] and series["slice_distance_mm"] == 8.0
    assert len(series["slices"]) == 3 and all(len(s["frames"]) == 4 for s in series["slices"])
    body = client.get(series["slices"][1]["frames"][2]).content
    expected = frame(64, 64, radius_px(2, 4)).astype("<u2").tobytes()
    assert body == expected                              # the stored values, byte for byte
    assert np.frombuffer(body, "<u2")[0] == 4095
    api = client.get(f"/api/v1/library-cases/{cine_case.pk}/viewer-manifest/")
    assert api.status_code == 200 and api.json() == data


@pytest.mark.django_db
def test_manifest_is_404_for_someone_outside_the_network(cine_case, client):
    from cmrnet.people.models import User

    outsider = User.objects.create_user(email="x@example.org", password="x-very-long-pass-1", full_name="X")
    client.force_login(outsider)
    assert client.get(f"/interpretation/cases/{cine_case.pk}/manifest.json").status_code == 404
    assert client.get(f"/api/v1/library-cases/{cine_case.pk}/viewer-manifest/").status_code == 404


@pytest.mark.django_db
def test_instances_in_quarantine_are_not_in_the_manifest(client_for, cine_case, trainee):
    from cmrnet.library.models import Instance

    hidden = Instance.objects.filter(series__study__case=cine_case).order_by("pk").first()
    hidden.quarantine_status = "pending"
    hidden.save()
    data = client_for(trainee).get(f"/interpretation/cases/{cine_case.pk}/manifest.json").json()
    urls = [u for s in data["series"][0]["slices"] for u in s["frames"]]
    assert len(urls) == 11 and f"/library/instances/{hidden.pk}/frames/1" not in urls


@pytest.mark.django_db
def test_the_whole_stack_in_one_batch_request_equals_the_single_frames(client_for, cine_case, trainee):
    """The viewer loads a series through its batch endpoint: the manifest's keys in one request give, part by
    part and in the order asked, exactly the bytes of the single-frame endpoint."""
    from cmrnet.library.dicomweb import decode_multipart

    client = client_for(trainee)
    (series,) = client.get(f"/interpretation/cases/{cine_case.pk}/manifest.json").json()["series"]
    keys = [k for s in series["slices"] for k in s["keys"]]
    urls = [u for s in series["slices"] for u in s["frames"]]
    assert len(keys) == len(urls) == 12 and series["frames_url"] == f"/library/series/{series['id']}/frames"
    assert [f"/library/instances/{k.split(':')[0]}/frames/{k.split(':')[1]}" for k in keys] == urls
    response = client.get(series["frames_url"], {"f": ",".join(reversed(keys))})
    assert response.status_code == 200
    parts = decode_multipart(response.content, response["Content-Type"])
    assert parts == [client.get(u).content for u in reversed(urls)]
