"""For every route of every shipped rule set: the web application's verdict equals `cmrnet check-application`
on the package the application exports (the package frozen at submission), so the two can never disagree.

Each trainee's logbook is built through the logbook's own package import from the engine's generator of
compliant applications (rules.testing), shifted so that it is due on TODAY."""

import io
import json
import zipfile
from contextlib import redirect_stdout
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from cmrnet import rules
from cmrnet.certification import integration, selectors, services
from cmrnet.rules.cli import check_application_main
from cmrnet.rules.dates import add_months
from tests.certification.helpers import pdf_upload
from tests.certification.routes_helpers import add_level1_course

ROUTES = [(name, route) for name in ("eacvi-2025", "scmr-2018") for route, _ in rules.route_choices(name)]
# The generated logbook each route is built from (SCMR levels reuse the EACVI logbooks).
SOURCE = {("scmr-2018", "level1"): "level2", ("scmr-2018", "level2"): "level2",
          ("scmr-2018", "level3"): "level3-direct"}
EXAM_MONTHS_AGO = {"level2": 8, "level3-direct": 12, "level3-via-level2": 42}


def test_every_route_of_every_rule_set_is_covered():
    assert ROUTES == [("eacvi-2025", "level1"), ("eacvi-2025", "level2"), ("eacvi-2025", "level3-via-level2"),
                      ("eacvi-2025", "level3-direct"), ("scmr-2018", "level1"), ("scmr-2018", "level2"),
                      ("scmr-2018", "level3")]


def import_generated(trainee, supervisor, route, today):
    """The generator's compliant logbook for `route`, imported with the logbook's package import and verified."""
    from cmrnet.logbook import package
    from cmrnet.logbook import services as logbook
    from cmrnet.logbook.models import Case
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = rules.testing.make_compliant_application(route, exam_date=add_months(today, -EXAM_MONTHS_AGO[route]))
    email = supervisor.email
    level2 = data.candidate.level2
    if level2 is not None:
        level2 = replace(level2, cases=tuple(replace(c, supervisor_id=email) for c in level2.cases))
    data = replace(data, candidate=replace(data.candidate, level2=level2),
                   cases=tuple(replace(c, supervisor_id=email) for c in data.cases),
                   training=tuple(replace(t, supervisor_id=email) for t in data.training), supervisors=())
    buffer = io.BytesIO()
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        folder = rules.write_package(Path(tmp) / "pkg", data)
        for activity in data.cme:
            (folder / activity.certificate).write_bytes(b"%PDF-1.4\n%%EOF\n")
        with zipfile.ZipFile(buffer, "w") as archive:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    archive.write(path, path.relative_to(folder).as_posix())
    package.import_zip(by=trainee, trainee=trainee, upload=SimpleUploadedFile("p.zip", buffer.getvalue()))
    for case in Case.objects.filter(trainee=trainee):
        logbook.verify_case(by=supervisor, case=case, status="verified")
    return data


def build(candidate, supervisor, board, ruleset, route, today):
    from cmrnet.logbook import services as logbook
    from cmrnet.people.services import add_certification, record_exam_pass

    body = rules.load_ruleset(ruleset).body
    if ruleset == "eacvi-2025" and route == "level1":
        add_level1_course(candidate, today=today)
    else:
        data = import_generated(candidate, supervisor, SOURCE.get((ruleset, route), route), today)
        if route == "level3-via-level2":
            level2 = data.candidate.level2
            add_certification(by=board, holder=candidate, body="EACVI", level=2, awarded_on=level2.awarded_on,
                              valid_until=level2.valid_until)
            # training and CME of the Level 2 years, recorded as used by the Level 2 application
            used = logbook.add_training(by=candidate, trainee=candidate, start_date=add_months(level2.awarded_on, -9),
                                        end_date=add_months(level2.awarded_on, -6), hours_per_week=Decimal("35"),
                                        supervisor=supervisor, centre="Heart Centre")
            claim = logbook.add_cme(by=candidate, trainee=candidate, title="Level 2 course", provider="EACVI",
                                    kind="course", start_date=add_months(level2.awarded_on, -4),
                                    end_date=add_months(level2.awarded_on, -4), credits=Decimal("12"),
                                    modalities=1, catalog_id="", certificate=pdf_upload("l2.pdf"))
            logbook.record_level2_usage(by=board, trainee=candidate, training_ids=[used.period_id],
                                        cme_ids=[claim.activity_id])
    if body != "EACVI":
        record_exam_pass(by=board, person=candidate, body=body, exam_date=add_months(today, -6), source="board",
                         reference=f"{body} exam")
    supervisors = [supervisor] if integration.has_logbook(rules.load_ruleset(ruleset).id, route) else []
    app = services.open_application(by=candidate, body=body, route=route, supervisors=supervisors, today=today)
    if supervisors:
        services.sign_declaration(by=supervisor, application=app, text=selectors.declaration_text(app), today=today)
    return app


def cli_verdict(package_zip: bytes, ruleset: str, route: str, today, tmp_path) -> tuple[int, dict]:
    """Unpack the exported package and run `cmrnet check-application` on it (JSON output)."""
    with zipfile.ZipFile(io.BytesIO(package_zip)) as archive:
        archive.extractall(tmp_path)
    out = io.StringIO()
    with redirect_stdout(out):
        status = check_application_main([str(tmp_path / "package"), "--ruleset", ruleset, "--route", route,
                                         "--today", today.isoformat(), "--format", "json"])
    return status, json.loads(out.getvalue())


@pytest.mark.parametrize("ruleset,route", ROUTES, ids=[f"{n}:{r}" for n, r in ROUTES])
def test_the_web_verdict_equals_check_application_on_the_exported_package(ruleset, route, candidate, supervisor,
                                                                           board_member, today, tmp_path):
    app = build(candidate, supervisor, board_member, ruleset, route, today)
    verdict = selectors.verdict(app, today=today)
    web = json.loads(json.dumps(verdict.evaluation.to_dict()))
    status, cli = cli_verdict(integration.package_zip(verdict.data, manifest={"application": app.pk}),
                              ruleset, route, today, tmp_path)
    assert cli == web
    assert status == (0 if web["compliant"] else 1)
    # the generated logbooks meet every rule of their route: the comparison is between two full verdicts
    assert web["compliant"], [r for r in web["rules"] if r["status"] != "met"]
    if route == "level3-via-level2":
        assert {(a["kind"], a["used_for"]) for a in web["allocations"]} >= {("training", "level2"), ("cme", "level2"),
                                                                             ("training", "level3"), ("cme", "level3")}


def test_a_disagreeing_verdict_would_be_caught(candidate, supervisor, board_member, today, tmp_path):
    """The comparison can fail: a web-side change the package does not carry (here the committee's figure
    left out of the package) gives a different CLI verdict."""
    from cmrnet.logbook.models import CmeActivity

    app = build(candidate, supervisor, board_member, "eacvi-2025", "level2", today)
    CmeActivity.objects.filter(trainee=candidate).update(accepted_hours=Decimal("0"), accepted_hours_reason="test")
    verdict = selectors.verdict(app, today=today)
    stripped = replace(verdict.data, cme=tuple(replace(a, accepted_hours=None, accepted_reason="")
                                               for a in verdict.data.cme))
    _, cli = cli_verdict(integration.package_zip(stripped, manifest={}), "eacvi-2025", "level2", today, tmp_path)
    assert cli != json.loads(json.dumps(verdict.evaluation.to_dict()))
    assert not verdict.evaluation.compliant and cli["compliant"]
