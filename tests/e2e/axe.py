"""axe-core in the page under test, from the local copy in tests/e2e/vendor (no CDN).

The page's Content-Security-Policy allows only the site's own scripts; Playwright's evaluate runs through
the DevTools protocol, which the CSP does not govern, so the page itself is tested as served."""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")


def violations(page, *, impacts=BLOCKING) -> list[dict]:
    """axe's violations of the given impacts on the current page (WCAG 2.x A/AA and best practices)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [v for v in found if v["impact"] in impacts]


def describe(found: list[dict]) -> str:
    return "\n".join(f"{v['impact']}: {v['id']} ({v['help']}) at {[n['target'] for n in v['nodes']][:5]}"
                     for v in found)
