"""The demo readings: one assigned case to read, one reviewed reading with an anchored comment; idempotent."""

import pytest

from cmrnet.interpretation.models import Interpretation, Status


@pytest.mark.django_db
def test_demo_readings_are_there_once(client):
    from cmrnet.core.demo import load_demo
    from cmrnet.interpretation import demo

    load_demo()
    demo.load()   # a second run adds nothing (the whole demo twice is the library's and core's test)
    readings = Interpretation.objects.filter(trainee__email="trainee@demo.cmrnet.org")
    assert readings.count() == 2
    reviewed = readings.get(status=Status.REVIEWED)
    assert reviewed.full_review and reviewed.comments.get().series_id is not None
    rows = {r["field"]: r["status"] for r in reviewed.comparison}
    assert rows["lv_ef_pct"] == "agree" and rows["lv_esv_ml"] == "differ"     # 55 vs 60; 71 vs 60 ml
    assert readings.get(status=Status.DRAFT).assignment.mentor.email == "mentor@demo.cmrnet.org"
    client.force_login(reviewed.trainee)
    assert client.get(f"/interpretation/{reviewed.pk}/").status_code == 200
    assert "Bland-Altman" in client.get("/interpretation/progress/").content.decode()
