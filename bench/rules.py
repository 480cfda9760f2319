"""Benchmark of the rule engine (cmrnet.rules), single core.

    .venv/bin/python bench/rules.py [--runs 200] [--total 10000]

Prints the median time to evaluate one 300-case direct Level 3 application,
and the total time to evaluate 10,000 applications of mixed routes and sizes
(50-400 cases; a pool of distinct generated applications is evaluated in
turn, generation is not timed).  Targets: < 5 ms and < 30 s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import date

from cmrnet.rules import evaluate, load_ruleset
from cmrnet.rules.testing import make_compliant_application

TODAY = date(2026, 6, 1)
ROUTES = ("level2", "level3-via-level2", "level3-direct")


def median_level3(ruleset, runs: int) -> float:
    data = make_compliant_application("level3-direct", cases=300)
    evaluate(ruleset, "level3-direct", data, today=TODAY)            # warm-up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        evaluate(ruleset, "level3-direct", data, today=TODAY)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def many_periods(ruleset, count: int = 200) -> float:
    """One 300-case direct Level 3 application whose training is ``count`` short part-time periods with
    gaps (the package import's cap): the split-window search is the expensive part."""
    from dataclasses import replace
    from datetime import timedelta

    from cmrnet.rules import TrainingPeriod

    data = make_compliant_application("level3-direct", cases=300)
    supervisor = data.training[0].supervisor_id
    first = date(2024, 1, 1)
    periods = tuple(TrainingPeriod(f"t{i}", first + timedelta(days=9 * i), first + timedelta(days=9 * i + 6),
                                   20 + i % 20, supervisor) for i in range(count))
    data = replace(data, training=periods)
    start = time.process_time()
    evaluate(ruleset, "level3-direct", data, today=TODAY)
    return time.process_time() - start


def mixed_pool(size: int) -> list[tuple[str, object]]:
    rng = random.Random(7)
    pool = []
    for seed in range(size):
        route = ROUTES[seed % 3]
        pool.append((route, make_compliant_application(route, cases=rng.randint(50, 400), seed=seed)))
    return pool


def total_time(ruleset, total: int, pool_size: int) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process): on a shared machine the CPU figure is the engine's."""
    pool = mixed_pool(pool_size)
    start, cpu = time.perf_counter(), time.process_time()
    for i in range(total):
        route, data = pool[i % len(pool)]
        evaluate(ruleset, route, data, today=TODAY)
    return time.perf_counter() - start, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--total", type=int, default=10_000)
    parser.add_argument("--pool", type=int, default=300)
    args = parser.parse_args()
    ruleset = load_ruleset("eacvi-2025")
    median = median_level3(ruleset, args.runs)
    print(f"median, one 300-case direct Level 3 application: {median * 1000:.2f} ms (target < 5 ms)")
    print(f"one such application with 200 split part-time training periods: {many_periods(ruleset) * 1000:.0f} ms "
          f"CPU")
    total, cpu = total_time(ruleset, args.total, args.pool)
    print(f"total, {args.total} applications (mixed routes, 50-400 cases): {total:.2f} s wall, {cpu:.2f} s CPU "
          f"(target < 30 s)")


if __name__ == "__main__":
    main()
