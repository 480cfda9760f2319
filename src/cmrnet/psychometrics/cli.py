"""``cmrnet exam`` command line: item analysis and cut scores.

    cmrnet exam analyse RESPONSES.csv --key KEY.csv [--scored] [--format json|text]
                        [--irt rasch|1pl|2pl] [--exclude item7,item9] [--rekey item3=B]
                        [--defects DEFECTS.csv]
    cmrnet exam cutscore angoff RATINGS.csv [--exclude item7,item9] [--format json|text]
    cmrnet exam cutscore hofstee RESPONSES.csv --key KEY.csv --cut-min 50 --cut-max 70
                        --fail-min 5 --fail-max 30
    cmrnet exam cutscore cohen RESPONSES.csv --key KEY.csv [--percentile 95] [--fraction 0.6]

Exit status: 0 success, 2 bad input (message on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys

from . import io
from .analysis import ExamAnalysis, ScoredExam, analyse_exam, clean, score_exam
from .standard_setting import angoff, cohen, hofstee

__all__ = ["exam_main", "build_parser"]

PROG = "cmrnet exam"


def _ids(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def _rekey(text: str | None) -> dict[str, str]:
    out = {}
    for part in _ids(text):
        item, sep, letter = part.partition("=")
        if not sep or not item or not letter:
            raise io.InputError(f"--rekey expects item=LETTER pairs, got {part!r}")
        out[item.strip()] = letter.strip().upper()
    return out


def _add_input(p: argparse.ArgumentParser, key_required: bool = False) -> None:
    p.add_argument("responses", metavar="RESPONSES.csv")
    p.add_argument("--key", metavar="KEY.csv", required=key_required,
                   help="key file item_id,key (not needed with --scored)")
    p.add_argument("--scored", action="store_true", help="cells are 0/1 marks, not letters")
    p.add_argument("--fractional", action="store_true",
                   help="with --scored: allow fractional marks between 0 and 1")
    p.add_argument("--ignore-columns", default="", metavar="COL,COL",
                   help="with --scored: columns to skip (e.g. summarks)")
    p.add_argument("--options", default=io.DEFAULT_OPTIONS, help="option letters (default ABCDE)")
    p.add_argument("--exclude", default="", metavar="ITEM,ITEM", help="items to remove")
    p.add_argument("--rekey", default="", metavar="ITEM=L,...", help="key overrides")
    p.add_argument("--format", choices=("json", "text"), default="text")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Exam psychometrics.")
    sub = parser.add_subparsers(dest="command", required=True)
    an = sub.add_parser("analyse", help="item analysis and flags")
    _add_input(an)
    an.add_argument("--irt", choices=("rasch", "1pl", "2pl"), help="add IRT item parameters")
    an.add_argument("--defects", metavar="DEFECTS.csv", help="item_id,count of defect flags")
    cut = sub.add_parser("cutscore", help="standard setting")
    methods = cut.add_subparsers(dest="method", required=True)
    ang = methods.add_parser("angoff", help="modified Angoff from judges' ratings")
    ang.add_argument("ratings", metavar="RATINGS.csv")
    ang.add_argument("--exclude", default="", metavar="ITEM,ITEM")
    ang.add_argument("--exclude-judges", default="", metavar="JUDGE,JUDGE")
    ang.add_argument("--format", choices=("json", "text"), default="text")
    hof = methods.add_parser("hofstee", help="Hofstee compromise on observed scores")
    _add_input(hof)
    for name, text in (("cut-min", "minimum acceptable cut, %% of max score"),
                       ("cut-max", "maximum acceptable cut, %% of max score"),
                       ("fail-min", "minimum acceptable fail rate, %%"),
                       ("fail-max", "maximum acceptable fail rate, %%")):
        hof.add_argument(f"--{name}", type=float, required=True, help=text)
    coh = methods.add_parser("cohen", help="Cohen method (60%% of the P95 score)")
    _add_input(coh)
    coh.add_argument("--percentile", type=float, default=95.0)
    coh.add_argument("--fraction", type=float, default=0.60)
    return parser


def _load(args) -> tuple[dict, list[str]]:
    """Keyword arguments for score_exam/analyse_exam from the input options."""
    common = {"retained": None, "key_override": _rekey(args.rekey) or None}
    if args.scored:
        table = io.read_scored_csv(args.responses, fractional=args.fractional,
                                   ignore_columns=tuple(_ids(args.ignore_columns)))
        data = {"item_ids": table.item_ids, "scores": table.scores}
    else:
        if not args.key:
            raise io.InputError("option letters need --key KEY.csv (or use --scored)")
        table = io.read_responses_csv(args.responses, args.options)
        key = io.read_key_csv(args.key, args.options)
        used = max([len(table.options)] + [args.options.upper().index(v) + 1 for v in key.values()])
        data = {"item_ids": table.item_ids, "codes": table.codes, "key": key,
                "options": args.options.upper()[:used]}
    excluded = _ids(args.exclude)
    unknown = [i for i in excluded if i not in table.item_ids]
    if unknown:
        raise io.InputError(f"--exclude: unknown item(s): {', '.join(unknown)}")
    if excluded:
        common["retained"] = [i for i in table.item_ids if i not in set(excluded)]
    return {**data, **common}, table.item_ids


def _fmt(v, spec=".3f") -> str:
    return "-" if v is None else format(v, spec)


def _analysis_text(res: ExamAnalysis) -> str:
    d = res.to_dict()
    lines = [f"candidates {d['n_candidates']}  items {d['n_items']}  max score {d['max_score']:g}",
             f"mean {_fmt(d['mean'])}  SD {_fmt(d['sd'])}  median {_fmt(d['median'])}  "
             f"alpha {_fmt(d['alpha'], '.4f')}  SEM {_fmt(d['sem'])}",
             f"skewness {_fmt(d['skewness'], '.4f')}  kurtosis {_fmt(d['kurtosis'], '.4f')}"]
    if d["removed"]:
        lines.append(f"removed: {', '.join(d['removed'])}")
    lines.append("")
    lines.append(f"{'item':<12}{'key':>4}{'p':>7}{'r_pb':>7}{'r_pbc':>7}{'d27':>7}{'a-if-d':>8}  flags")
    for it, rep in zip(d["items"], res.items):
        flags = ", ".join(it["flags"]) + (f" -> {it['suggested_key']}" if it["suggested_key"] else "")
        lines.append(f"{it['id']:<12}{rep.key or '':>4}{_fmt(it['p']):>7}{_fmt(it['r_pb']):>7}"
                     f"{_fmt(it['r_pbc']):>7}{_fmt(it['d27']):>7}{_fmt(it['alpha_if_deleted']):>8}  {flags}")
    if any(it["options"] for it in d["items"]):
        lines += ["", "options: count (proportion) option-rest r; * = key"]
        for it in d["items"]:
            cells = [f"{lab}{'*' if o['key'] else ''} {o['count']} ({o['proportion']:.2f}) "
                     f"{_fmt(o['r_rest'], '+.2f')}" for lab, o in it["options"].items()]
            lines.append(f"{it['id']:<12}" + " | ".join(cells))
    if "irt" in d:
        irt = d["irt"]
        lines += ["", f"IRT {irt['model']}: logLik {irt['loglik']:.3f}",
                  f"{'item':<12}{'a':>8}{'b':>9}{'se(b)':>8}"]
        lines += [f"{r['id']:<12}{_fmt(r['a']):>8}{_fmt(r['b'], '.3f'):>9}{_fmt(r['se_b']):>8}"
                  for r in irt["items"]]
    lines += ["", "score distribution: " + "  ".join(f"{s}:{c}" for s, c in d["distribution"].items())]
    return "\n".join(lines)


def _cmd_analyse(args) -> tuple[dict, str]:
    kwargs, item_ids = _load(args)
    defects = io.read_defects_csv(args.defects) if args.defects else None
    res = analyse_exam(**kwargs, defect_flags=defects, irt=args.irt)
    return res.to_dict(), _analysis_text(res)


def _cmd_angoff(args) -> tuple[dict, str]:
    table = io.read_ratings_csv(args.ratings)
    res = angoff(table.ratings, table.item_ids, table.judge_ids, exclude=_ids(args.exclude),
                 exclude_judges=_ids(args.exclude_judges))
    d = clean({"method": "angoff", "cut": res.cut, "cut_percent": res.cut_percent,
               "n_items": res.n_items, "n_judges": res.n_judges, "excluded": res.excluded,
               "judge_cuts": dict(zip(res.judge_ids, res.judge_cuts)),
               "judge_mean": res.cut, "judge_sd": res.judge_sd, "judge_se": res.judge_se,
               "percent_input": table.percent_input,
               "item_means": dict(zip(res.item_ids, res.item_means))})
    text = (f"Angoff cut {res.cut:.2f} of {res.n_items} items ({res.cut_percent:.1f} %), "
            f"{res.n_judges} judges, SD {_fmt(d['judge_sd'], '.2f')}, "
            f"SE {_fmt(d['judge_se'], '.2f')}")
    if res.excluded:
        text += f"\nexcluded: {', '.join(res.excluded)}"
    text += "\n" + "\n".join(f"  {j}: {c:.2f}" for j, c in zip(res.judge_ids, res.judge_cuts))
    return d, text


def _scored(args) -> ScoredExam:
    kwargs, _ = _load(args)
    return score_exam(**kwargs)


def _cmd_hofstee(args) -> tuple[dict, str]:
    sc = _scored(args)
    res = hofstee(sc.totals, sc.max_score, cut_min=args.cut_min, cut_max=args.cut_max,
                  fail_min=args.fail_min, fail_max=args.fail_max)
    d = clean({"method": "hofstee", "cut": res.cut, "cut_score": res.cut_score,
               "cut_percent": 100 * res.cut / sc.max_score, "fail_rate": res.fail_rate,
               "intersects": res.intersects, "note": res.note, "max_score": sc.max_score,
               "n_candidates": int(sc.totals.size), "removed": sc.removed})
    text = (f"Hofstee cut {res.cut:.2f} (pass mark {res.cut_score:g} of {sc.max_score:g}), "
            f"fail rate {100 * res.fail_rate:.1f} %; {res.note}")
    return d, text


def _cmd_cohen(args) -> tuple[dict, str]:
    sc = _scored(args)
    res = cohen(sc.totals, percentile=args.percentile, fraction=args.fraction)
    d = clean({"method": "cohen", "cut": res.cut, "reference_score": res.reference_score,
               "percentile": res.percentile, "fraction": res.fraction,
               "max_score": sc.max_score, "n_candidates": int(sc.totals.size),
               "removed": sc.removed})
    text = (f"Cohen cut {res.cut:.2f} of {sc.max_score:g} = {res.fraction:g} x "
            f"P{res.percentile:g} score {res.reference_score:g}")
    return d, text


COMMANDS = {("analyse", None): _cmd_analyse, ("cutscore", "angoff"): _cmd_angoff,
            ("cutscore", "hofstee"): _cmd_hofstee, ("cutscore", "cohen"): _cmd_cohen}


def exam_main(argv: list[str] | None = None) -> int:
    """Run ``cmrnet exam``; returns the exit status (0 ok, 2 bad input)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or usage error (2)
        return int(exc.code or 0)
    handler = COMMANDS[(args.command, getattr(args, "method", None))]
    try:
        data, text = handler(args)
    except (io.InputError, ValueError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        print(json.dumps(data, indent=2, allow_nan=False))
    else:
        print(text)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(exam_main())
