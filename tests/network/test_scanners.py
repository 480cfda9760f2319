"""Scanners per centre: the console's VNC secret is sealed at rest and never rendered or serialised."""

import pytest

from cmrnet.audit.models import AuditEntry
from cmrnet.network import services
from cmrnet.network.models import Scanner

SECRET = "Console-Pa55!"


@pytest.fixture
def scanner(centre):
    return services.create_scanner(by=None, centre=centre, name="MR 1", vendor="siemens", model="MAGNETOM Sola",
                                   field_strength="1.5T", vnc_host="console-mr1.local", vnc_port=5900, vnc_secret=SECRET)


def test_the_secret_is_sealed_in_the_database(scanner):
    row = Scanner.objects.values("vnc_secret_sealed").get(pk=scanner.pk)
    assert SECRET not in row["vnc_secret_sealed"] and row["vnc_secret_sealed"].startswith("gAAAA")  # a Fernet token
    assert Scanner.objects.get(pk=scanner.pk).vnc_secret() == SECRET


def test_a_different_key_cannot_open_it(scanner, settings):
    settings.CMRNET_FIELD_ENCRYPTION_KEY = "another key"
    with pytest.raises(ValueError, match="cannot be opened"):
        Scanner.objects.get(pk=scanner.pk).vnc_secret()


def test_the_audit_says_the_secret_changed_never_its_value(scanner, admin):
    services.update_scanner(by=admin, scanner=scanner, vnc_secret="new-one")
    services.update_scanner(by=admin, scanner=scanner, clear_vnc_secret=True)
    entries = AuditEntry.objects.filter(object_type="network.scanner").order_by("id")
    assert [e.changes.get("vnc_secret") for e in entries] == [["none", "set"], ["set", "replaced"], ["set", "cleared"]]
    assert not any(SECRET in str(e.changes) or "new-one" in str(e.changes) for e in entries)


def test_pages_and_api_never_show_the_secret(client, admin, trainee, scanner, centre):
    client.force_login(admin)
    for url in (f"/network/centres/{centre.pk}/scanners/", f"/network/scanners/{scanner.pk}/edit/", f"/network/centres/{centre.pk}/"):
        html = client.get(url).content.decode()
        assert SECRET not in html and scanner.vnc_secret_sealed not in html
    edit = client.get(f"/network/scanners/{scanner.pk}/edit/").content.decode()
    assert 'type="password"' in edit and "stored (sealed" in edit
    client.force_login(trainee)
    data = client.get(f"/api/v1/scanners/{scanner.pk}/").json()
    assert data == {"id": scanner.pk, "centre": centre.pk, "name": "MR 1", "vendor": "siemens", "model": "MAGNETOM Sola",
                    "field_strength": "1.5T", "active": True, "vnc_configured": True}
    assert "console-mr1.local" not in client.get(f"/network/centres/{centre.pk}/scanners/").content.decode()


def test_an_administrator_adds_a_scanner_through_the_page(client, admin, centre):
    client.force_login(admin)
    response = client.post(f"/network/centres/{centre.pk}/scanners/", {
        "name": "MR 2", "vendor": "philips", "model": "Ingenia", "field_strength": "3T", "active": "on",
        "vnc_host": "10.1.2.3", "vnc_port": "5901", "vnc_secret": "abc"})
    assert response.status_code == 302
    created = Scanner.objects.get(name="MR 2")
    assert created.vnc_secret() == "abc" and created.vnc_port == 5901


def test_an_empty_password_keeps_the_stored_one(client, admin, scanner):
    client.force_login(admin)
    client.post(f"/network/scanners/{scanner.pk}/edit/", {"name": "MR 1", "vendor": "siemens", "model": "MAGNETOM Sola",
                                                           "field_strength": "1.5T", "active": "on", "vnc_host": "console-mr1.local",
                                                           "vnc_port": "5900", "vnc_secret": ""})
    assert Scanner.objects.get(pk=scanner.pk).vnc_secret() == SECRET


@pytest.mark.parametrize("host", ["http://console", "console:5900", "a/b", "-bad"])
def test_a_host_with_scheme_port_or_path_is_refused(client, admin, centre, host):
    client.force_login(admin)
    response = client.post(f"/network/centres/{centre.pk}/scanners/", {
        "name": "MR 3", "vendor": "ge", "model": "Signa", "field_strength": "1.5T", "vnc_host": host, "vnc_port": "5900"})
    assert response.status_code == 200 and "A host name or IP address only" in response.content.decode()
    assert not Scanner.objects.filter(name="MR 3").exists()


def test_the_director_of_another_centre_cannot_add_scanners(client, make_person, other_centre, centre):
    director = make_person("dora@example.org", "programme_director", at=other_centre)
    client.force_login(director)
    assert client.post(f"/network/centres/{centre.pk}/scanners/", {"name": "X"}).status_code == 403
