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
