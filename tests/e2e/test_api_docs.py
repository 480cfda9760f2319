"""Finding 11 in Chromium: Swagger UI (/api/v1/docs/) and ReDoc (/api/v1/redoc/) render under the site's
strict Content-Security-Policy, with no violation reported by the browser.

With CMRNET_SCREENS_DIR set, screenshots at 1366 and 390 px are saved there."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)
SCREENS = os.environ.get("CMRNET_SCREENS_DIR")
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


def shoot(page, name: str) -> None:
    if not SCREENS:
        return
    Path(SCREENS).mkdir(parents=True, exist_ok=True)
    for width in (1366, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=f"{SCREENS}/{name}-{width}.png")
    page.set_viewport_size({"width": 1366, "height": 900})


def watch(page):
    """Console errors and CSP violations of the page, collected while the test runs."""
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.add_init_script(RECORD_VIOLATIONS)
    return errors


def test_swagger_ui_lists_the_operations_under_the_csp(page, login, trainee):
    login(trainee)
    errors = watch(page)
    response = page.goto("/api/v1/docs/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("cmrnet API")
    expect(page.locator(".opblock").first).to_be_visible()
    # With this many operations Swagger UI keeps only those near the viewport in the page: scroll through it
    # and collect every operation shown on the way
    seen: set[str] = set()
    for _ in range(60):
        seen |= {text.strip() for text in page.locator(".opblock-summary-path").all_inner_texts()}
        if page.evaluate("() => window.innerHeight + window.scrollY >= document.body.scrollHeight - 2"):
            break
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(100)
    assert len(seen) >= 20, sorted(seen)
    assert {"/api/v1/logbook/cases/", "/api/v1/people/me/", "/api/v1/programmes/"} <= seen
    page.evaluate("() => window.scrollTo(0, 0)")
    me = page.locator(".opblock-summary", has_text="/api/v1/people/me/").first
    for _ in range(60):
        if me.count():
            break
        page.mouse.wheel(0, 600)
        page.wait_for_timeout(100)
    me.click()
    expect(page.locator(".opblock.is-open .responses-wrapper").first).to_be_visible()
    shoot(page, "api-docs-swagger")
    assert page.evaluate("window.__cspViolations") == []
    assert [e for e in errors if "Content Security Policy" in e or "Refused" in e] == [], errors
    assert errors == []


def test_redoc_renders_the_reference_under_the_csp(page, login, trainee):
    login(trainee)
    errors = watch(page)
    response = page.goto("/api/v1/redoc/")
    csp = response.headers["content-security-policy"]
    assert "unsafe-inline" not in csp and "'nonce-" in csp.split("style-src")[1].split(";")[0]
    expect(page.locator("h1", has_text="cmrnet API")).to_be_visible(timeout=30_000)
    expect(page.locator("[role=menuitem]", has_text="cases").first).to_be_attached()
    expect(page.get_by_text("/api/v1/logbook/cases/").first).to_be_attached()
    shoot(page, "api-docs-redoc")
    assert page.evaluate("window.__cspViolations") == []
    assert errors == []


def test_the_swagger_start_up_script_is_a_file_not_inline(client_for, trainee):
    client = client_for(trainee)
    html = client.get("/api/v1/docs/").content.decode()
    assert "<script>" not in html and "<style>" not in html and "?script=" in html
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


def test_a_token_made_on_the_page_is_shown_once_and_opens_the_api(page, login, trainee):
    login(trainee)
    page.goto(f"/people/{trainee.pk}/api-tokens/")
    page.get_by_label("What is the token for?").fill("RIS sync")
    page.get_by_role("button", name="Create token").click()
    secret = page.locator("#token-secret").inner_text()
    assert secret.startswith("cmr_")
    expect(page.locator("table")).to_contain_text("RIS sync")
    shoot(page, "api-tokens")
    page.reload()
    assert secret not in page.content()
    response = page.request.get("/api/v1/people/me/", headers={"Authorization": f"Token {secret}"})
    assert response.status == 200 and response.json()["email"] == trainee.email
