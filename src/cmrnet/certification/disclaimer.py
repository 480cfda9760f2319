"""The disclaimer every certificate, the register and the verification page carry.

Seed 004 (EACVI, *Exam - Eligibility*): "The EACVI CMR Certification is not a compulsory or regulatory
certificate of competence or excellence. Individuals' rights to report and sign clinical studies in
individual countries remain to be defined by national laws and regulations."
"""

from __future__ import annotations

SEED_SENTENCE = (
    "The {body} CMR Certification is not a compulsory or regulatory certificate of competence or excellence. "
    "Individuals' rights to report and sign clinical studies in individual countries remain to be defined by "
    "national laws and regulations."
)

REGISTER_SENTENCE = (
    "The CMR certifications listed here are not compulsory or regulatory certificates of competence or excellence. "
    "Individuals' rights to report and sign clinical studies in individual countries remain to be defined by "
    "national laws and regulations."
)


def disclaimer(body: str) -> str:
    """The seed's sentence for the certifying body (EACVI's own words; the same reading for SCMR)."""
    return SEED_SENTENCE.format(body=body)
