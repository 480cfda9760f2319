"""``cmrnet check-application DIR --ruleset eacvi-2025 --route level2``.

Exit status: 0 compliant, 1 not compliant, 2 bad input (message on stderr).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

from .evaluation import evaluate
from .package_io import PackageError, read_package
from .results import Evaluation
from .ruleset import RuleSetError, load_ruleset

EXIT_COMPLIANT, EXIT_NOT_COMPLIANT, EXIT_BAD_INPUT = 0, 1, 2
RULESETS_DIR_ENV = "CMRNET_RULESETS_DIR"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cmrnet check-application",
        description="Check an application package (a folder or a zip) against a certification rule set.")
    parser.add_argument("directory", help="package folder or zip (cases.csv, candidate.toml, ...); only files "
                                          "inside the package are read")
    parser.add_argument("--ruleset", default="eacvi-2025",
                        help="rule set name or .toml path (default: eacvi-2025); "
                             f"extra rule set folders: ${RULESETS_DIR_ENV} (separated by '{os.pathsep}')")
    parser.add_argument("--route", default="level2", help="route id, e.g. level2, level3-direct")
    parser.add_argument("--today", type=_iso_date, default=None,
                        help="judge as of this date (YYYY-MM-DD; default: the real today)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def extra_ruleset_dirs() -> list[str]:
    value = os.environ.get(RULESETS_DIR_ENV, "")
    return [part for part in value.split(os.pathsep) if part]


def render_text(evaluation: Evaluation) -> str:
    verdict = "COMPLIANT" if evaluation.compliant else "NOT COMPLIANT"
    lines = [f"{evaluation.ruleset} / {evaluation.route}: {verdict}", ""]
    for rule in evaluation.rules:
        mark = "✓" if rule.met else "✗"
        lines.append(f"{mark} {rule.id}: {rule.message}")
    if evaluation.missing:
        lines += ["", "What is missing:"]
        lines += [f"  - {line}" for line in evaluation.missing]
    if evaluation.warnings:
        lines += ["", "Warnings (the verdict does not depend on them):"]
        lines += [f"  - {line}" for line in evaluation.warnings]
    if evaluation.allocations:
        lines += ["", "Training and CME: used for Level 2 / counted here:"]
        lines += [f"  - {a.kind} {a.item_id}: {a.used_for} ({a.reason})" for a in evaluation.allocations]
    return "\n".join(lines) + "\n"


def check_application_main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:      # argparse already printed the usage error
        return EXIT_BAD_INPUT if stop.code else EXIT_COMPLIANT
    try:
        name_or_path = Path(args.ruleset) if args.ruleset.endswith(".toml") else args.ruleset
        ruleset = load_ruleset(name_or_path, extra_ruleset_dirs())
        ruleset.route(args.route)
        data = read_package(args.directory, categories=ruleset.categories)
    except (RuleSetError, PackageError) as error:
        print(f"cmrnet check-application: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    evaluation = evaluate(ruleset, args.route, data, today=args.today or date.today())
    if args.format == "json":
        sys.stdout.write(json.dumps(evaluation.to_dict(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_text(evaluation))
    return EXIT_COMPLIANT if evaluation.compliant else EXIT_NOT_COMPLIANT
