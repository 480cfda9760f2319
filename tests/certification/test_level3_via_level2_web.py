"""Level 3 via Level 2 in the web app: only training and CME not used for the Level 2 certification count
("a further nine months"; "25 hours ... over and above the CME provided for a Level 2 application"), and the
pages say which periods and claims were counted where."""

import datetime as dt
from decimal import Decimal

import pytest

from cmrnet.audit.models import AuditEntry
from cmrnet.certification import selectors, services
from cmrnet.logbook import services as logbook
from cmrnet.logbook.models import CmeActivity, LogbookSettings, TrainingPeriod
from tests.certification.helpers import pdf_upload

LATER = dt.date(2027, 6, 15)   # the day the Level 3 application is judged


def add_period(candidate, supervisor, start, end, hours="35"):
    return logbook.add_training(by=candidate, trainee=candidate, start_date=start, end_date=end,
                                hours_per_week=Decimal(hours), supervisor=supervisor, centre="Heart Centre")


def add_claim(candidate, title, day, credits):
    return logbook.add_cme(by=candidate, trainee=candidate, title=title, provider="Society", kind="course",
                           start_date=day, end_date=day, credits=Decimal(credits), modalities=1, catalog_id="",
                           certificate=pdf_upload(f"{title}.pdf"))


@pytest.fixture
def level3(certificate, candidate, today):
    """The Level 2 certificate issued by cmrnet, and a Level 3 via Level 2 application opened after it."""
    return services.open_application(by=candidate, body="EACVI", route="level3-via-level2", today=today)


def test_issuing_level2_records_what_its_application_used(certificate, candidate):
    settings = LogbookSettings.objects.get(trainee=candidate)
    assert settings.level2_training_ids == sorted(p.period_id for p in TrainingPeriod.objects.filter(trainee=candidate))
    assert settings.level2_cme_ids == sorted(a.activity_id for a in CmeActivity.objects.filter(trainee=candidate))
    assert settings.level2_training_ids and settings.level2_cme_ids
    entry = AuditEntry.objects.get(action="logbook.level2_usage_recorded")
    assert entry.data["application_id"] == certificate.application_id


def test_level2_training_does_not_count_again_three_plus_six_is_six(level3, candidate, supervisor):
    add_period(candidate, supervisor, dt.date(2026, 12, 1), dt.date(2027, 5, 31))      # 6 further months
    rule = selectors.verdict(level3, today=LATER).evaluation.rule("training_months")
    assert rule.numbers["have"] == 6 and not rule.met          # the Level 2 months no longer make it 9+
    assert "6 months full-time equivalent of 9 required" in rule.message


def test_a_period_the_level2_application_did_not_contain_counts_even_before_the_award(level3, candidate, supervisor):
    add_period(candidate, supervisor, dt.date(2026, 12, 1), dt.date(2027, 5, 31))
    earlier = add_period(candidate, supervisor, dt.date(2026, 6, 1), dt.date(2026, 8, 31))   # entered after the award
    evaluation = selectors.verdict(level3, today=LATER).evaluation
    assert evaluation.rule("training_months").numbers["have"] == 9 and evaluation.rule("training_months").met
    used = {a.item_id: a.used_for for a in evaluation.allocations if a.kind == "training"}
    assert used[earlier.period_id] == "level3"
    assert sorted(k for k, v in used.items() if v == "level2") == \
        LogbookSettings.objects.get(trainee=candidate).level2_training_ids


def test_level2_cme_does_not_count_again(level3, candidate):
    add_claim(candidate, "CMR update 2027", dt.date(2027, 2, 10), "10")
    evaluation = selectors.verdict(level3, today=LATER).evaluation
    rule = evaluation.rule("cme_hours")
    assert rule.numbers["have"] == 10 and not rule.met
    level2_ids = set(LogbookSettings.objects.get(trainee=candidate).level2_cme_ids)
    assert {a.item_id for a in evaluation.allocations if a.kind == "cme" and a.used_for == "level2"} == level2_ids


def test_without_a_record_what_lies_before_the_award_is_presumed_level2(candidate, logbook, supervisor, board_member,
                                                                      today):
    from cmrnet.people.services import add_certification

    add_certification(by=board_member, holder=candidate, body="EACVI", level=2, awarded_on=dt.date(2026, 11, 30),
                      valid_until=dt.date(2031, 11, 29))    # recorded by the board: no cmrnet Level 2 application
    spanning = add_period(candidate, supervisor, dt.date(2026, 10, 1), dt.date(2027, 3, 31))
    app = services.open_application(by=candidate, body="EACVI", route="level3-via-level2", today=today)
    evaluation = selectors.verdict(app, today=LATER).evaluation
    split = next(a for a in evaluation.allocations if a.item_id == spanning.period_id)
    assert split.used_for == "split" and split.level3_from == dt.date(2026, 12, 1)
    assert evaluation.rule("training_months").numbers["have"] == 4     # December to March


def test_the_application_and_progress_pages_say_where_each_item_was_counted(level3, candidate, supervisor, client_for):
    period = add_period(candidate, supervisor, dt.date(2026, 12, 1), dt.date(2027, 5, 31))
    page = client_for(candidate).get(f"/certification/applications/{level3.pk}/").content.decode()
    assert "Where training and CME were counted" in page
    assert f'data-item="{period.period_id}" data-used-for="level3"' in page
    assert "used for Level 2: not counted here" in page and "used for the Level 2 application" in page
    claims = page.split('id="cme-claims"')[1].split("</table>")[0]
    level2_claims = LogbookSettings.objects.get(trainee=candidate).level2_cme_ids
    assert claims.count("used for Level 2: not counted here") == len(level2_claims)
    progress = client_for(candidate).get("/logbook/progress/").content.decode()
    panel = progress.split('id="route-eacvi-2025-level3-via-level2"')[1].split("</section>")[0]
    assert "Where training and CME were counted" in panel and "used for Level 2: not counted here" in panel
    level2_panel = progress.split('id="route-eacvi-2025-level2"')[1].split("</section>")[0]
    assert "Where training and CME were counted" not in level2_panel
