"""Fixtures for the psychometrics tests (no database, no Django)."""

import os
from pathlib import Path

import pytest


def _default_reference_dir() -> Path:
    """shared/reference-data/psychometrics beside the checkout (or beside a copy of it one
    level deeper, as mutmut's ./mutants is)."""
    tail = Path("shared", "reference-data", "psychometrics")
    for parent in Path(__file__).resolve().parents:
        if (parent / tail).is_dir():
            return parent / tail
    return Path(__file__).resolve().parents[3] / tail


REFERENCE_DIR = Path(os.environ.get("CMRNET_PSYCHOMETRICS_REFERENCE", _default_reference_dir()))


@pytest.fixture(scope="session")
def ref() -> Path:
    """Directory of the published reference data sets (README.md and CSVs)."""
    if not (REFERENCE_DIR / "README.md").is_file():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true and the published reference data is missing at {REFERENCE_DIR}")
        pytest.skip(f"reference data not found at {REFERENCE_DIR} "
                    "(set CMRNET_PSYCHOMETRICS_REFERENCE)")
    return REFERENCE_DIR


@pytest.fixture(autouse=True)
def _media_in_tmp():
    """Override the project-wide autouse fixture, which needs pytest-django's
    ``settings``: these tests use no Django, no media and no database, and must
    also run with ``-p no:django``."""
    yield
