"""The progress dashboard: every route side by side, built from the rule engine's evaluations.

The supervisor's declaration is signed when the trainee applies (and from then on only verified
cases count), so the dashboard evaluates without it and shows that rule as "at application";
a route is "met" on the dashboard when every other rule is met.
"""

from __future__ import annotations

import datetime as dt
from html import escape

from django.utils.safestring import SafeString, mark_safe

from cmrnet import rules
from cmrnet.core.charts import bar_chart
from cmrnet.logbook import selectors
from cmrnet.logbook.models import CATEGORY_LABELS, Case
from cmrnet.rules.dates import add_months

APPLICATION_STAGE_RULES = ("supervisor_declaration",)


def _bar(numbers: dict) -> dict | None:
    """A <progress> for 'have of need' rules, a <meter> for 'at most' limits."""
    have = numbers.get("have")
    if not isinstance(have, (int, float)):
        return None
    if isinstance(numbers.get("need"), (int, float)) and numbers["need"]:
        return {"kind": "progress", "value": min(have, numbers["need"]), "max": numbers["need"],
                "have": have, "target": numbers["need"]}
    if isinstance(numbers.get("max"), (int, float)):
        return {"kind": "meter", "value": have, "max": max(numbers["max"], have, 1), "high": numbers["max"],
                "have": have, "target": numbers["max"]}
    return None


def route_panel(ruleset, evaluation, trainee=None) -> dict:
    route = ruleset.routes[evaluation.route]
    rows = []
    for result in evaluation.rules:
        deferred = result.id in APPLICATION_STAGE_RULES and not result.met
        rows.append({
            "id": result.id, "title": result.title or result.id.replace("_", " "), "message": result.message,
            "status": "at_application" if deferred else result.status,
            "status_label": "at application" if deferred else ("met" if result.met else "not met"),
            "bar": _bar(dict(result.numbers)),
        })
    blocking = [r for r in rows if r["status"] == "not_met"]
    # One line per action, as the rule engine lists them (two rules can both need "enter the exam date").
    missing = list(dict.fromkeys(line for r in evaluation.rules if r.id not in APPLICATION_STAGE_RULES for line in r.missing))
    return {
        "key": f"{ruleset.id}-{evaluation.route}", "ruleset": ruleset.id, "route": evaluation.route,
        "label": route.label, "body": ruleset.body, "provisional": "CONFIRM" in ruleset.status.upper(),
        "met": not blocking, "met_count": sum(1 for r in rows if r["status"] == "met"), "rule_count": len(rows),
        "rules": rows, "missing": missing, "warnings": list(evaluation.warnings),
        "allocations": selectors.allocation_rows(trainee, evaluation.allocations) if trainee is not None else [],
    }


def chosen_route(trainee, *, today: dt.date, bundle: selectors.LogbookBundle | None = None) -> dict:
    """The route the trainee aims for (logbook settings; EACVI Level 2 by default), as a panel."""
    bundle = bundle or selectors.bundle_for(trainee)
    settings = bundle.settings
    route_id = settings.route
    try:
        ruleset = rules.load_ruleset(settings.ruleset)
        ruleset.route(route_id)
    except rules.RuleSetError:
        ruleset, route_id = rules.load_ruleset("eacvi-2025"), "level2"
    evaluation = selectors.evaluate_for(trainee, ruleset=ruleset.id, route=route_id, today=today, bundle=bundle)
    return route_panel(ruleset, evaluation, trainee)


def category_chart(trainee, evaluations) -> dict:
    """Case counts per category (eligible, Level 2 route) against the Level 2 minimums."""
    level2 = next((e for rs, e in evaluations if rs.id == "eacvi-2025" and e.route == "level2"), None)
    numbers = dict(level2.rule("category_minimums").numbers) if level2 else {}
    rows = [(CATEGORY_LABELS.get(cat, cat), v["have"], v["need"]) for cat, v in numbers.items()]
    description = "; ".join(f"{label}: {have} of {need} required" for label, have, need in rows)
    svg = bar_chart([(label, have) for label, have, _ in rows], title="Eligible cases per category",
                    description=description or "No cases yet")
    return {"svg": svg, "rows": rows}


def case_ticks(days: list[dt.date], x) -> str:
    """One SVG path of vertical ticks, one per distinct horizontal position (a tenth of a pixel): cases of the
    same day share a tick, so the drawing stays small however many cases there are (3,000 cases: ~10 KB)."""
    positions = sorted({round(x(day), 1) for day in days})
    return "".join(f"M{p:g} 28V56" for p in positions)


def timeline_svg(cases: list[Case], window: tuple[dt.date, dt.date] | None, exam: dt.date | None,
                 training, *, today: dt.date, width: int = 720, height: int = 120) -> SafeString:
    """Case dates as ticks, the best 24-month window as a band, training periods and the exam."""
    dates = [c.study_date for c in cases] + [p.start_date for p in training] + [p.end_date for p in training]
    if window:
        dates += list(window)
    if exam:
        dates.append(exam)
    start = min(dates, default=add_months(today, -24))
    end = max(dates + [today])
    start, end = dt.date(start.year, start.month, 1), add_months(dt.date(end.year, end.month, 1), 1)
    span = max((end - start).days, 1)
    pad = 10
    x = lambda day: pad + (width - 2 * pad) * (day - start).days / span  # noqa: E731
    parts = [f'<svg class="chart timeline" role="img" aria-labelledby="tl-t tl-d" viewBox="0 0 {width} {height}" '
             f'xmlns="http://www.w3.org/2000/svg"><title id="tl-t">Logbook timeline</title>']
    desc = [f"{len(cases)} cases from {min((c.study_date for c in cases), default='none')} to "
            f"{max((c.study_date for c in cases), default='none')}"]
    if window:
        w0, w1 = x(window[0]), x(window[1])
        parts.append(f'<rect class="window" x="{w0:.1f}" y="8" width="{max(w1 - w0, 1):.1f}" height="52"/>'
                     f'<text class="label" x="{w0 + 4:.1f}" y="20">24-month window</text>')
        desc.append(f"24-month window {window[0]} to {window[1]}")
    ticks = case_ticks([c.study_date for c in cases], x)
    if ticks:
        parts.append(f'<path class="case" d="{ticks}"/>')
    for period in training:
        a, b = x(period.start_date), x(period.end_date)
        parts.append(f'<rect class="training" x="{a:.1f}" y="66" width="{max(b - a, 2):.1f}" height="10"/>')
        desc.append(f"training {period.start_date} to {period.end_date}")
    if exam:
        parts.append(f'<line class="exam" x1="{x(exam):.1f}" y1="4" x2="{x(exam):.1f}" y2="80"/>'
                     f'<text class="label" x="{x(exam) + 3:.1f}" y="90">exam {exam}</text>')
        desc.append(f"exam {exam}")
    parts.append(f'<line class="today" x1="{x(today):.1f}" y1="4" x2="{x(today):.1f}" y2="80"/>')
    year = start.year
    while dt.date(year, 1, 1) <= end:
        if dt.date(year, 1, 1) >= start:
            parts.append(f'<text class="year" x="{x(dt.date(year, 1, 1)):.1f}" y="{height - 6}">{year}</text>')
        year += 1
    parts.insert(1, f'<desc id="tl-d">{escape("; ".join(desc))}</desc>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def dashboard(trainee, *, today: dt.date) -> dict:
    """The progress page's content. The trainee's logbook is read once (one LogbookBundle) for every route,
    the chart and the timeline."""
    bundle = selectors.bundle_for(trainee)
    evaluations = selectors.evaluations_for(trainee, today=today, bundle=bundle)
    cases = sorted(bundle.cases, key=lambda c: c.study_date)
    training = sorted(bundle.training, key=lambda p: (p.start_date, p.pk))
    level2 = next((e for rs, e in evaluations if rs.id == "eacvi-2025" and e.route == "level2"), None)
    window = None
    if level2 is not None:
        numbers = level2.rule("window_24_months").numbers
        if "window_start" in numbers:
            window = (dt.date.fromisoformat(numbers["window_start"]), dt.date.fromisoformat(numbers["window_end"]))
    exam = bundle.exam
    return {
        "routes": [route_panel(rs, e, trainee) for rs, e in evaluations],
        "categories": category_chart(trainee, evaluations),
        "timeline": timeline_svg(cases, window, exam.exam_date if exam else None, training, today=today),
        "window": window,
        "case_total": len(cases),
        "verified_total": sum(1 for c in cases if c.status == "verified"),
        "today": today,
    }
