"""The "what is missing" list: one actionable line per thing to do."""

import dataclasses
import datetime as dt

from cmrnet.rules import evaluate
from cmrnet.rules.testing import make_compliant_application


def test_a_need_shared_by_two_rules_is_listed_once():
    data = make_compliant_application("level2")
    no_exam = dataclasses.replace(data, candidate=dataclasses.replace(data.candidate, exam_date=None, exam_passed=False))
    result = evaluate("eacvi-2025", "level2", no_exam, today=dt.date(2026, 11, 20))
    assert not result.compliant
    assert len(result.missing) == len(set(result.missing))
    assert sum("exam date" in line for line in result.missing) == 1
