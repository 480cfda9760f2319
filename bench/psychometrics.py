"""Benchmark of the exam psychometrics: item analysis and IRT, as ratios measured in one run.

Run:  .venv/bin/python bench/psychometrics.py [--candidates 100000] [--items 100]
          [--repeats 7] [--irt-candidates 2000] [--irt-items 100] [--no-irt] [--no-girth]

Responses are simulated from a 2PL model (seeded): a ~ U(0.5, 2), b ~ N(0, 1),
theta ~ N(0, 1); a wrong answer picks one of the four distractors with unequal
popularity; 1 % omitted.  Every figure is a ratio of two timings taken in the same
run (interleaved, median of the repeats), so it holds on a loaded machine:

* item analysis (`analyse_exam`: scoring, CTT, distractor analysis, flags) against a
  bare numpy pass over the same mark matrix (column means and one X.T @ total);
* IRT 2PL: the standard errors against the fit itself; the default settings against
  a tight fit on 201 nodes; n_quad=401 is finite; and, when girth is installed
  (`pip install girth`, the `bench` extra), girth's `twopl_mml` on the same data.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np

from cmrnet.psychometrics import analyse_exam, fit_irt, score_responses

OPTIONS = "ABCDE"


def simulate(n: int, k: int, seed: int = 20240601):
    rng = np.random.default_rng(seed)
    a = rng.uniform(0.5, 2.0, k)
    b = rng.normal(0.0, 1.0, k)
    theta = rng.normal(0.0, 1.0, n)
    prob = 1.0 / (1.0 + np.exp(-(theta[:, None] - b[None, :]) * a[None, :]))
    correct = rng.random((n, k)) < prob
    key = rng.integers(0, 5, k).astype(np.int8)
    # distractor choice: popularity weights 0.4/0.3/0.2/0.1 over the 4 wrong options
    pick = np.searchsorted(np.cumsum([0.4, 0.3, 0.2, 0.1]), rng.random((n, k)) * 0.999999)
    wrong = (key[None, :] + 1 + pick) % 5
    codes = np.where(correct, key[None, :], wrong).astype(np.int8)
    codes[rng.random((n, k)) < 0.01] = -1  # 1 % omitted
    return codes, {f"item{j + 1}": OPTIONS[key[j]] for j in range(k)}, key


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def interleaved(fns: dict, repeats: int) -> dict[str, float]:
    """Median time of each function, the functions taking turns in every repeat."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            times[name].append(_timed(fn)[0])
    return {name: statistics.median(t) for name, t in times.items()}


def bench_item_analysis(args) -> None:
    codes, key, key_codes = simulate(args.candidates, args.items)
    ids = list(key)
    marks = score_responses(codes, key_codes)
    totals = marks.sum(axis=1)

    def bare():
        return marks.mean(axis=0), marks.T @ totals

    res = analyse_exam(item_ids=ids, codes=codes, key=key, options=OPTIONS)  # warm-up
    assert res.test.n_candidates == codes.shape[0]
    med = interleaved({"bare": bare, "ours": lambda: analyse_exam(
        item_ids=ids, codes=codes, key=key, options=OPTIONS)}, args.repeats)
    ratio = med["ours"] / med["bare"]
    print(f"item analysis {args.candidates:,} x {args.items} (5 options), median of {args.repeats}:")
    print(f"  analyse_exam {med['ours']:.3f} s; bare numpy pass (column means + X.T @ total) "
          f"{med['bare']:.3f} s")
    print(f"  ratio {ratio:.1f}x   target <= 5x   (before: 9.7-13x)   "
          f"{'OK' if ratio <= 5 else 'MISSED'}")


def _standard_errors_only(marks, res):
    """The standard-error step of fit_irt alone, at the fitted parameters (as fit_irt runs it)."""
    from threadpoolctl import threadpool_limits

    from cmrnet.psychometrics import irt

    prob = irt._Problem(*irt.compress_patterns(marks), *irt.quadrature(res.n_quad, res.rule))
    params, k = np.concatenate([res.a, res.d]), marks.shape[1]
    final_estep = prob.estep(res.a, res.d)  # fit_irt has it already

    def run():
        with threadpool_limits(limits=1, user_api="blas"):
            return irt._standard_errors("2pl", prob, params, k, final_estep)

    return run


def _girth_fit(marks):
    try:
        from girth import twopl_mml
    except ImportError:
        return None
    start = time.perf_counter()
    out = twopl_mml(marks.T.astype(int))
    return time.perf_counter() - start, out


def bench_irt(args) -> None:
    codes, _, key_codes = simulate(args.irt_candidates, args.irt_items, seed=20240602)
    marks = score_responses(codes, key_codes)
    marks = marks[:, (marks.mean(axis=0) > 0) & (marks.mean(axis=0) < 1)]
    n, k = marks.shape
    res = fit_irt(marks, "2pl")  # also the warm-up
    med = interleaved({"fit": lambda: fit_irt(marks, "2pl", se=False),
                       "se": _standard_errors_only(marks, res)}, args.irt_repeats)
    print(f"IRT 2PL MML {n:,} x {k} ({res.n_patterns} patterns, {res.n_iter} SQUAREM iterations, "
          f"converged={res.converged}), median of {args.irt_repeats}:")
    print(f"  fit {med['fit']:.3f} s; standard errors (Louis' information at the final E-step) "
          f"{med['se']:.3f} s = {med['se'] / med['fit']:.2f}x the fit   target: a small fraction   "
          f"(before: 25x)")
    tight = fit_irt(marks, "2pl", n_quad=201, tol=1e-10, se=False)
    da, db = np.abs(res.a - tight.a).max(), np.abs(res.b - tight.b).max()
    # the former default: 61 Gauss-Hermite nodes, against its own tight 201-node fit
    old = fit_irt(marks, "2pl", n_quad=61, rule="hermite", se=False)
    old_tight = fit_irt(marks, "2pl", n_quad=201, rule="hermite", tol=1e-10, se=False)
    print(f"  default (61-node grid) vs a tight 201-node fit: max |da| {da:.1e}, max |db| {db:.1e}   "
          f"target <= 0.005   (before, 61 Gauss-Hermite nodes: "
          f"{np.abs(old.a - old_tight.a).max():.4f} in a, {np.abs(old.b - old_tight.b).max():.4f} in b)   "
          f"{'OK' if max(da, db) <= 0.005 else 'MISSED'}")
    wide = fit_irt(marks, "2pl", n_quad=401, rule="hermite", se=False)
    finite = bool(np.isfinite(wide.a).all() and np.isfinite(wide.b).all() and np.isfinite(wide.loglik))
    print(f"  n_quad=401 (Gauss-Hermite) finite: {finite}   (before: NaN)")
    if args.no_girth:
        return
    girth = _girth_fit(marks)
    if girth is None:
        print("  girth not installed (pip install girth): no comparison")
        return
    g_time, g_out = girth
    ours = statistics.median(_timed(lambda: fit_irt(marks, "2pl", se=False))[0] for _ in range(3))
    ours_se = statistics.median(_timed(lambda: fit_irt(marks, "2pl"))[0] for _ in range(3))
    print(f"  girth twopl_mml {g_time:.2f} s: ours {g_time / ours:.0f}x faster without SEs, "
          f"{g_time / ours_se:.0f}x with SEs   target >= 10x   (before: 18-28x without SEs)   "
          f"{'OK' if g_time / ours_se >= 10 else 'MISSED'}")
    print(f"  girth vs ours: max |da| {np.abs(g_out['Discrimination'] - res.a).max():.3f}, "
          f"max |db| {np.abs(g_out['Difficulty'] - res.b).max():.3f} (girth: 41 nodes on [-4.5, 4.5])")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--candidates", type=int, default=100_000)
    ap.add_argument("--items", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--irt-candidates", type=int, default=2_000)
    ap.add_argument("--irt-items", type=int, default=100)
    ap.add_argument("--irt-repeats", type=int, default=5)
    ap.add_argument("--no-irt", action="store_true")
    ap.add_argument("--no-girth", action="store_true")
    args = ap.parse_args(argv)
    bench_item_analysis(args)
    if not args.no_irt:
        bench_irt(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
