"""The one place this app talks to the logbook app (its selectors contract) and the rule engine.

Contract (cmrnet.logbook.selectors, owned by the logbook app):
    application_data_for(trainee, *, today, verified_only=False, declaration_signed=False,
                         deadline_override=None) -> cmrnet.rules.ApplicationData
    logbook_version(trainee) -> str   (changes whenever the logbook changes)
No rule is evaluated here: verdicts come from `cmrnet.rules.evaluate`.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
import zipfile
from pathlib import Path

from cmrnet import rules
from cmrnet.rules.package_source import member_name


class LogbookUnavailable(RuntimeError):
    """The logbook app's selectors contract cannot be imported (yet)."""


def _logbook():
    try:
        from cmrnet.logbook import selectors
    except ImportError as exc:  # pragma: no cover - only while the logbook app is being built
        raise LogbookUnavailable(f"The logbook is not available: {exc}") from exc
    for name in ("application_data_for", "logbook_version"):
        if not hasattr(selectors, name):
            raise LogbookUnavailable(f"cmrnet.logbook.selectors has no {name}()")
    return selectors


def logbook_version(candidate) -> str:
    return str(_logbook().logbook_version(candidate))


# An application counts only the cases a supervisor has verified in the logbook: the declaration
# covers "all of the cases provided", so unverified (pending or queried) cases are not provided.
VERIFIED_CASES_ONLY = True


def application_data(candidate, *, today: dt.date, declaration_signed: bool, deadline_override: dt.date | None,
                     route: str | None = None) -> rules.ApplicationData:
    return _logbook().application_data_for(candidate, today=today, verified_only=VERIFIED_CASES_ONLY,
                                           declaration_signed=declaration_signed, deadline_override=deadline_override,
                                           route=route)


def cme_claims(candidate, *, ruleset: str, exam_date: dt.date | None) -> list[tuple[object, rules.CmeCredit]]:
    """The candidate's CME activities with the credits the engine accepts for each (committee figures included)."""
    from cmrnet.logbook.models import CmeActivity

    selectors = _logbook()
    activities = list(CmeActivity.objects.filter(trainee=candidate).select_related("accepted_hours_by").order_by("pk"))
    credits = rules.cme_credits([selectors.rules_cme(a) for a in activities], rules.load_ruleset(ruleset).cme, exam_date)
    return list(zip(activities, credits))


def set_accepted_cme_hours(*, by, candidate, activity_id: int, hours, reason: str, today: dt.date, application_id: int):
    """The committee's figure for one of the candidate's CME activities (logbook service, audited there)."""
    from cmrnet.logbook.models import CmeActivity
    from cmrnet.logbook.services import set_accepted_cme_hours as write

    activity = CmeActivity.objects.get(pk=activity_id, trainee=candidate)
    return write(by=by, activity=activity, hours=hours, reason=reason, today=today, application_id=application_id)


def allocation_rows(candidate, allocations) -> list[dict]:
    """Level 3 via Level 2: where each training period and CME claim was counted, labelled for a page."""
    return _logbook().allocation_rows(candidate, allocations)


def has_logbook(ruleset: str, route: str) -> bool:
    """Whether the route judges a case logbook (and so needs a supervisor's declaration): EACVI Level 1 does not."""
    from cmrnet.rules import case_rules

    wanted = rules.load_ruleset(ruleset).route(route).rules
    return any(rid == "supervisor_declaration" or rules.RULE_FUNCTIONS[rid].__module__ == case_rules.__name__
               for rid in wanted)


def evaluate(ruleset: str, route: str, data: rules.ApplicationData, *, today: dt.date) -> rules.Evaluation:
    return rules.evaluate(ruleset, route, data, today=today)


def snapshot_data(snapshot) -> rules.ApplicationData | None:
    """The rule-engine package frozen in a submitted snapshot (None for a recertification, which has none)."""
    with snapshot.file.open("rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as archive:
        members = [n for n in archive.namelist() if n.startswith("package/") and not n.endswith("/")]
        if not members:
            return None
        with tempfile.TemporaryDirectory() as tmp:
            for name in members:
                target = Path(tmp) / member_name(name)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(name))
            return rules.read_package(Path(tmp) / "package")


def record_level2_usage(application, *, by) -> bool:
    """A Level 2 certificate issued from an application: the training periods and CME claims its last
    snapshot contained are recorded in the logbook as used for Level 2 (Level 3 via Level 2 counts the others)."""
    from cmrnet.logbook.services import record_level2_usage as write

    snapshot = application.snapshots.order_by("-number").first()
    data = snapshot_data(snapshot) if snapshot is not None else None
    if data is None:
        return False
    write(by=by, trainee=application.candidate, training_ids=[p.period_id for p in data.training],
          cme_ids=[a.activity_id for a in data.cme], application_id=application.pk)
    return True


ZIP_DATE = (2000, 1, 1, 0, 0, 0)  # fixed member dates: the same content always gives the same bytes and hash


def package_zip(data: rules.ApplicationData | None, *, manifest: dict) -> bytes:
    """The rule-engine package (cmrnet.rules.write_package: candidate.toml + CSV files) plus an
    `application.json` manifest, zipped deterministically (sorted names, fixed dates)."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "package"
        if data is not None:  # a recertification carries no logbook
            rules.write_package(folder, data)
        files = sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path in files:
                info = zipfile.ZipInfo(f"package/{path.relative_to(folder).as_posix()}", ZIP_DATE)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, path.read_bytes())
            info = zipfile.ZipInfo("application.json", ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, json.dumps(manifest, sort_keys=True, indent=2, default=str).encode())
    return buffer.getvalue()
