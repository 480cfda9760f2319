"""Pure rules of delivery and the blueprint (no database)."""

import datetime as dt

from cmrnet.exams import blueprint, timing

T = dt.datetime(2026, 11, 7, 10, 0, tzinfo=dt.timezone.utc)
BOUNDS = [blueprint.TopicBound(c, n, lo, hi) for c, n, lo, hi in blueprint.EACVI_BLUEPRINT]


def test_start_window_includes_both_ends_and_nothing_outside():
    closes = T + dt.timedelta(hours=3)
    assert timing.in_start_window(T, T, closes)
    assert timing.in_start_window(closes, T, closes)
    assert not timing.in_start_window(T - dt.timedelta(microseconds=1), T, closes)
    assert not timing.in_start_window(closes + dt.timedelta(microseconds=1), T, closes)


def test_deadline_is_start_plus_duration_plus_extra_time_exactly():
    assert timing.deadline(T, 180) == T + dt.timedelta(minutes=180)
    assert timing.deadline(T, 180, 45) == T + dt.timedelta(minutes=225)


def test_remaining_seconds_round_down_and_never_negative():
    end = T + dt.timedelta(seconds=90)
    assert timing.remaining_seconds(T, end) == 90
    assert timing.remaining_seconds(T + dt.timedelta(milliseconds=500), end) == 89
    assert timing.remaining_seconds(end + dt.timedelta(seconds=5), end) == 0
    assert timing.is_past(end, end) and not timing.is_past(end - dt.timedelta(microseconds=1), end)


def test_results_due_eight_weeks_after_the_sitting():
    assert timing.results_due(dt.date(2025, 11, 7)) == dt.date(2026, 1, 2)


def test_shuffle_plan_is_deterministic_per_seed_and_a_permutation():
    ids = list(range(100, 120))
    a = timing.shuffle_plan(42, ids, shuffle_items=True, shuffle_options=True)
    b = timing.shuffle_plan(42, ids, shuffle_items=True, shuffle_options=True)
    c = timing.shuffle_plan(43, ids, shuffle_items=True, shuffle_options=True)
    assert a == b and a != c
    assert sorted(a[0]) == ids and a[0] != ids
    assert all(sorted(order) == list("ABCDE") for order in a[1].values())
    plain = timing.shuffle_plan(42, ids, shuffle_items=False, shuffle_options=False)
    assert plain[0] == ids and set(plain[1].values()) == {"ABCDE"}


def test_blueprint_counts_for_100_items_are_the_published_percentages():
    by = {b.code: (b.min_count(100), b.max_count(100)) for b in BOUNDS}
    assert by["physics"] == (15, 25) and by["congenital"] == (10, 15) and by["vascular"] == (2, 5)


def test_blueprint_rounds_inwards_for_small_forms():
    vascular = next(b for b in BOUNDS if b.code == "vascular")
    assert (vascular.min_count(20), vascular.max_count(20)) == (1, 1)
    assert (vascular.min_count(10), vascular.max_count(10)) == (1, 0)  # impossible: reported as not met


def test_proposal_meets_every_bound_when_the_pool_allows():
    pool = {code: list(range(i * 100, i * 100 + 30)) for i, (code, *_rest) in enumerate(blueprint.EACVI_BLUEPRINT)}
    chosen = blueprint.propose(BOUNDS, 100, pool, seed=7)
    assert len(chosen) == len(set(chosen)) == 100
    counts = {code: sum(1 for x in chosen if x in ids) for code, ids in pool.items()}
    checks = blueprint.check(BOUNDS, counts)
    assert all(c.met for c in checks), [(c.code, c.count) for c in checks]


def test_check_reports_which_bound_is_not_met():
    counts = {"physics": 10, "ischaemic": 0}
    checks = {c.code: c for c in blueprint.check(BOUNDS, counts)}
    assert not checks["physics"].met and checks["physics"].problem == "allows at most 2 item(s)"
    assert not checks["ischaemic"].met and checks["ischaemic"].problem == "needs at least 2 item(s)"
