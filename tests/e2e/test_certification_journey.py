"""The whole certification path in a real browser: exam pass (recorded by the board), a complete
logbook, the supervisor signs, the candidate submits, the office returns it once, the candidate fixes
and resubmits, two graders disagree, the chair decides pass, the certificate PDF downloads, the public
verification page says valid, and after a revocation it says revoked."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cmrnet.people.roles import Role
from tests.certification.helpers import PDF, import_compliant_logbook, prepare_candidate

pytestmark = pytest.mark.django_db(transaction=True)


def pdf_file(name):
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


@pytest.fixture
def journey(trainee, mentor, board_member, make_person, other_centre):
    from cmrnet.certification.services import set_chair

    today = timezone.localdate()
    exam_date = prepare_candidate(trainee=trainee, supervisor=mentor, today=today, board=board_member, record_exam=False)
    import_compliant_logbook(trainee=trainee, supervisor=mentor, exam_date=exam_date)
    set_chair(by=board_member, body="EACVI", person=board_member, today=today)
    graders = [make_person("gus@example.org", Role.GRADER, full_name="Gus Grader", at=other_centre),
               make_person("gina@example.org", Role.GRADER, full_name="Gina Grader", at=other_centre)]
    return {"candidate": trainee, "supervisor": mentor, "board": board_member, "graders": graders, "exam_date": exam_date}


def go_to_certification(page):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Certification", exact=True).click()


def open_application(page):
    go_to_certification(page)
    page.get_by_role("link", name=re.compile(r"Certification: EACVI Level 2")).click()


def test_the_whole_certification_path(page, login, journey):
    candidate, supervisor, board = journey["candidate"], journey["supervisor"], journey["board"]
    first, second = journey["graders"]

    # Before the exam pass is recorded, the logbook application is closed.
    login(candidate)
    go_to_certification(page)
    expect(page.get_by_text("Access to the logbook application opens only after the written exam is passed.")).to_be_visible()

    # The board records the exam pass (a sitting held elsewhere).
    login(board)
    go_to_certification(page)
    page.get_by_role("link", name="Certification office").click()
    page.get_by_role("link", name="Record an exam pass").click()
    page.get_by_label("Candidate").select_option(str(candidate.pk))
    page.get_by_label("Exam sat on").fill(journey["exam_date"].isoformat())
    page.get_by_label("Results released on").fill((journey["exam_date"] + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Record exam pass").click()
    expect(page.locator("#exam-passes")).to_contain_text(f"Tara Trainee: EACVI exam sat {journey['exam_date'].isoformat()}")

    # The candidate opens a Level 2 application, names the supervisor and uploads the documents.
    login(candidate)
    expect(page.get_by_role("heading", name="My certification")).to_be_visible()
    go_to_certification(page)
    page.get_by_label("Route").select_option("level2")
    page.get_by_role("button", name="Open an application").click()
    expect(page.locator("#state")).to_have_text("Draft")
    page.get_by_label("Max Mentor").check()
    page.get_by_role("button", name="Save supervisors").click()
    for kind, name in (("registration", "registration.pdf"), ("acls", "acls.pdf")):
        page.get_by_label("Document *").select_option(kind)
        page.get_by_label("File").set_input_files(pdf_file(name))
        page.get_by_role("button", name="Upload").click()
        expect(page.get_by_text("Document uploaded.")).to_be_visible()
    expect(page.locator("#blockers")).to_contain_text("Max Mentor has not signed")
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_text("The application cannot be submitted yet:")).to_be_visible()
    expect(page.locator("#state")).to_have_text("Draft")

    # The supervisor signs the declaration's exact wording.
    login(supervisor)
    expect(page.get_by_role("heading", name="Declarations to sign")).to_be_visible()
    page.get_by_role("link", name=re.compile("Tara Trainee: Level 2")).click()
    expect(page.locator("#declaration-text")).to_contain_text("was under my direct supervision")
    page.get_by_label("I sign this declaration").check()
    page.get_by_role("button", name="Sign the declaration").click()
    expect(page.locator("#declarations")).to_contain_text("signed")

    # The candidate submits: every rule is met.
    login(candidate)
    open_application(page)
    expect(page.locator("#ready")).to_have_text("Ready to submit.")
    expect(page.locator("#rules")).not_to_contain_text("not met")
    page.get_by_role("button", name="Submit application").click()
    expect(page.locator("#state")).to_have_text("Submitted")
    expect(page.locator("#snapshots")).to_contain_text("sha256")

    # The office returns it once, with reasons.
    login(board)
    expect(page.get_by_role("heading", name="Certification office")).to_be_visible()
    page.get_by_role("link", name="Open the certification office").click()
    page.get_by_role("link", name=re.compile("Tara Trainee")).first.click()
    page.get_by_label("Reasons *").fill("Add an English translation of the registration.")
    page.get_by_role("button", name="Return for modification").click()
    expect(page.locator("#state")).to_have_text("Returned for modification")

    # The candidate fixes it and resubmits; the history keeps the return.
    login(candidate)
    open_application(page)
    expect(page.locator("#history")).to_contain_text("Add an English translation of the registration.")
    page.get_by_label("Document *").select_option("registration")
    page.get_by_label("Title").fill("Approbationsurkunde")
    page.get_by_label("Written in").select_option("de")
    page.get_by_label("File").set_input_files(pdf_file("registration-de.pdf"))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#blockers")).to_contain_text("Approbationsurkunde' is in German")
    page.get_by_label("Document *").select_option("translation")
    page.get_by_label("Written in").select_option("en")
    page.get_by_label("English translation of").select_option(label="Medical registration: Approbationsurkunde (de)")
    page.get_by_label("File").set_input_files(pdf_file("registration-en.pdf"))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#documents")).to_contain_text("translation of Medical registration: Approbationsurkunde")
    page.get_by_role("button", name="Resubmit application").click()
    expect(page.locator("#state")).to_have_text("Resubmitted")

    # The board accepts it and assigns two graders from another centre.
    login(board)
    page.goto("/certification/office/")
    page.get_by_role("link", name=re.compile("Tara Trainee")).first.click()
    page.get_by_role("button", name="Accept into grading").click()
    expect(page.locator("#state")).to_have_text("In grading")
    for grader in (first, second):
        page.get_by_label("Grader *").select_option(str(grader.pk))
        page.get_by_role("button", name="Assign grader").click()
        expect(page.get_by_text("Grader assigned.")).to_be_visible()
    expect(page.locator("#assignments")).to_contain_text("Gus Grader")
    expect(page.locator("#assignments")).to_contain_text("Gina Grader")
    application_url = page.url

    # The two graders disagree.
    for grader, result, comment in ((first, "Pass", "A solid logbook."), (second, "Fail", "Too few congenital cases.")):
        login(grader)
        expect(page.get_by_role("heading", name="Applications to grade")).to_be_visible()
        page.get_by_role("link", name=re.compile(r"Application #\d+: Level 2")).first.click()
        page.get_by_label(result, exact=True).check()
        page.get_by_label("Comments").fill(comment)
        page.get_by_role("button", name="Record grade").click()
        expect(page.get_by_text("Grade recorded.")).to_be_visible()

    # The chair decides pass.
    login(board)
    page.goto(application_url)
    expect(page.locator("#state")).to_have_text("Graders disagree: chair decides")
    page.get_by_label("Pass", exact=True).check()
    page.get_by_label("Reasons for the decision").fill("The congenital cases meet the standard.")
    page.get_by_role("button", name="Record the chair's decision").click()
    expect(page.locator("#state")).to_have_text("Passed")

    # The candidate downloads the certificate PDF.
    login(candidate)
    open_application(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Download certificate (PDF)").click()
    download = info.value
    with open(download.path(), "rb") as handle:
        content = handle.read()
    assert content.startswith(b"%PDF") and b"Tara Trainee" in content
    verify_link = page.get_by_role("link", name="Public verification page").get_attribute("href")

    # Anyone (no login) sees the certificate as valid.
    page.context.clear_cookies()
    page.goto(verify_link)
    expect(page.locator("#verdict")).to_have_text("Valid")
    expect(page.get_by_text("Tara Trainee")).to_be_visible()

    # The board revokes it for misconduct; the public page now says revoked.
    login(board)
    page.goto(application_url)
    page.get_by_role("link", name="Revoke for misconduct").click()
    page.get_by_label("Misconduct decision and reason").fill("Falsified case entries found at a random audit.")
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("Certificate revoked.")).to_be_visible()
    page.context.clear_cookies()
    page.goto(verify_link)
    expect(page.locator("#verdict")).to_have_text("Revoked")
