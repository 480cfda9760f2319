"""Documents in English: each upload has a language; a non-English document needs an English translation
before submission, and the refusal names the document (seed 004: "Any document in the local language must be
accompanied by an English translation")."""

import pytest
from django.core.exceptions import ValidationError

from cmrnet.certification import selectors, services
from cmrnet.certification.languages import Doc, needing_translation, refusal
from cmrnet.certification.models import Document
from tests.certification.helpers import pdf_upload


# --- the pure rule ----------------------------------------------------------------------------------------

def test_english_documents_need_nothing():
    assert needing_translation([Doc(1, "a", "en"), Doc(2, "b", "en")]) == []


def test_a_german_document_needs_a_translation_until_an_english_one_names_it():
    german = Doc(1, "Document 'registration'", "de")
    assert needing_translation([german]) == [german]
    assert needing_translation([german, Doc(2, "t", "en", translation_of=1)]) == []
    assert needing_translation([german, Doc(2, "t", "fr", translation_of=1)]) == [german]  # not English
    assert needing_translation([german, Doc(2, "t", "en", translation_of=9)]) == [german]  # translates another


def test_the_refusal_names_the_document_and_its_language():
    assert refusal(Doc(1, "Document 'Medical registration: Approbation'", "de")) == (
        "Document 'Medical registration: Approbation' is in German: upload its English translation before submitting.")


# --- the application --------------------------------------------------------------------------------------

def test_submission_is_refused_naming_the_untranslated_document_then_accepted_with_its_translation(
        signed, candidate, today):
    german = services.upload_document(by=candidate, application=signed, kind="registration", file=pdf_upload("de.pdf"),
                                      title="Approbationsurkunde", language="de")
    blockers = selectors.verdict(signed, today=today).blockers
    assert blockers == ["Document 'Medical registration: Approbationsurkunde' is in German: upload its English "
                        "translation before submitting."]
    with pytest.raises(ValidationError, match="Approbationsurkunde' is in German"):
        services.submit(by=candidate, application=signed, today=today)
    services.upload_document(by=candidate, application=signed, kind="translation", file=pdf_upload("en.pdf"),
                             language="en", translation_of=german)
    snapshot = services.submit(by=candidate, application=signed, today=today)
    documents = {d["language"] for d in snapshot_manifest(snapshot)["documents"]}
    assert documents == {"en", "de"}


def snapshot_manifest(snapshot):
    import json
    import zipfile

    with snapshot.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        return json.loads(archive.read("application.json"))


def test_a_translation_must_be_english_and_name_a_non_english_document_of_the_application(draft, candidate):
    english = Document.objects.filter(application=draft).first()
    german = services.upload_document(by=candidate, application=draft, kind="other", file=pdf_upload(), language="de")
    with pytest.raises(ValidationError) as exc:
        services.upload_document(by=candidate, application=draft, kind="translation", file=pdf_upload())
    assert "translation_of" in exc.value.message_dict
    with pytest.raises(ValidationError, match="English version"):
        services.upload_document(by=candidate, application=draft, kind="translation", file=pdf_upload(),
                                 language="fr", translation_of=german)
    with pytest.raises(ValidationError, match="English version"):
        services.upload_document(by=candidate, application=draft, kind="translation", file=pdf_upload(),
                                 language="en", translation_of=english)
    with pytest.raises(ValidationError, match="Only an English translation"):
        services.upload_document(by=candidate, application=draft, kind="other", file=pdf_upload(), translation_of=german)
    with pytest.raises(ValidationError, match="Unknown language"):
        services.upload_document(by=candidate, application=draft, kind="other", file=pdf_upload(), language="xx")


def test_the_page_uploads_with_a_language_and_links_the_translation(draft, candidate, client_for):
    client = client_for(candidate)
    client.post(f"/certification/applications/{draft.pk}/documents/",
                {"kind": "registration", "language": "it", "title": "Iscrizione", "file": pdf_upload()})
    italian = Document.objects.get(language="it")
    page = client.get(f"/certification/applications/{draft.pk}/").content.decode()
    assert "Iscrizione" in page and "is in Italian" in page
    client.post(f"/certification/applications/{draft.pk}/documents/",
                {"kind": "translation", "language": "en", "translation_of": str(italian.pk), "file": pdf_upload()})
    assert Document.objects.get(kind="translation").translation_of == italian
    assert "is in Italian" not in client.get(f"/certification/applications/{draft.pk}/").content.decode()
