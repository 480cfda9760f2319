"""The dashboard lists each missing action once, even when two rules need it ("enter the exam date")."""

from types import SimpleNamespace as NS

from cmrnet.logbook.progress import route_panel


def _rule(rule_id, missing):
    return NS(id=rule_id, met=False, missing=tuple(missing), title=rule_id, message="", status="not_met", numbers={})


def test_a_missing_action_needed_by_two_rules_is_listed_once():
    ruleset = NS(id="eacvi-2025", body="EACVI", status="current", routes={"level2": NS(label="EACVI Level 2")})
    evaluation = NS(route="level2", warnings=[], allocations=[], rules=[
        _rule("exam_window", ["enter the exam date"]),
        _rule("submission_deadline", ["enter the exam date", "apply before the deadline"]),
        _rule("acls", ["renew the ACLS"]),
    ])
    panel = route_panel(ruleset, evaluation)
    assert panel["missing"] == ["enter the exam date", "apply before the deadline", "renew the ACLS"]
