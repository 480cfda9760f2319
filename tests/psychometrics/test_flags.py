"""Flags: thresholds, mis-key detection with suggested key, defect flags."""

import numpy as np
import pytest

from cmrnet.psychometrics import FlagThresholds, analyse_exam


def _synthetic(seed=7, n=2000, k=10):
    """Five-option responses where the true key of every item is 'A'."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=n)
    b = np.linspace(-1.5, 1.5, k)
    correct = rng.random((n, k)) < 1 / (1 + np.exp(-1.5 * (theta[:, None] - b)))
    wrong = rng.integers(1, 5, size=(n, k))
    codes = np.where(correct, 0, wrong).astype(np.int8)
    return [f"q{j + 1}" for j in range(k)], codes


def test_miskeyed_item_is_flagged_with_suggested_key():
    ids, codes = _synthetic()
    key = {i: "A" for i in ids}
    key["q4"] = "C"  # deliberate mis-key
    res = analyse_exam(item_ids=ids, codes=codes, key=key)
    q4 = res.items[3]
    assert "possible_miskey" in q4.flags
    assert q4.suggested_key == "A"
    assert q4.options["A"]["r_rest"] > 0.3 > q4.options["C"]["r_rest"]
    assert "negative_discrimination" in q4.flags
    others = [it for it in res.items if it.id != "q4"]
    assert all("possible_miskey" not in it.flags and it.suggested_key is None for it in others)
    fixed = analyse_exam(item_ids=ids, codes=codes, key=key, key_override={"q4": "A"})
    assert fixed.items[3].flags == [] and fixed.items[3].r_pbc > 0.3


def test_thresholds_are_configurable():
    ids, codes = _synthetic()
    key = {i: "A" for i in ids}
    res = analyse_exam(item_ids=ids, codes=codes, key=key)
    p = np.array([it.p for it in res.items])
    assert not any("too_easy" in it.flags for it in res.items)
    strict = FlagThresholds(too_easy_p=float(p.max()) - 0.01, too_hard_p=float(p.min()) + 0.01,
                            weak_r_pbc=0.99)
    res2 = analyse_exam(item_ids=ids, codes=codes, key=key, thresholds=strict)
    assert "too_easy" in res2.items[int(p.argmax())].flags
    assert "too_hard" in res2.items[int(p.argmin())].flags
    assert all("weak_discrimination" in it.flags for it in res2.items)


def test_defect_flag_share():
    ids, codes = _synthetic(n=200)
    key = {i: "A" for i in ids}
    res = analyse_exam(item_ids=ids, codes=codes, key=key, defect_flags={"q2": 10, "q3": 9})
    assert "many_defect_flags" in res.items[1].flags  # 10/200 = 5 % >= 5 %
    assert "many_defect_flags" not in res.items[2].flags  # 4.5 %
    assert res.items[1].defect_flags == 10 and res.items[0].defect_flags == 0
    th = FlagThresholds(defect_share=0.04)
    res = analyse_exam(item_ids=ids, codes=codes, key=key, defect_flags={"q3": 9}, thresholds=th)
    assert "many_defect_flags" in res.items[2].flags


def test_miskey_min_count():
    ids, codes = _synthetic()
    key = {i: "A" for i in ids}
    key["q4"] = "C"
    th = FlagThresholds(miskey_min_count=10**6)
    res = analyse_exam(item_ids=ids, codes=codes, key=key, thresholds=th)
    assert res.items[3].suggested_key is None


def test_unknown_defect_item_rejected():
    ids, codes = _synthetic(n=50)
    with pytest.raises(ValueError, match="unknown item"):
        analyse_exam(item_ids=ids, codes=codes, key={i: "A" for i in ids},
                     defect_flags={"nope": 1})
