"""exam_passed, registration, acls, level2_current, peer_recognition, supervisor_declaration."""

from dataclasses import replace
from datetime import date

import pytest

from cmrnet.rules import PeerRecognition

from .helpers import candidate, compliant, rule, status

L3 = "level3-direct"
VIA = "level3-via-level2"


def test_exam_not_passed_is_not_met():
    assert status(compliant(), "exam_passed") == "met"
    assert status(candidate(compliant(), exam_passed=False), "exam_passed") == "not_met"


@pytest.mark.parametrize("field, rule_id", [("registration_valid_until", "registration"),
                                            ("acls_valid_until", "acls")])
def test_validity_on_the_application_date_is_inclusive(field, rule_id):
    data = compliant()
    applied = data.candidate.application_date
    assert status(candidate(data, **{field: applied}), rule_id) == "met"
    day_before = date.fromordinal(applied.toordinal() - 1)
    result = rule(candidate(data, **{field: day_before}), rule_id)
    assert result.status == "not_met"
    assert "expired" in result.message


def test_missing_registration_date_is_not_met():
    assert rule(candidate(compliant(), registration_valid_until=None), "registration").message == \
        "no registration date given"


def test_level2_expired_before_application_is_not_current():
    data = compliant(VIA)
    level2 = data.candidate.level2
    applied = data.candidate.application_date
    expired = replace(level2, valid_until=date.fromordinal(applied.toordinal() - 1))
    result = rule(candidate(data, level2=expired), "level2_current", VIA)
    assert result.status == "not_met"
    assert "expired" in result.message
    assert status(candidate(data, level2=replace(level2, valid_until=applied)), "level2_current", VIA) == "met"


@pytest.mark.parametrize("peer, expected", [
    (PeerRecognition(cme_faculty=2), "met"),
    (PeerRecognition(cme_faculty=1), "not_met"),
    (PeerRecognition(invited_talks=2), "met"),
    (PeerRecognition(invited_talks=1), "not_met"),
    (PeerRecognition(publications=3), "met"),
    (PeerRecognition(publications=2), "not_met"),
    (PeerRecognition(first_author_orals=2), "met"),
    (PeerRecognition(first_author_orals=1), "not_met"),
    (PeerRecognition(posters=10), "not_met"),
    (PeerRecognition(cme_faculty=1, invited_talks=1, publications=2, first_author_orals=1), "not_met"),
])
def test_peer_recognition_alternatives(peer, expected):
    assert status(candidate(compliant(L3), peer_recognition=peer), "peer_recognition", L3) == expected


def test_posters_are_said_not_to_count():
    result = rule(candidate(compliant(L3), peer_recognition=PeerRecognition(posters=4)), "peer_recognition", L3)
    assert "posters do not count" in result.message


def test_supervisor_declaration_must_be_signed():
    result = rule(candidate(compliant(), supervisor_declaration=False), "supervisor_declaration")
    assert (result.status, result.missing) == ("not_met", ("the supervisor's declaration must be signed",))
