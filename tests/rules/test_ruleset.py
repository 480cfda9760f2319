"""Rule set files: shipped contents, site additions, validation errors."""

from datetime import date
from pathlib import Path

import pytest

from cmrnet.rules import RuleSetError, available_rulesets, evaluate, load_ruleset
from cmrnet.rules.model import DEFAULT_CATEGORIES
from cmrnet.rules.ruleset import SHIPPED_DIR
from cmrnet.rules.testing import make_compliant_application

from .helpers import modify

EACVI_RULE_IDS = {
    "case_count", "normal_share", "course_share", "course_duplicates", "other_centre_count",
    "category_minimums", "window_24_months", "exam_window", "submission_deadline", "recent_window",
    "new_cases", "patient_unique", "role_primary", "control_room", "supervisor_level3",
    "training_months", "cme_hours", "exam_passed", "registration", "acls", "level2_current",
    "peer_recognition", "supervisor_declaration", "course_review", "level1_knowledge",
}


def test_shipped_rulesets_are_available():
    found = available_rulesets()
    assert {"eacvi-2025", "scmr-2018"} <= set(found)
    assert "cme_catalogue" not in found


def test_eacvi_has_four_routes_and_every_rule_with_a_source():
    ruleset = load_ruleset("eacvi-2025")
    assert list(ruleset.routes) == ["level1", "level2", "level3-via-level2", "level3-direct"]
    assert [ruleset.route(r).level for r in ruleset.routes] == [1, 2, 3, 3]
    assert set(ruleset.rules) == EACVI_RULE_IDS
    assert all(info.source.strip() for info in ruleset.rules.values())
    assert set(ruleset.categories) == set(DEFAULT_CATEGORIES)


def test_contradictions_use_table2_and_the_two_year_rule():
    ruleset = load_ruleset("eacvi-2025")
    assert ruleset.route("level3-direct").params["other_centre_max"] == 150
    assert ruleset.route("level2").params["submission_deadline_years"] == 2
    assert ruleset.route("level3-direct").params["submission_deadline_years"] == 2
    text = (SHIPPED_DIR / "eacvi-2025.toml").read_text()
    assert "one-year window" in text and "Up to 75 cases can be" in text


@pytest.mark.parametrize("route, cases, months, cme", [
    ("level2", 150, 3, 25), ("level3-via-level2", 150, 9, 25), ("level3-direct", 300, 12, 50)])
def test_route_parameters_match_table2(route, cases, months, cme):
    params = load_ruleset("eacvi-2025").route(route).params
    assert (params["cases_min"], params["training_months_min"], params["cme_hours_min"]) == (cases, months, cme)


def test_scmr_is_marked_to_be_confirmed_and_has_three_levels():
    ruleset = load_ruleset("scmr-2018")
    assert "TO BE CONFIRMED" in ruleset.status
    assert list(ruleset.routes) == ["level1", "level2", "level3"]
    assert ruleset.route("level3").params["cases_interpreted_min"] == 300


def test_scmr_counts_primary_operator_as_performed_and_interpreted_and_reporting_as_interpreted():
    data = make_compliant_application("level2", cases=150)
    data = modify(data, range(150), role="reporting")
    data = modify(data, range(50), role="primary_operator")
    ev = evaluate(load_ruleset("scmr-2018"), "level2", data, today=date(2026, 1, 1))
    assert ev.rule("cases_performed").numbers == {"have": 50, "need": 50}
    assert ev.rule("cases_interpreted").numbers == {"have": 150, "need": 150}
    observed = modify(data, [149], role="observer")
    ev = evaluate(load_ruleset("scmr-2018"), "level2", observed, today=date(2026, 1, 1))
    assert ev.rule("cases_interpreted").status == "not_met"


def test_unknown_route_and_unknown_ruleset_raise():
    with pytest.raises(RuleSetError, match="unknown route 'level9'"):
        load_ruleset("eacvi-2025").route("level9")
    with pytest.raises(RuleSetError, match="unknown rule set 'nope'"):
        load_ruleset("nope")


def _site_copy(tmp_path: Path, replace_from: str = "", replace_to: str = "", name="site-2026") -> Path:
    text = (SHIPPED_DIR / "eacvi-2025.toml").read_text().replace('id = "eacvi-2025"', f'id = "{name}"')
    text = text.replace('cme_catalogue = "cme_catalogue.toml"', "")
    if replace_from:
        assert replace_from in text
        text = text.replace(replace_from, replace_to, 1)
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return path


def test_a_site_adds_its_own_ruleset_through_a_directory(tmp_path):
    _site_copy(tmp_path, "minimum = { level2 = 5, level3-via-level2 = 5, level3-direct = 10 }\n\n[categories.aortic",
               "minimum = { level2 = 12, level3-via-level2 = 5, level3-direct = 10 }\n\n[categories.aortic")
    assert "site-2026" in available_rulesets([tmp_path])
    ruleset = load_ruleset("site-2026", [tmp_path])
    assert ruleset.id == "site-2026"
    assert ruleset.categories["congenital"].minimums["level2"] == 12


def test_ruleset_loads_from_a_path(tmp_path):
    assert load_ruleset(_site_copy(tmp_path)).id == "site-2026"


@pytest.mark.parametrize("old, new, key", [
    ("cases_min = 150", 'cases_min = "many"', "routes.level2.params.cases_min"),
    ("normal_share_max = 0.10", "normal_share_max = 1.5", "routes.level2.params.normal_share_max"),
    ("cases_min = 150", "", "routes.level2.params.cases_min"),
    ('"case_count", "normal_share"', '"case_count", "normal_shares"', "routes.level2.rules"),
    ('[rules.acls]\ntitle', '[rules.aclz]\ntitle', "rules.aclz"),
    ("minimum = { level2 = 10,", "minimum = { level7 = 10,", "categories.ischaemic.minimum.level7"),
    ("cme_hours_min = 25", "cme_hours_min = 25\nsurprise = 1", "routes.level2.params.surprise"),
])
def test_invalid_ruleset_error_names_file_and_key(tmp_path, old, new, key):
    path = _site_copy(tmp_path, old, new)
    with pytest.raises(RuleSetError) as error:
        load_ruleset(path)
    assert str(error.value).startswith(f"site-2026.toml: key {key}:")


def test_a_case_window_of_no_months_is_refused_with_its_reason(tmp_path):
    """A 0-month window would hold no case (and left the window rule without a counted case to name)."""
    with pytest.raises(RuleSetError) as error:
        load_ruleset(_site_copy(tmp_path, "\nwindow_months = 24", "\nwindow_months = 0"))
    assert str(error.value) == ("site-2026.toml: key routes.level2.params.window_months: expected a number of "
                                "months (1 or more), got 0")
    assert load_ruleset(_site_copy(tmp_path, "\nwindow_months = 24", "\nwindow_months = 1")).route(
        "level2").params["window_months"] == 1


def test_invalid_toml_names_the_file(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text("[ruleset\n")
    with pytest.raises(RuleSetError, match="broken.toml: not valid TOML"):
        load_ruleset(path)


def test_a_category_without_a_minimum_for_the_route_needs_none(tmp_path):
    """A site's category with minimums for some routes only: on the others it needs 0 cases (mutation
    survivors of category_minimums' default, issue 9)."""
    from dataclasses import replace

    path = _site_copy(tmp_path, "minimum = { level2 = 0, level3-via-level2 = 0, level3-direct = 0 }",
                      "minimum = { level3-direct = 0 }")
    ruleset = load_ruleset(path)
    assert "level2" not in ruleset.categories["other"].minimums
    data = make_compliant_application("level2")
    data = replace(data, cases=tuple(replace(c, category="ischaemic") if c.category == "other" else c
                                     for c in data.cases))
    result = evaluate(ruleset, "level2", data, today=date(2026, 1, 1)).rule("category_minimums")
    assert result.status == "met" and result.message == "every category has its minimum"
    assert result.numbers["other"] == {"have": 0, "need": 0}
