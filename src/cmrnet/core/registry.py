"""Where apps plug into the shared layout: navigation links and dashboard panels, by role.

An app registers its entries in its AppConfig.ready(); the base layout and the dashboard then
show them to people holding the named roles. New domain apps never edit core templates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    roles: tuple[str, ...] = ()  # empty: every signed-in person
    order: int = 50


@dataclass(frozen=True)
class Panel:
    """A dashboard panel: a template and a function (request -> context dict)."""

    role: str
    template: str
    context: Callable = field(default=lambda request: {})
    order: int = 50


NAV: list[NavItem] = []
PANELS: list[Panel] = []


def register_nav(item: NavItem) -> None:
    if item not in NAV:
        NAV.append(item)
        NAV.sort(key=lambda i: i.order)


def register_panel(panel: Panel) -> None:
    if all(p.template != panel.template or p.role != panel.role for p in PANELS):
        PANELS.append(panel)
        PANELS.sort(key=lambda p: p.order)


def nav_for(user) -> list[NavItem]:
    return [i for i in NAV if not i.roles or user.has_role(*i.roles)]


def panels_for(user) -> list[Panel]:
    return [p for p in PANELS if user.has_role(p.role)]


@dataclass(frozen=True)
class PageAsset:
    """A script (ES module) or stylesheet an app adds to every page for people `applies(user)` is true
    for (e.g. live notifications for on-call experts)."""

    kind: str  # "script" or "stylesheet"
    path: str  # a static path
    applies: Callable = field(default=lambda user: True)


@dataclass(frozen=True)
class PageSection:
    """A section an app adds to a shared page (e.g. on-call figures on the network page): a template and
    a function (request -> context dict)."""

    page: str
    template: str
    context: Callable = field(default=lambda request: {})
    order: int = 50


PAGE_ASSETS: list[PageAsset] = []
PAGE_SECTIONS: list[PageSection] = []


def register_page_asset(asset: PageAsset) -> None:
    if all(a.path != asset.path for a in PAGE_ASSETS):
        PAGE_ASSETS.append(asset)


def register_section(section: PageSection) -> None:
    if all(s.template != section.template or s.page != section.page for s in PAGE_SECTIONS):
        PAGE_SECTIONS.append(section)
        PAGE_SECTIONS.sort(key=lambda s: s.order)


def page_assets_for(user) -> list[PageAsset]:
    return [a for a in PAGE_ASSETS if a.applies(user)]


def sections_for(page: str) -> list[PageSection]:
    return [s for s in PAGE_SECTIONS if s.page == page]
