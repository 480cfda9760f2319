"""Flags exactly at their thresholds (every comparison is strict unless documented) and
mis-key detection in the cases issue 9 names: the true answer's letter after the wrong
key, nobody choosing the key, ties between distractors, the minimum count."""

import dataclasses

import numpy as np
import pytest

from cmrnet.psychometrics import FlagThresholds, analyse_exam, encode_letters, flag_items, item_analysis


def _exam(rows, key, **kw):
    """Analyse answer sheets given as strings of letters ('-' omitted)."""
    ids = [f"q{j + 1}" for j in range(len(key))]
    codes = encode_letters([["" if c == "-" else c for c in r] for r in rows])
    return analyse_exam(item_ids=ids, codes=codes, key=dict(zip(ids, key)), **kw)


def _simulated(true_letters, key_letters, seed=3, n=1500, wrong_pool="ABCDE"):
    """Five-option responses with the given true answers; wrong answers from wrong_pool."""
    rng = np.random.default_rng(seed)
    k = len(true_letters)
    theta = rng.normal(size=n)
    right = rng.random((n, k)) < 1 / (1 + np.exp(-1.5 * (theta[:, None] - np.linspace(-1, 1, k))))
    codes = np.empty((n, k), dtype=np.int8)
    for j, true in enumerate(true_letters):
        pool = np.array(["ABCDE".index(c) for c in wrong_pool if c != true], dtype=np.int8)
        codes[:, j] = np.where(right[:, j], "ABCDE".index(true), rng.choice(pool, n))
    ids = [f"q{j + 1}" for j in range(k)]
    return analyse_exam(item_ids=ids, codes=codes, key=dict(zip(ids, key_letters)))


# ---- facility: p > 0.95 is too easy, p < 0.20 too hard; exactly at the threshold is neither

def _facility_exam(n_right):
    """20 candidates; item 1 answered right by n_right of them, items 2-4 spread the totals."""
    rows = []
    for i in range(20):
        first = "A" if i < n_right else "B"
        rest = "".join("A" if (i + j) % 3 else "C" for j in range(3))
        rows.append(first + rest)
    return _exam(rows, "AAAA")


def test_p_exactly_at_the_easy_threshold_is_not_too_easy():
    at = _facility_exam(19)
    assert at.items[0].p == 0.95 and "too_easy" not in at.items[0].flags
    above = _facility_exam(20)
    assert "too_easy" in above.items[0].flags


def test_p_exactly_at_the_hard_threshold_is_not_too_hard():
    at = _facility_exam(4)
    assert at.items[0].p == 0.20 and "too_hard" not in at.items[0].flags
    below = _facility_exam(3)
    assert "too_hard" in below.items[0].flags


# ---- discrimination: r_pbc < 0 negative, 0 <= r_pbc < 0.10 weak

def test_zero_discrimination_is_weak_not_negative():
    # item 1 is uncorrelated with the rest score (rest 2, 0, 2, 0 for marks 1, 1, 0, 0)
    res = _exam(["AAA", "ABB", "BAA", "BBB"], "AAA")
    assert res.items[0].r_pbc == 0.0
    assert "weak_discrimination" in res.items[0].flags
    assert "negative_discrimination" not in res.items[0].flags


def test_discrimination_exactly_at_a_custom_threshold_is_not_flagged():
    res = _simulated("AAAAAA", "AAAAAA")
    r = res.items[2].r_pbc
    assert r > 0.1
    at = analyse_exam(item_ids=res.item_ids, codes=res.scored.codes, key=res.scored.key,
                      thresholds=FlagThresholds(weak_r_pbc=r))
    assert "weak_discrimination" not in at.items[2].flags
    just_above = analyse_exam(item_ids=res.item_ids, codes=res.scored.codes, key=res.scored.key,
                              thresholds=FlagThresholds(weak_r_pbc=r + 1e-12))
    assert "weak_discrimination" in just_above.items[2].flags
    at_negative = analyse_exam(item_ids=res.item_ids, codes=res.scored.codes, key=res.scored.key,
                               thresholds=FlagThresholds(negative_r_pbc=r, weak_r_pbc=r))
    assert "negative_discrimination" not in at_negative.items[2].flags


# ---- mis-keys

def test_miskey_when_the_true_answer_comes_after_the_wrong_key():
    res = _simulated("ADAAE", "AAAAA")  # q2's true answer is D, keyed A; q5's is E
    assert res.items[1].suggested_key == "D" and "possible_miskey" in res.items[1].flags
    assert res.items[4].suggested_key == "E"
    assert all(res.items[j].suggested_key is None for j in (0, 2, 3))


def test_miskey_when_nobody_chose_the_key():
    res = _simulated("AABA", "AAEA", wrong_pool="ABCD")  # nobody ever answers E
    q3 = res.items[2]
    assert q3.options["E"]["count"] == 0 and np.isnan(q3.r_pbc)
    assert "possible_miskey" in q3.flags and q3.suggested_key == "B"


# eight candidates, item 1 keyed D: B and C are chosen by candidates with the same rest
# scores (4 and 3), so their option-rest correlations are exactly equal and positive
TIE_ROWS = ["BAAAA", "CAAAA", "BAAAB", "CAAAB", "ABBBB", "AABBB", "DABBB", "DBBBB"]


def test_tied_distractors_suggest_the_first_letter():
    res = _exam(TIE_ROWS, "DAAAA")
    q1 = res.items[0]
    assert q1.options["B"]["r_rest"] == q1.options["C"]["r_rest"] > 0 > q1.r_pbc
    assert q1.suggested_key == "B"


def test_miskey_minimum_count_is_inclusive():
    assert _exam(TIE_ROWS, "DAAAA", thresholds=FlagThresholds(miskey_min_count=2)).items[0].suggested_key == "B"
    assert _exam(TIE_ROWS, "DAAAA", thresholds=FlagThresholds(miskey_min_count=3)).items[0].suggested_key is None


def test_miskey_minimum_r_is_strict():
    r = _exam(TIE_ROWS, "DAAAA").items[0].options["B"]["r_rest"]
    at = _exam(TIE_ROWS, "DAAAA", thresholds=FlagThresholds(miskey_min_r=r)).items[0]
    assert at.suggested_key is None and "possible_miskey" not in at.flags
    below = _exam(TIE_ROWS, "DAAAA", thresholds=FlagThresholds(miskey_min_r=r - 1e-9)).items[0]
    assert below.suggested_key == "B"


def test_no_suggestion_from_marks_alone():
    res = analyse_exam(item_ids=["a", "b"], scores=np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]))
    assert all(it.suggested_key is None and "possible_miskey" not in it.flags for it in res.items)


# ---- defect flags: share >= defect_share, and at least one flag

def test_a_single_defect_flag_reaches_a_share_of_one_in_eight():
    res = _exam(TIE_ROWS, "DAAAA", defect_flags={"q1": 1}, thresholds=FlagThresholds(defect_share=1 / 8))
    assert "many_defect_flags" in res.items[0].flags


def test_a_zero_share_needs_at_least_one_flag():
    th = FlagThresholds(defect_share=0.0)
    res = _exam(TIE_ROWS, "DAAAA", defect_flags={"q1": 1}, thresholds=th)
    assert "many_defect_flags" in res.items[0].flags
    assert all("many_defect_flags" not in it.flags for it in res.items[1:])


# ---- no variance: at or below 1e-15

def test_no_variance_threshold():
    res = item_analysis(np.array([[1.0, 1.0], [0.0, 1.0], [1.0, 0.0]]))
    at = dataclasses.replace(res, item_variance=np.array([1e-15, 2e-15]))
    flags = flag_items(at)
    assert "no_variance" in flags[0].flags and "no_variance" not in flags[1].flags


def test_defect_counts_must_match_the_items():
    res = item_analysis(np.array([[1.0, 1.0], [0.0, 1.0], [1.0, 0.0]]))
    with pytest.raises(ValueError, match="^defect_flags has 3 entries for 2 items$"):
        flag_items(res, defect_flags=[0, 1, 2])
