"""`make mutation`: mutmut on the pure cores, bounded in time, with a score per module.

    python scripts/mutation.py                       # run (resumes a previous run), then report
    python scripts/mutation.py --budget 600          # stop mutmut after 600 s (default 2700)
    python scripts/mutation.py --only cme            # only mutants of modules whose name contains 'cme'
    python scripts/mutation.py --rerun-survivors     # test the survivors again (after adding tests)
    python scripts/mutation.py --fresh               # throw the previous results away first
    python scripts/mutation.py --report              # no run, only the scores and the survivors
    python scripts/mutation.py --fail-under 90       # exit 1 when a module scores below 90 %

The modules and the tests are configured in pyproject.toml ([tool.mutmut]); mutmut works in
./mutants (git-ignored), which keeps every verdict, so a run cut by the budget continues where it
stopped. Score = killed / (killed + survived + no tests + suspicious), timeouts counting as killed.
The equivalent mutants we leave on purpose are listed in docs/testing.md.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KILLED = {1, 3, 24, -24, 36, 152, 255, 37}       # 36/24/152/255: timeout; 37: caught by a type check
SURVIVED, NO_TESTS, SKIPPED = {0}, {5, 33}, {34}


def configured_modules() -> list[str]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    return list(config["only_mutate"])


def meta_path(module: str) -> Path:
    return ROOT / "mutants" / (module + ".meta")


def dotted(module: str) -> str:
    """src/cmrnet/rules/cme.py -> cmrnet.rules.cme"""
    return module.removeprefix("src/").removesuffix(".py").replace("/", ".")


def load_results(module: str) -> dict[str, int | None]:
    path = meta_path(module)
    for _ in range(5):                   # mutmut may be writing the file right now
        if not path.exists():
            return {}
        try:
            return json.loads(path.read_text())["exit_code_by_key"]
        except (json.JSONDecodeError, KeyError):
            time.sleep(1)
    return {}


def reset_survivors(modules: list[str]) -> int:
    count = 0
    for module in modules:
        path = meta_path(module)
        if not path.exists():
            continue
        data = json.loads(path.read_text())
        for key, code in data["exit_code_by_key"].items():
            if code in SURVIVED or code in NO_TESTS:
                data["exit_code_by_key"][key] = None
                count += 1
        path.write_text(json.dumps(data, indent=4))
    return count


def mutant_names(modules: list[str], every: list[str]) -> list[str] | None:
    """What to pass to `mutmut run`: nothing for every module (mutmut then skips the mutants it
    has a verdict for), else the unchecked mutants of the chosen modules (mutmut re-tests every
    mutant it is given by name), or the pattern of a module never run. [] = nothing left to test."""
    if modules == every:
        return None
    names = []
    for module in modules:
        results = load_results(module)
        if results:
            names += [key for key, code in results.items() if code is None]
        else:                                   # never run: every mutant of it
            names.append(f"{dotted(module)}.*")
    return names


def run_mutmut(modules: list[str], every: list[str], budget: float, children: int) -> bool:
    """Run mutmut on the given modules' mutants; False when the budget cut it short."""
    names = mutant_names(modules, every)
    if names == []:
        print("mutation: every mutant of these modules has a verdict (use --rerun-survivors or --fresh)")
        return True
    command = [str(ROOT / ".venv" / "bin" / "mutmut"), "run", "--max-children", str(children), *(names or [])]
    if not Path(command[0]).exists():
        command[0] = "mutmut"
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL if not sys.stdout.isatty() else None)
    try:
        process.wait(timeout=budget)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        print(f"\nmutation: budget of {budget:.0f} s used up; run again to continue where it stopped")
        return False
    print(f"\nmutation: mutmut finished in {time.monotonic() - started:.0f} s (exit {process.returncode})")
    return process.returncode == 0


def score_line(module: str, results: dict[str, int | None]) -> tuple[str, float | None]:
    counts = Counter()
    for code in results.values():
        if code is None:
            counts["not checked"] += 1
        elif code in KILLED:
            counts["killed"] += 1
        elif code in SURVIVED:
            counts["survived"] += 1
        elif code in NO_TESTS:
            counts["no tests"] += 1
        elif code in SKIPPED:
            counts["skipped"] += 1
        else:
            counts["suspicious"] += 1
    judged = counts["killed"] + counts["survived"] + counts["no tests"] + counts["suspicious"]
    score = 100.0 * counts["killed"] / judged if judged else None
    shown = f"{score:5.1f}%" if score is not None else "  n/a "
    detail = ", ".join(f"{n} {k}" for k, n in sorted(counts.items()) if n)
    return f"{shown}  {module:<40} {len(results):>5} mutants: {detail}", score


def report(modules: list[str], show_survivors: bool) -> dict[str, float | None]:
    print("\nmutation score per module (killed / judged):")
    scores = {}
    for module in modules:
        results = load_results(module)
        if not results:
            print(f"  n/a   {module:<40} not run yet")
            scores[module] = None
            continue
        line, scores[module] = score_line(module, results)
        print("  " + line)
        if show_survivors:
            for key, code in sorted(results.items()):
                if code in SURVIVED or code in NO_TESTS:
                    print(f"      survived: {key}" if code in SURVIVED else f"      no tests: {key}")
    print("(`.venv/bin/mutmut show NAME` prints a mutant's diff)")
    return scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=float(os.environ.get("MUTATION_BUDGET", 2700)),
                        help="seconds mutmut may run (default 2700, or $MUTATION_BUDGET)")
    parser.add_argument("--only", action="append", default=[],
                        help="only modules whose path contains this text (repeatable)")
    parser.add_argument("--children", type=int, default=2, help="parallel mutmut workers (default 2)")
    parser.add_argument("--fresh", action="store_true", help="delete ./mutants first")
    parser.add_argument("--rerun-survivors", action="store_true", help="test survived mutants again")
    parser.add_argument("--report", action="store_true", help="no run: report only")
    parser.add_argument("--survivors", action="store_true", help="list the surviving mutants")
    parser.add_argument("--fail-under", type=float, default=None, help="exit 1 when a module scores lower")
    args = parser.parse_args(argv)

    every = configured_modules()
    modules = [m for m in every if not args.only or any(o in m for o in args.only)]
    if not modules:
        parser.error(f"no configured module matches {args.only}")
    if args.fresh and (ROOT / "mutants").exists():
        subprocess.run(["rm", "-rf", str(ROOT / "mutants")], check=True)
    if args.rerun_survivors:
        print(f"mutation: {reset_survivors(modules)} survivors will be tested again")
    if not args.report:
        run_mutmut(modules, every, args.budget, args.children)
    scores = report(modules, args.survivors)
    if args.fail_under is not None:
        low = [m for m, s in scores.items() if s is None or s < args.fail_under]
        if low:
            print(f"mutation: below {args.fail_under:g}%: {', '.join(low)}")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
