"""Reads for scoring and analysis of a sitting: the data of a sitting as the psychometrics package
wants it (option codes, key of the pinned versions, removals/re-keys in force, candidate defect flags).

Every statistic is computed by `cmrnet.psychometrics`; nothing is reimplemented here.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

import numpy as np
from django.db import connection

from cmrnet import psychometrics as pm
from cmrnet.exams.models import (
    AngoffRating, Answer, Attempt, CutMethod, DecisionAction, FormItem, HofsteeInput, ItemDecision, Registration,
    Sitting,
)


@dataclass
class SittingData:
    form_items: list[FormItem]
    item_ids: list[str]  # "Q1", "Q2", ... in form order
    key: dict[str, str]  # pinned versions' keys
    attempts: list[Attempt]  # started attempts, candidate order
    codes: np.ndarray  # candidates x items, -1 omitted
    removed: list[str]
    rekey: dict[str, str]
    defects: dict[str, int]
    reasons: dict[str, ItemDecision] = field(default_factory=dict)

    @property
    def retained(self) -> list[str]:
        return [i for i in self.item_ids if i not in set(self.removed)]

    def form_item(self, item_id: str) -> FormItem:
        return self.form_items[self.item_ids.index(item_id)]


def decisions_in_force(sitting: Sitting) -> tuple[list[str], dict[str, str], dict[str, ItemDecision]]:
    """(removed item ids, {item id: new key}, latest decision per item) from the board's decisions."""
    latest: dict[int, ItemDecision] = {}
    for d in ItemDecision.objects.filter(sitting=sitting).select_related("form_item", "decided_by"):
        latest[d.form_item_id] = d
    removed, rekey, by_label = [], {}, {}
    for d in latest.values():
        label = d.form_item.label
        by_label[label] = d
        if d.action == DecisionAction.REMOVE:
            removed.append(label)
        elif d.action == DecisionAction.REKEY:
            rekey[label] = d.new_key
    return removed, rekey, by_label


_LETTERS = np.array(["", "A", "B", "C", "D", "E"])  # sorted: "" (omitted) -> code -1, "A" -> 0, ...


def _positions(ids: np.ndarray, wanted: np.ndarray, what: str) -> np.ndarray:
    """Index in `ids` of each value of `wanted`; a value not in `ids` is an error naming it."""
    order = np.argsort(ids)
    found = order[np.minimum(np.searchsorted(ids, wanted, sorter=order), len(ids) - 1)]
    stray = ids[found] != wanted
    if stray.any():
        raise ValueError(f"answer for {what} {wanted[stray][0]!r}, which is not part of this sitting")
    return found


def answer_matrix(sitting: Sitting, attempt_ids: list[int], form_item_ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """(codes, defect counts) of a sitting's answers, read as columns (values_list -> numpy), not model objects.

    codes[i, j] is the option code (-1 omitted, 0 = A, ...) of attempt_ids[i] on form_item_ids[j];
    defects[j] is the number of candidates who flagged form_item_ids[j] as defective.
    """
    codes = np.full((len(attempt_ids), len(form_item_ids)), -1, dtype=np.int8)
    # One statement, two integer columns: the attempt, and the form item, the choice (coded by the database:
    # '' -> -1, A -> 0, ..., anything else -> -2, an error below) and the defect flag packed into one number.
    # Fetched without Django's per-value converters and turned into one int64 array by a single numpy call:
    # 50,000 answers in a few tens of milliseconds (fetching Python tuples is most of it).
    q = connection.ops.quote_name
    answer, attempt_t, registration = (q(m._meta.db_table) for m in (Answer, Attempt, Registration))
    cases = " ".join(f"WHEN '{letter}' THEN {code + 2}" for code, letter in enumerate(_LETTERS[1:]))
    sql = (f"SELECT {answer}.{q('attempt_id')}, ({answer}.{q('form_item_id')} * 8 + "
           f"CASE {answer}.{q('choice')} WHEN '' THEN 1 {cases} ELSE 0 END) * 2 + "
           f"CASE WHEN {answer}.{q('defect_flag')} THEN 1 ELSE 0 END "
           f"FROM {answer} INNER JOIN {attempt_t} ON {attempt_t}.{q('id')} = {answer}.{q('attempt_id')} "
           f"INNER JOIN {registration} ON {registration}.{q('id')} = {attempt_t}.{q('registration_id')} "
           f"WHERE {registration}.{q('sitting_id')} = %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [sitting.pk])
        rows = cursor.fetchall()
    if not rows:
        return codes, np.zeros(len(form_item_ids), dtype=np.int64)
    attempt, packed = np.array(rows, dtype=np.int64).T
    defect, choice, item = packed & 1, ((packed >> 1) & 7) - 2, packed >> 4
    if (choice == -2).any():
        bad = int(np.argmax(choice == -2))
        raise ValueError(f"answer of attempt {attempt[bad]} to form item {item[bad]} has a choice that is not an option")
    row = _positions(np.array(attempt_ids), attempt, "attempt")
    col = _positions(np.array(form_item_ids), item, "form item")
    codes[row, col] = choice
    return codes, np.bincount(col[defect.astype(bool)], minlength=len(form_item_ids))


def load(sitting: Sitting, *, candidates: bool = True) -> SittingData:
    """The sitting's data for scoring. `candidates=False` (the item analysis, which shows no candidate) reads
    the attempts as bare ids in the same order, not 500 attempts with their registrations and people."""
    form_items = list(FormItem.objects.filter(form=sitting.form).select_related("version", "item")
                      .order_by("position"))
    ids = [fi.label for fi in form_items]
    attempts = Attempt.objects.filter(registration__sitting=sitting).order_by("registration__candidate__full_name", "pk")
    if candidates:
        # the delivery state (item and option orders) is not needed for scoring: not parsed for every candidate
        attempts = list(attempts.defer("item_order", "option_orders").select_related("registration__candidate"))
    else:
        attempts = list(attempts.only("pk"))
    codes, defect_counts = answer_matrix(sitting, [a.pk for a in attempts], [fi.pk for fi in form_items])
    defects = {item_id: int(n) for item_id, n in zip(ids, defect_counts)}
    removed, rekey, reasons = decisions_in_force(sitting)
    return SittingData(form_items, ids, {fi.label: fi.version.key for fi in form_items}, attempts, codes,
                       removed, rekey, defects, reasons)


def scored(data: SittingData) -> pm.ScoredExam:
    """Number right on the retained items with the key in force (1 per correct, 0 wrong or omitted)."""
    return pm.score_exam(item_ids=data.item_ids, codes=data.codes, key=data.key, retained=data.retained,
                         key_override=data.rekey)


def analyse(data: SittingData, thresholds: pm.FlagThresholds | None = None) -> pm.ExamAnalysis:
    return pm.analyse_exam(item_ids=data.item_ids, codes=data.codes, key=data.key, retained=data.retained,
                           key_override=data.rekey, defect_flags=data.defects, thresholds=thresholds)


def item_analysis_all(data: SittingData, thresholds=None) -> pm.ExamAnalysis:
    """Analysis with every item (removed ones included), so the board still sees a removed item's figures."""
    return pm.analyse_exam(item_ids=data.item_ids, codes=data.codes, key=data.key, key_override=data.rekey,
                           defect_flags=data.defects, thresholds=thresholds)


# --- standard setting -----------------------------------------------------------------------------------

def angoff_result(sitting: Sitting, data: SittingData) -> tuple[pm.AngoffResult | None, str]:
    """Modified Angoff over the retained items, from the judges who rated every retained item."""
    retained = data.retained
    label = {fi.pk: fi.label for fi in data.form_items}
    by_judge: dict[int, dict[str, float]] = {}
    names = {}
    for r in AngoffRating.objects.filter(sitting=sitting).select_related("judge"):
        by_judge.setdefault(r.judge_id, {})[label[r.form_item_id]] = r.rating
        names[r.judge_id] = r.judge.email
    complete = [j for j, ratings in by_judge.items() if all(i in ratings for i in retained)]
    if not complete:
        return None, "No judge has rated every retained item yet."
    matrix = np.array([[by_judge[j][i] for i in retained] for j in complete])
    result = pm.angoff(matrix, item_ids=retained, judge_ids=[names[j] for j in complete])
    note = "" if len(complete) == len(by_judge) else \
        f"{len(by_judge) - len(complete)} judge(s) with incomplete ratings left out."
    return result, note


def hofstee_result(sitting: Sitting, data: SittingData, exam: pm.ScoredExam) -> tuple[pm.HofsteeResult | None, str]:
    inputs = list(HofsteeInput.objects.filter(sitting=sitting))
    if not inputs:
        return None, "No Hofstee judgements yet."
    if exam.totals.size == 0:
        return None, "No candidate scores yet."
    mean = {k: float(np.mean([getattr(h, k) for h in inputs])) for k in ["cut_min", "cut_max", "fail_min", "fail_max"]}
    try:
        return pm.hofstee(exam.totals, exam.max_score, **mean), f"mean of {len(inputs)} judge(s)"
    except pm.InputError as exc:
        return None, str(exc)


def cohen_result(exam: pm.ScoredExam) -> tuple[pm.CohenResult | None, str]:
    if exam.totals.size == 0:
        return None, "No candidate scores yet."
    return pm.cohen(exam.totals), "60% of the 95th-percentile score"


def cut_for(method: str, sitting: Sitting, data: SittingData) -> float:
    """The cut score the named method gives now (raw marks on the retained items)."""
    exam = scored(data)
    if method == CutMethod.ANGOFF:
        res, note = angoff_result(sitting, data)
        value = None if res is None else res.cut
    elif method == CutMethod.HOFSTEE:
        res, note = hofstee_result(sitting, data, exam)
        value = None if res is None else res.cut_score
    elif method == CutMethod.COHEN:
        res, note = cohen_result(exam)
        value = None if res is None else res.cut
    else:
        raise ValueError(f"unknown method {method!r}")
    if value is None:
        raise pm.InputError(note)
    return round(float(value), 4)


@dataclass(frozen=True)
class CandidateScore:
    attempt: Attempt
    score: float
    max_score: float
    passed: bool | None


def candidate_scores(sitting: Sitting, data: SittingData) -> list[CandidateScore]:
    if not data.attempts:
        return []
    exam = scored(data)
    cut = sitting.cut_score
    return [CandidateScore(a, float(exam.totals[i]), float(exam.max_score),
                           None if cut is None else bool(exam.totals[i] >= cut - 1e-9))
            for i, a in enumerate(data.attempts)]


def fingerprint(sitting: Sitting, data: SittingData) -> str:
    """What two verifiers sign off: every candidate's score and outcome, the removals, re-keys and the cut."""
    rows = [[s.attempt.registration_id, s.score, s.passed] for s in candidate_scores(sitting, data)]
    blob = json.dumps({"cut": sitting.cut_score, "method": sitting.cut_method, "removed": sorted(data.removed),
                       "rekey": data.rekey, "rows": rows}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()
