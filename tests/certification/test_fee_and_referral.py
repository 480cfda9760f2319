"""The recertification fee category is recorded (no payment); a misconduct revocation can record a referral."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from cmrnet.audit.models import AuditEntry
from cmrnet.certification import services
from cmrnet.certification.models import Application, MisconductDecision

IN_WINDOW = dt.date(2031, 6, 1)


@pytest.mark.parametrize("category", ["member", "non_member"])
def test_the_fee_category_is_recorded_on_the_recertification_and_in_the_audit(certificate, candidate, category):
    app = services.open_recertification(by=candidate, certificate=certificate, continuing_practice="Scanning.",
                                        fee_category=category, today=IN_WINDOW)
    app.refresh_from_db()
    assert app.fee_category == category
    entry = AuditEntry.objects.get(action="application.opened", object_id=str(app.pk))
    assert entry.data["fee_category"] == category


@pytest.mark.parametrize("category", ["", "silver", "free"])
def test_a_recertification_without_a_known_fee_category_is_refused(certificate, candidate, category):
    with pytest.raises(ValidationError, match="fee category"):
        services.open_recertification(by=candidate, certificate=certificate, continuing_practice="Scanning.",
                                      fee_category=category, today=IN_WINDOW)
    assert not Application.objects.filter(kind=Application.Kind.RECERTIFICATION).exists()


def test_the_recertify_page_records_the_category_and_the_application_shows_it(certificate, candidate, client_for,
                                                                                settings):
    from unittest import mock

    client = client_for(candidate)
    with mock.patch("django.utils.timezone.localdate", return_value=IN_WINDOW):
        page = client.get(f"/certification/certificates/{certificate.pk}/recertify/").content.decode()
        assert "EUR 75" in page and "EUR 200" in page
        response = client.post(f"/certification/certificates/{certificate.pk}/recertify/",
                               {"continuing_practice": "300 studies a year.", "fee_category": "non_member"})
    app = Application.objects.get(kind=Application.Kind.RECERTIFICATION)
    assert response.status_code == 302 and app.fee_category == "non_member"
    detail = client.get(f"/certification/applications/{app.pk}/").content.decode()
    assert "Non-member or EACVI Associate" in detail and "no payment" in detail
    api = client.get(f"/api/v1/certification/applications/{app.pk}/").json()
    assert api["fee_category"] == "non_member"


def test_a_revocation_records_the_referral_to_a_national_body(certificate, board_member, today):
    decision = services.revoke_for_misconduct(
        by=board_member, certificate=certificate, on=today, reason="Falsified cases.",
        referred_to="Landesärztekammer Bayern", referral_note="Letter ref. 2026/17: falsified supervisor signatures.")
    decision.refresh_from_db()
    assert decision.referred_to == "Landesärztekammer Bayern"
    assert decision.referral_note.startswith("Letter ref. 2026/17")
    entry = AuditEntry.objects.get(action="certificate.revoked")
    assert entry.data["referred_to"] == "Landesärztekammer Bayern"


def test_a_referral_note_without_a_body_is_refused_and_nothing_is_revoked(certificate, board_member, today):
    with pytest.raises(ValidationError, match="Name the national body"):
        services.revoke_for_misconduct(by=board_member, certificate=certificate, on=today, reason="Falsified.",
                                       referral_note="Grounds.")
    certificate.certification.refresh_from_db()
    assert not certificate.certification.revoked and not MisconductDecision.objects.exists()


def test_the_revoke_page_posts_the_referral(certificate, board_member, client_for, today):
    response = client_for(board_member).post(f"/certification/certificates/{certificate.pk}/revoke/", {
        "on": today.isoformat(), "reason": "Falsified cases.", "referred_to": "General Medical Council",
        "referral_note": "Ref GMC-1"})
    assert response.status_code == 302
    assert MisconductDecision.objects.get().referred_to == "General Medical Council"
