"""Security issue, finding 6: an import preview's token is single use; replaying the confirm imports
nothing and says so."""

import re
import threading

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile

from cmrnet.logbook import services
from cmrnet.logbook.models import Case, ConfirmedImport
from cmrnet.logbook.patient_keys import patient_key
from cmrnet.logbook.views import IMPORT_SALT

pytestmark = pytest.mark.django_db
HEADER = "study_date,patient_id,category,normal,source,role"


def _token(client, trainee, day) -> str:
    client.force_login(trainee)
    text = f"{HEADER}\n{day},local-1,mass,no,own_centre,observer\n{day},local-2,valvular,no,own_centre,observer\n"
    response = client.post("/logbook/import/", {"file": SimpleUploadedFile("c.csv", text.encode())})
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def test_a_replayed_confirm_imports_nothing_and_says_so(supervised, day, client):
    token = _token(client, supervised, day)
    assert client.post("/logbook/import/confirm/", {"token": token}).status_code == 302
    assert Case.objects.filter(trainee=supervised).count() == 2
    response = client.post("/logbook/import/confirm/", {"token": token}, follow=True)
    assert "This preview was already imported" in response.content.decode()
    assert "nothing was imported again" in response.content.decode()
    assert Case.objects.filter(trainee=supervised).count() == 2
    assert ConfirmedImport.objects.get(trainee=supervised).cases == 2


def test_two_previews_of_the_same_file_are_two_imports(supervised, day, client):
    first, second = _token(client, supervised, day), _token(client, supervised, day)
    assert first != second
    client.post("/logbook/import/confirm/", {"token": first})
    client.post("/logbook/import/confirm/", {"token": second})
    assert Case.objects.filter(trainee=supervised).count() == 4


def test_a_failed_confirm_leaves_the_token_usable(supervised, mentor, day, client):
    token = _token(client, supervised, day)
    services.add_case(by=supervised, trainee=supervised, data=services.CaseInput(
        study_date=day, patient_key=patient_key("local-9"), category="mass", supervisor_id=mentor.pk, case_id="C0001"))
    payload = signing.loads(token, salt=IMPORT_SALT)
    payload["rows"][0]["case_id"] = "C0001"
    clash = signing.dumps(payload, salt=IMPORT_SALT, compress=True)
    response = client.post("/logbook/import/confirm/", {"token": clash}, follow=True)
    assert "Nothing was imported" in response.content.decode()
    assert not ConfirmedImport.objects.exists()
    payload["rows"][0]["case_id"] = ""
    client.post("/logbook/import/confirm/", {"token": signing.dumps(payload, salt=IMPORT_SALT, compress=True)})
    assert Case.objects.filter(trainee=supervised).count() == 3


def test_a_token_without_an_id_is_refused(supervised, day, client):
    payload = signing.loads(_token(client, supervised, day), salt=IMPORT_SALT)
    del payload["id"]
    response = client.post("/logbook/import/confirm/", {"token": signing.dumps(payload, salt=IMPORT_SALT)}, follow=True)
    assert "The preview has expired" in response.content.decode()
    assert not Case.objects.filter(trainee=supervised).exists()


@pytest.mark.django_db(transaction=True)
def test_two_confirms_at_once_import_once(supervised, day, client):
    from django.db import connection
    from django.test import Client

    if connection.vendor != "postgresql":
        pytest.skip("the in-memory SQLite test database cannot serve two threads; the PostgreSQL run checks this")
    token = _token(client, supervised, day)
    results = []

    def confirm():
        c = Client()
        c.force_login(supervised)
        try:
            results.append(c.post("/logbook/import/confirm/", {"token": token}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert results == [302, 302]
    assert Case.objects.filter(trainee=supervised).count() == 2
