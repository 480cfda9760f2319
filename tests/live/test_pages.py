"""The live pages say what they must (privacy, chat reminder) and leak nothing (no VNC endpoint or
secret in a room page); live notifications load only for on-call experts and waiting sites."""

import datetime as dt
import json
import re

from cmrnet.live.models import RotaEntry


def test_room_page_states_privacy_and_reminds_no_identifiers(client, trainee, room):
    client.force_login(trainee)
    html = client.get(f"/live/rooms/{room.pk}/").content.decode()
    assert "No recording or snapshot is stored." in html
    assert "No patient identifiers" in html and "The chat is kept with the session." in html


def test_room_config_carries_no_console_endpoint_or_secret(client, technologist, room, scanner):
    client.force_login(technologist)
    html = client.get(f"/live/rooms/{room.pk}/").content.decode()
    config = json.loads(re.search(r'<script id="room-config" type="application/json">(.*?)</script>', html).group(1))
    assert config["room"] == room.pk and config["local"] is True and config["iceServers"] == []
    assert "s3cret-vnc" not in html and "5901" not in html and scanner.vnc_secret_sealed not in html


def test_the_console_view_is_offered_to_local_people_only(client, technologist, remote_mentor, room):
    client.force_login(technologist)
    assert "Open this room as the scanner console" in client.get(f"/live/rooms/{room.pk}/").content.decode()
    assert '"kind": "console"' in client.get(f"/live/rooms/{room.pk}/?as=console").content.decode()
    client.force_login(remote_mentor)
    page = client.get(f"/live/rooms/{room.pk}/?as=console").content.decode()
    assert "Open this room as the scanner console" not in page and '"kind": "person"' in page


def test_notifications_load_for_on_call_experts_only(client, remote_mentor, trainee):
    RotaEntry.objects.create(expert=remote_mentor, weekday=0, starts=dt.time(8), ends=dt.time(18), time_zone="UTC")
    client.force_login(remote_mentor)
    assert "live/notify" in client.get("/").content.decode()
    client.force_login(trainee)
    assert "live/notify" not in client.get("/").content.decode()


def test_scan_control_panel_offers_hand_over_to_local_people(client, technologist, remote_mentor, room):
    client.force_login(technologist)
    panel = client.get(f"/live/rooms/{room.pk}/control/").content.decode()
    assert "Hand over the console" in panel and "Rita Remote" in panel
    assert re.search(r'value="view"[^>]*checked', panel) and not re.search(r'value="control"[^>]*checked', panel)  # view only by default
    client.force_login(remote_mentor)
    assert "stays with the site" in client.get(f"/live/rooms/{room.pk}/control/").content.decode()
    response = client.post(f"/live/rooms/{room.pk}/control/grant/", {"grantee": remote_mentor.pk, "mode": "control", "minutes": 10})
    assert "Only people at the site hand over scan control." in response.content.decode() or response.status_code == 403
