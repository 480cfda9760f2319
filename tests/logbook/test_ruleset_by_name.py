"""Security issue, finding 1 (the same class elsewhere): the evaluation API's ?ruleset= is a rule-set
name, never a path the server would read."""

import shutil

import pytest
from rest_framework.test import APIClient

from cmrnet.rules.ruleset import SHIPPED_DIR

pytestmark = pytest.mark.django_db


def _evaluate(user, ruleset: str):
    api = APIClient()
    api.force_authenticate(user)
    return api.get("/api/v1/logbook/evaluation/", {"ruleset": ruleset, "route": "level2"})


def test_a_path_to_a_rule_set_file_on_the_server_is_not_loaded(supervised, tmp_path):
    planted = tmp_path / "planted.toml"
    text = (SHIPPED_DIR / "eacvi-2025.toml").read_text().replace('id = "eacvi-2025"', 'id = "planted"')
    planted.write_text(text)
    shutil.copy(SHIPPED_DIR / "cme_catalogue.toml", tmp_path / "cme_catalogue.toml")
    response = _evaluate(supervised, str(planted))
    assert response.status_code == 400
    assert "unknown rule set" in response.json()["detail"]


def test_existing_and_missing_paths_get_the_same_answer(supervised, tmp_path):
    existing = tmp_path / "x.toml"
    existing.write_text("[ruleset\n")
    answers = [_evaluate(supervised, str(path)).json()["detail"].replace(str(path), "PATH")
               for path in (existing, tmp_path / "missing.toml")]
    assert answers[0] == answers[1]


def test_a_shipped_rule_set_by_name_still_works(supervised):
    response = _evaluate(supervised, "eacvi-2025")
    assert response.status_code == 200 and response.json()["ruleset"] == "eacvi-2025"
