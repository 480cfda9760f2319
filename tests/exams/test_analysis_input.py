"""The exam analysis reads a sitting's answers as arrays (values_list -> numpy), not model objects,
and gives the same statistics as building the response matrix from the Answer objects."""

import datetime as dt

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cmrnet import psychometrics as pm
from cmrnet.exams import scoring, services
from cmrnet.exams.models import Answer, FormItem
from cmrnet.people.roles import Role
from tests.exams import factories

pytestmark = pytest.mark.django_db

# keys A B C D E; eight candidates' answers ('-' omitted)
SHEETS = ["ABCDE", "ABCDA", "ABCCB", "ABDDE", "ACCDE", "BBCD-", "AACDE", "EBCAA"]


def _flag_defect(attempt, position):
    fi = FormItem.objects.get(form=attempt.registration.sitting.form, position=position)
    Answer.objects.update_or_create(attempt=attempt, form_item=fi, defaults={
        "defect_flag": True, "defect_comment": "two defensible answers", "updated_at": attempt.started_at})


@pytest.fixture
def sat(board_member, sitting, candidates):
    attempts = [factories.sit(c, sitting, sheet, board=board_member) for c, sheet in zip(candidates, SHEETS)]
    _flag_defect(attempts[0], 5)
    _flag_defect(attempts[5], 5)  # omitted the item and flagged it
    _flag_defect(attempts[3], 2)
    return attempts


def _from_model_objects(sitting, data):
    """The response matrix built the slow way, one Answer object at a time."""
    row = {a.pk: i for i, a in enumerate(data.attempts)}
    col = {fi.pk: j for j, fi in enumerate(data.form_items)}
    codes = np.full((len(data.attempts), len(data.form_items)), -1, dtype=np.int8)
    defects = dict.fromkeys(data.item_ids, 0)
    for answer in Answer.objects.filter(attempt__registration__sitting=sitting):
        if answer.choice:
            codes[row[answer.attempt_id], col[answer.form_item_id]] = "ABCDE".index(answer.choice)
        if answer.defect_flag:
            defects[data.item_ids[col[answer.form_item_id]]] += 1
    return codes, defects


def test_answers_load_as_the_same_matrix_and_defect_counts(sitting, sat):
    data = scoring.load(sitting)
    codes, defects = _from_model_objects(sitting, data)
    assert data.codes.dtype == np.int8
    np.testing.assert_array_equal(data.codes, codes)
    assert data.defects == defects == {"Q1": 0, "Q2": 1, "Q3": 0, "Q4": 0, "Q5": 2}
    by_name = {a.registration.candidate.full_name: data.codes[i] for i, a in enumerate(data.attempts)}
    np.testing.assert_array_equal(by_name["Candidate 05"], [1, 1, 2, 3, -1])  # B B C D omitted
    np.testing.assert_array_equal(by_name["Candidate 07"], [4, 1, 2, 0, 0])  # E B C A A


def test_analysis_of_the_arrays_equals_the_analysis_of_the_model_objects(sitting, sat):
    data = scoring.load(sitting)
    codes, defects = _from_model_objects(sitting, data)
    expected = pm.analyse_exam(item_ids=data.item_ids, codes=codes, key=data.key, defect_flags=defects)
    got = scoring.analyse(data)
    assert got.to_dict() == expected.to_dict()
    # and the values themselves, by hand from SHEETS
    assert [it.p for it in got.items] == [6 / 8, 6 / 8, 7 / 8, 6 / 8, 4 / 8]
    assert got.items[4].options["omitted"]["count"] == 1 and got.items[4].options["A"]["count"] == 2
    assert [it.defect_flags for it in got.items] == [0, 1, 0, 0, 2]
    assert "many_defect_flags" in got.items[4].flags  # 2 of 8 candidates


def test_a_started_attempt_without_answers_is_all_omitted(board_member, sitting, sat, make_person):
    late = make_person("late@example.org", Role.TRAINEE, full_name="Zed Late")
    factories.sit(late, sitting, "", board=board_member)
    data = scoring.load(sitting)
    assert data.attempts[-1].registration.candidate == late
    np.testing.assert_array_equal(data.codes[-1], [-1] * 5)
    assert scoring.candidate_scores(sitting, data)[-1].score == 0


def test_no_answers_yet(sitting):
    data = scoring.load(sitting)
    assert data.codes.shape == (0, 5) and data.defects == dict.fromkeys(data.item_ids, 0)


def test_loading_takes_the_same_number_of_queries_for_more_candidates(board_member, sitting, sat, make_person):
    with CaptureQueriesContext(connection) as eight:
        scoring.analyse(scoring.load(sitting))
    at = sitting.start_opens + dt.timedelta(minutes=10)
    for i in range(4):
        person = make_person(f"more{i}@example.org", Role.TRAINEE, full_name=f"More {i}")
        factories.sit(person, sitting, "ABCDE", board=board_member, at=at)
    with CaptureQueriesContext(connection) as twelve:
        data = scoring.load(sitting)
        scoring.analyse(data)
    assert len(data.attempts) == 12
    assert len(twelve.captured_queries) == len(eight.captured_queries)


def test_a_cleared_answer_counts_as_omitted(board_member, sitting, sat, make_person):
    person = make_person("clear@example.org", Role.TRAINEE, full_name="Clara Clear")
    at = sitting.start_opens + dt.timedelta(minutes=10)
    attempt = factories.sit(person, sitting, "ABCDE", board=board_member, at=at, submit=False)
    q3 = FormItem.objects.get(form=sitting.form, position=3)
    services.save_answer(attempt=attempt, now=at + dt.timedelta(minutes=1), form_item_id=q3.pk, choice="")
    data = scoring.load(sitting)
    i = [a.pk for a in data.attempts].index(attempt.pk)
    np.testing.assert_array_equal(data.codes[i], [0, 1, -1, 3, 4])


def test_an_answer_outside_the_sitting_is_an_error_not_a_wrong_cell(sitting, sat):
    data = scoring.load(sitting)
    with pytest.raises(ValueError, match="form item"):
        scoring.answer_matrix(sitting, [a.pk for a in data.attempts], [fi.pk for fi in data.form_items[:4]])


def test_no_answer_model_object_is_built(monkeypatch, sitting, sat):
    def refuse(cls, *args, **kwargs):
        raise AssertionError("the analysis built an Answer model object")

    monkeypatch.setattr(Answer, "from_db", classmethod(refuse))
    data = scoring.load(sitting)
    assert scoring.analyse(data).test.n_candidates == 8
