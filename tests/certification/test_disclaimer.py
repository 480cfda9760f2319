"""The disclaimer (seed 004, Exam - Eligibility) on the certificate PDF, the register and the verification page."""

from django.test import Client

from cmrnet.certification.disclaimer import REGISTER_SENTENCE, disclaimer
from tests.pdf_text import pdf_text

SEED = ("The EACVI CMR Certification is not a compulsory or regulatory certificate of competence or excellence. "
        "Individuals' rights to report and sign clinical studies in individual countries remain to be defined by "
        "national laws and regulations.")


def test_the_eacvi_disclaimer_is_the_seed_sentence_word_for_word():
    assert disclaimer("EACVI") == SEED
    assert disclaimer("SCMR").startswith("The SCMR CMR Certification is not a compulsory or regulatory certificate")


def test_the_certificate_pdf_carries_the_disclaimer(certificate, client_for, candidate):
    body = client_for(candidate).get(f"/certification/certificates/{certificate.pk}/pdf/").content
    assert SEED in pdf_text(body)


def test_the_verification_page_and_api_carry_the_disclaimer(certificate):
    page = Client().get(f"/certification/verify/{certificate.code}/").content.decode()
    assert SEED.replace("'", "&#x27;") in page
    api = Client().get(f"/api/v1/certification/verify/{certificate.code}/").json()
    assert api["disclaimer"] == SEED


def test_the_public_register_carries_the_disclaimer(db):
    page = Client().get("/certification/register/").content.decode()
    assert 'id="disclaimer"' in page
    assert REGISTER_SENTENCE.replace("'", "&#x27;") in page
    assert "not compulsory or regulatory certificates" in page and "national laws and regulations" in page
