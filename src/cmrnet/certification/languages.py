"""Documents in English (seed 004, *Logbook*: "The application must be submitted in English. Any document
in the local language must be accompanied by an English translation."). Pure: no database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf.global_settings import LANGUAGES

ENGLISH = "en"
LANGUAGE_CHOICES = sorted({(code.split("-")[0], name) for code, name in LANGUAGES if "-" not in code},
                          key=lambda pair: (pair[0] != ENGLISH, pair[1]))
LANGUAGE_NAMES = dict(LANGUAGE_CHOICES)


@dataclass(frozen=True)
class Doc:
    id: int
    label: str
    language: str
    translation_of: int | None = None


def needing_translation(documents: Iterable[Doc]) -> list[Doc]:
    """Non-English documents without an English translation among `documents` (a translation is itself
    exempt; a translation that is not in English translates nothing)."""
    documents = list(documents)
    translated = {d.translation_of for d in documents if d.translation_of is not None and d.language == ENGLISH}
    return [d for d in documents if d.translation_of is None and d.language != ENGLISH and d.id not in translated]


def refusal(doc: Doc) -> str:
    """The sentence naming the document that blocks submission."""
    return (f"{doc.label} is in {LANGUAGE_NAMES.get(doc.language, doc.language)}: upload its English translation "
            "before submitting.")
