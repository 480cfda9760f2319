"""Screenshots of changed pages at 1366 and 390 px wide, when CMRNET_SCREENS names a folder (for people to
look at; no test depends on them)."""

from __future__ import annotations

import os
from pathlib import Path

WIDTHS = (1366, 390)


def shoot(page, name: str) -> bool:
    """True when screenshots were taken (the capture's own inline styles are then reported by the CSP)."""
    folder = os.environ.get("CMRNET_SCREENS")
    if not folder:
        return False
    Path(folder).mkdir(parents=True, exist_ok=True)
    size = page.viewport_size or {"width": 1280, "height": 800}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(folder) / f"{name}-{width}.png"), full_page=True)
    page.set_viewport_size(size)
    return True
