"""After the sitting: scoring, removal/re-key recomputation, Angoff, four-eyes, release, appeals, audit."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from cmrnet import psychometrics as pm
from cmrnet.audit.models import AuditEntry
from cmrnet.exams import scoring, services
from cmrnet.exams.models import AppealStatus, FormItem, ItemStatistic, Result
from cmrnet.people.models import ExamPass
from tests.exams import factories

pytestmark = pytest.mark.django_db

# keys A B C D E; eight candidates' answers ('-' omitted)
SHEETS = ["ABCDE", "ABCDA", "ABCCB", "ABDDE", "ACCDE", "BBCD-", "AACDE", "EBCAA"]


@pytest.fixture
def sat(board_member, sitting, candidates):
    return [factories.sit(c, sitting, sheet, board=board_member) for c, sheet in zip(candidates, SHEETS)]


def _fi(sitting, position):
    return FormItem.objects.select_related("version", "item").get(form=sitting.form, position=position)


def _rate(sitting, judge, values):
    fis = FormItem.objects.filter(form=sitting.form).order_by("position")
    services.save_angoff_ratings(by=judge, sitting=sitting, ratings={fi.pk: v for fi, v in zip(fis, values)})


def test_number_right_scoring_counts_one_per_correct_and_nothing_for_wrong_or_omitted(sitting, sat):
    scores = {s.attempt.registration.candidate.full_name: s.score
              for s in scoring.candidate_scores(sitting, scoring.load(sitting))}
    assert scores == {"Candidate 00": 5, "Candidate 01": 4, "Candidate 02": 3, "Candidate 03": 4,
                      "Candidate 04": 4, "Candidate 05": 3, "Candidate 06": 4, "Candidate 07": 2}


def test_removal_and_rekey_recompute_scores_statistics_and_cut(board_member, board_member2, sitting, sat):
    _rate(sitting, board_member, [0.6, 0.7, 0.5, 0.8, 0.4])
    services.record_cut(by=board_member, sitting=sitting, method="angoff", rationale="Criterion-referenced")
    sitting.refresh_from_db()
    assert sitting.cut_score == pytest.approx(3.0)
    services.decide_item(by=board_member, sitting=sitting, form_item=_fi(sitting, 5), action="remove",
                         reason="Flagged by candidates: two defensible answers")
    sitting.refresh_from_db()
    assert sitting.cut_score == pytest.approx(2.6)  # 0.6 + 0.7 + 0.5 + 0.8
    data = scoring.load(sitting)
    assert data.retained == ["Q1", "Q2", "Q3", "Q4"]
    assert [s.score for s in scoring.candidate_scores(sitting, data)] == [4, 4, 3, 3, 3, 3, 3, 2]
    assert scoring.analyse(data).test.n_items == 4
    # re-key Q3 from C to D: candidates who chose D now score it
    services.decide_item(by=board_member, sitting=sitting, form_item=_fi(sitting, 3), action="rekey", new_key="D",
                         reason="Guideline update makes D the best answer")
    data = scoring.load(sitting)
    by_name = {s.attempt.registration.candidate.full_name: s.score for s in scoring.candidate_scores(sitting, data)}
    assert by_name["Candidate 03"] == 4 and by_name["Candidate 00"] == 3  # 03 chose D, 00 chose C
    expected = pm.score_exam(item_ids=data.item_ids, codes=data.codes, key=data.key, retained=["Q1", "Q2", "Q3", "Q4"],
                             key_override={"Q3": "D"}).totals
    assert sorted(by_name.values()) == sorted(expected.tolist())
    services.decide_item(by=board_member, sitting=sitting, form_item=_fi(sitting, 5), action="restore",
                         reason="Board review: item is sound")
    sitting.refresh_from_db()
    assert sitting.cut_score == pytest.approx(3.0)
    actions = list(AuditEntry.objects.filter(object_id=str(sitting.pk)).values_list("action", flat=True))
    assert {"sitting.item_remove", "sitting.item_rekey", "sitting.item_restore", "sitting.cut_recomputed",
            "sitting.cut_recorded", "sitting.angoff_rated"} <= set(actions)


def test_decisions_need_a_reason_and_a_valid_new_key(board_member, sitting, sat):
    with pytest.raises(ValidationError):
        services.decide_item(by=board_member, sitting=sitting, form_item=_fi(sitting, 1), action="remove", reason=" ")
    with pytest.raises(ValidationError):
        services.decide_item(by=board_member, sitting=sitting, form_item=_fi(sitting, 1), action="rekey",
                             new_key="A", reason="same key")


def test_angoff_cut_over_retained_items_equals_hand_value(board_member, board_member2, sitting, sat):
    _rate(sitting, board_member, [0.6, 0.7, 0.5, 0.8, 0.4])
    _rate(sitting, board_member2, [0.4, 0.9, 0.7, 0.6, 0.2])
    services.decide_item(by=board_member, sitting=sitting, form_item=_fi(sitting, 2), action="remove", reason="Weak")
    result, note = scoring.angoff_result(sitting, scoring.load(sitting))
    # means per retained item: Q1 0.5, Q3 0.6, Q4 0.7, Q5 0.3 -> 2.1; judges' cuts 2.3 and 1.9
    assert result.cut == pytest.approx(2.1)
    assert result.n_items == 4 and result.n_judges == 2 and note == ""
    assert result.judge_sd == pytest.approx(0.2828427, abs=1e-6)


def test_cut_needs_a_rationale_and_complete_ratings(board_member, sitting, sat):
    with pytest.raises(ValidationError, match="No judge"):
        services.record_cut(by=board_member, sitting=sitting, method="angoff", rationale="x")
    with pytest.raises(ValidationError):
        services.record_cut(by=board_member, sitting=sitting, method="cohen", rationale="")


def test_hofstee_and_cohen_cuts_come_from_the_package(board_member, board_member2, sitting, sat):
    services.save_hofstee(by=board_member, sitting=sitting, cut_min=50, cut_max=80, fail_min=0, fail_max=40)
    data = scoring.load(sitting)
    totals = scoring.scored(data).totals
    expected = pm.hofstee(totals, 5, cut_min=50, cut_max=80, fail_min=0, fail_max=40).cut_score
    services.record_cut(by=board_member, sitting=sitting, method="hofstee", rationale="Compromise")
    sitting.refresh_from_db()
    assert sitting.cut_score == pytest.approx(expected)
    services.record_cut(by=board_member2, sitting=sitting, method="cohen", rationale="Check")
    sitting.refresh_from_db()
    assert sitting.cut_score == pytest.approx(pm.cohen(totals).cut)


def _ready(board_member, sitting):
    _rate(sitting, board_member, [0.6, 0.7, 0.5, 0.8, 0.4])
    services.record_cut(by=board_member, sitting=sitting, method="angoff", rationale="Angoff panel")


def test_four_eyes_same_member_twice_is_refused_and_release_needs_two(board_member, board_member2, sitting, sat):
    _ready(board_member, sitting)
    after = sitting.start_closes + dt.timedelta(hours=4)
    services.verify_results(by=board_member, sitting=sitting, now=after)
    with pytest.raises(ValidationError, match="different board member"):
        services.verify_results(by=board_member, sitting=sitting, now=after)
    with pytest.raises(ValidationError, match="two board members"):
        services.release_results(by=board_member, sitting=sitting, today=dt.date(2026, 12, 1), now=after)
    assert not Result.objects.exists()
    services.verify_results(by=board_member2, sitting=sitting, now=after)
    results = services.release_results(by=board_member, sitting=sitting, today=dt.date(2026, 12, 1), now=after)
    assert len(results) == 8
    entries = AuditEntry.objects.filter(object_id=str(sitting.pk), object_type="exams.sitting")
    by_action = {e.action: e.actor_id for e in entries}
    assert by_action["sitting.results_verified_first"] == board_member.pk
    assert by_action["sitting.results_verified_second"] == board_member2.pk
    assert by_action["sitting.results_released"] == board_member.pk


def test_a_change_after_verification_resets_it(board_member, board_member2, sitting, sat):
    _ready(board_member, sitting)
    after = sitting.start_closes + dt.timedelta(hours=4)
    services.verify_results(by=board_member, sitting=sitting, now=after)
    services.decide_item(by=board_member2, sitting=sitting, form_item=_fi(sitting, 5), action="remove", reason="Weak")
    sitting.refresh_from_db()
    assert sitting.verified_by_first_id is None
    assert AuditEntry.objects.filter(action="sitting.verification_reset").exists()


def test_verification_waits_until_candidates_have_finished(board_member, sitting, sat, make_person):
    late = make_person("late@example.org", full_name="Late Starter")
    services.register_candidate(by=board_member, sitting=sitting, candidate=late)
    _ready(board_member, sitting)
    with pytest.raises(ValidationError, match="start window is still open"):
        services.verify_results(by=board_member, sitting=sitting, now=sitting.start_opens + dt.timedelta(hours=1))
    factories.sit(late, sitting, "ABCDE", board=board_member, submit=False)
    with pytest.raises(ValidationError, match="still sitting"):
        services.verify_results(by=board_member, sitting=sitting, now=sitting.start_opens + dt.timedelta(hours=1))


def test_release_publishes_results_records_passes_stores_statistics_and_emails(
        board_member, board_member2, sitting, sat, django_capture_on_commit_callbacks):
    _ready(board_member, sitting)  # cut 3.0
    after = sitting.start_closes + dt.timedelta(hours=4)
    services.verify_results(by=board_member, sitting=sitting, now=after)
    services.verify_results(by=board_member2, sitting=sitting, now=after)
    with django_capture_on_commit_callbacks(execute=True):
        services.release_results(by=board_member2, sitting=sitting, today=dt.date(2026, 12, 1), now=after)
    passed = {r.registration.candidate.full_name for r in Result.objects.filter(passed=True)}
    assert passed == {"Candidate 00", "Candidate 01", "Candidate 02", "Candidate 03", "Candidate 04",
                      "Candidate 05", "Candidate 06"}
    exam_pass = ExamPass.objects.get(person__full_name="Candidate 00")
    assert (exam_pass.exam_date, exam_pass.source, exam_pass.reference, exam_pass.results_released_on) == \
        (dt.date(2026, 11, 7), "sitting", str(sitting.pk), dt.date(2026, 12, 1))
    assert not ExamPass.objects.filter(person__full_name="Candidate 07").exists()
    assert ItemStatistic.objects.filter(sitting=sitting).count() == 5
    assert len(mail.outbox) == 8 and "results" in mail.outbox[0].subject.lower()
    letters = {m.to[0]: m.attachments for m in mail.outbox}
    top = letters["cand0@example.org"]
    assert [a[0].split("-")[0] for a in top] == ["results", "certificate"] and top[0][1].startswith(b"%PDF")
    assert len(letters["cand7@example.org"]) == 1  # no certificate without a pass
    assert AuditEntry.objects.filter(action="sitting.results_released", object_id=str(sitting.pk)).exists()
    with pytest.raises(ValidationError):
        services.decide_item(by=board_member, sitting=sitting, form_item=_fi(sitting, 1), action="remove", reason="x")


def test_appeal_is_filed_once_decided_with_reasons_and_communicated(
        board_member, board_member2, sitting, sat, candidates, django_capture_on_commit_callbacks):
    _ready(board_member, sitting)
    after = sitting.start_closes + dt.timedelta(hours=4)
    services.verify_results(by=board_member, sitting=sitting, now=after)
    services.verify_results(by=board_member2, sitting=sitting, now=after)
    services.release_results(by=board_member, sitting=sitting, today=dt.date(2026, 12, 1), now=after)
    result = Result.objects.get(registration__candidate=candidates[7])
    with pytest.raises(ValidationError):
        services.file_appeal(by=candidates[0], result=result, reasons="Not mine")
    appeal = services.file_appeal(by=candidates[7], result=result, reasons="Item 5 had two correct answers")
    with pytest.raises(ValidationError):
        services.file_appeal(by=candidates[7], result=result, reasons="Again")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_appeal(by=board_member2, appeal=appeal, status=AppealStatus.REJECTED,
                               decision="Item 5 reviewed: single best answer confirmed.")
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.REJECTED and appeal.decided_by == board_member2
    assert mail.outbox[0].to == [candidates[7].email] and "rejected" in mail.outbox[0].body
    assert f"/exams/results/{appeal.result_id}/" in mail.outbox[0].body  # the e-mail links to the result
    with pytest.raises(ValidationError):
        services.decide_appeal(by=board_member, appeal=appeal, status=AppealStatus.UPHELD, decision="late")
    assert set(AuditEntry.objects.filter(object_type="exams.appeal").values_list("action", flat=True)) == \
        {"appeal.filed", "appeal.rejected"}
