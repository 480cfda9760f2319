"""The "Level II verification package" for SCMR: one trainee's logbook (with each case's mode), training
time by mode, programme attendance, the director's final determination and the SCMR Level 2 verdict with
the programme's virtual share, as a ZIP of CSV files and a summary."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import replace
from decimal import Decimal

from cmrnet import rules, tabular
from cmrnet.logbook.models import Case, TrainingPeriod
from cmrnet.programmes import selectors
from cmrnet.programmes.models import Enrolment

CASE_COLUMNS = ["case_id", "study_date", "patient_key", "category", "normal", "role", "mode", "supervisor", "status"]
TRAINING_COLUMNS = ["period", "start_date", "end_date", "hours_per_week", "mode", "weeks", "hours", "supervisor", "centre"]


def _hours(period: TrainingPeriod) -> Decimal:
    weeks = Decimal((period.end_date - period.start_date).days + 1) / 7
    return (weeks * period.hours_per_week).quantize(Decimal("0.1"))


def training_by_mode(periods) -> dict[str, str]:
    totals: dict[str, Decimal] = {}
    for p in periods:
        totals[p.mode] = totals.get(p.mode, Decimal(0)) + _hours(p)
    return {mode: str(hours) for mode, hours in sorted(totals.items())}


def verification_package(enrolment: Enrolment, *, now: dt.datetime) -> bytes:
    from cmrnet.logbook.selectors import application_data_for
    from cmrnet.programmes.services import virtual_share

    trainee, programme = enrolment.trainee, enrolment.programme
    today = now.date()
    cases = list(Case.objects.filter(trainee=trainee).select_related("supervisor").order_by("study_date", "case_id"))
    periods = list(TrainingPeriod.objects.filter(trainee=trainee).select_related("supervisor"))
    records = selectors.attendance_record(trainee, programme, now=now)
    data = application_data_for(trainee, today=today, route="level2")
    data = replace(data, candidate=replace(data.candidate, virtual_share_max=virtual_share(programme)))
    verdict = rules.evaluate("scmr-2018", "level2", data, today=today)
    determination = getattr(enrolment, "determination", None)
    summary = {
        "trainee": trainee.full_name, "programme": programme.title, "host_centre": programme.host_centre.name,
        "programme_dates": [programme.starts_on.isoformat(), programme.ends_on.isoformat()],
        "delivery_mode": programme.delivery_mode, "virtual_share_max": str(programme.virtual_share_max),
        "cases": {"total": len(cases), "virtual": sum(1 for c in cases if c.mode == "virtual")},
        "training_hours_by_mode": training_by_mode(periods),
        "attendance": {"expected": sum(1 for r in records if r.expected),
                       "attended": sum(1 for r in records if r.expected and r.attended)},
        "final_determination": None if determination is None else {
            "competent": determination.competent, "decided_on": determination.decided_on.isoformat(),
            "by": determination.decided_by.full_name,
            "in_person_assessment_on": determination.assessment.assessed_on.isoformat() if determination.assessment else None},
        "scmr_level2": {"compliant": verdict.compliant, "missing": verdict.missing,
                        "rules": [{"rule": r.id, "status": r.status, "message": r.message} for r in verdict.rules]},
        "exported_at": now.isoformat(),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("cases.csv", tabular.csv_bytes(CASE_COLUMNS, [
            [c.case_id, c.study_date, c.patient_key, c.category, c.normal, c.role, c.mode,
             c.supervisor.email if c.supervisor else "", c.status] for c in cases]))
        archive.writestr("training.csv", tabular.csv_bytes(TRAINING_COLUMNS, [
            [p.period_id, p.start_date, p.end_date, p.hours_per_week, p.mode,
             round(((p.end_date - p.start_date).days + 1) / 7, 1), _hours(p), p.supervisor.email if p.supervisor else "",
             p.centre] for p in periods]))
        archive.writestr("attendance.csv", tabular.csv_bytes(["session", "kind", "expected", "attended", "measured"], [
            [r.session.title, r.session.kind, r.expected, r.attended, r.detail] for r in records]))
        archive.writestr("summary.json", json.dumps(summary, indent=2, ensure_ascii=False))
    return buffer.getvalue()
