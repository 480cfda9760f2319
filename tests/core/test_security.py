from django.test import Client


def test_pages_carry_security_headers(client_for, trainee):
    response = client_for(trainee).get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_forms_refuse_posts_without_a_csrf_token(trainee, centre):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(trainee)
    response = strict.post(f"/people/{trainee.pk}/edit/", {"full_name": "X"})
    assert response.status_code == 403
    trainee.refresh_from_db()
    assert trainee.full_name == "Tara Trainee"


def test_pages_load_no_asset_from_another_host(client_for, admin):
    body = client_for(admin).get("/network/").content.decode()
    assert "<script src=\"/static/" in body
    assert "http://" not in body.split("<body")[0] and "https://" not in body.split("<body")[0]


def test_uploaded_evidence_must_be_a_pdf_or_image(client_for, trainee):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("acls.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client_for(trainee).post(f"/people/{trainee.pk}/edit/", {
        "full_name": "Tara Trainee", "specialty": "cardiology", "languages": "en", "acls_evidence": fake})
    assert response.status_code == 200
    assert "not a PDF, PNG or JPEG" in response.content.decode()
    trainee.refresh_from_db()
    assert not trainee.acls_evidence
