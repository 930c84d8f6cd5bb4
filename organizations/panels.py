"""Panels on the unit page (一主体一档), contributed by apps on higher floors.

The ground floor cannot import members, stations or grievances, yet the one-file-per-entity page
must show their records. So this module keeps a registry: a higher app registers a panel in its
``AppConfig.ready``::

    from organizations.panels import UnitPanel, register_unit_panel

    register_unit_panel(UnitPanel(key="members", title="党员", order=20, render=render_members_panel))

``render(request, unit)`` returns HTML (e.g. ``render_to_string(...)``) or ``None`` to hide the
panel. It must read through the scope rule (``restrict(qs, request.user)``) like every other
door: the page itself only proves the viewer may see the *unit*.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.html import format_html
from django.utils.safestring import SafeString

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class UnitPanel:
    key: str
    title: str
    render: Callable[..., str | None]
    order: int = 100
    # A permission the viewer needs for the panel to be rendered at all (e.g. "members.view_person").
    permission: str | None = None


_PANELS: dict[str, UnitPanel] = {}


def register_unit_panel(panel: UnitPanel) -> None:
    """Register (or replace, by key — ``ready()`` may run twice in tests) a unit-page panel."""
    _PANELS[panel.key] = panel


def unregister_unit_panel(key: str) -> None:
    _PANELS.pop(key, None)


def unit_panels() -> list[UnitPanel]:
    return sorted(_PANELS.values(), key=lambda p: (p.order, p.key))


@dataclass(frozen=True)
class RenderedPanel:
    key: str
    title: str
    html: SafeString


def render_unit_panels(request, unit) -> list[RenderedPanel]:
    """Render every registered panel the viewer may use; a failing panel shows a notice instead
    of taking the whole page down (it belongs to another app and is logged for its owner)."""
    rendered = []
    for panel in unit_panels():
        if panel.permission and not request.user.has_perm(panel.permission):
            continue
        try:
            html = panel.render(request, unit)
        except Exception:
            logger.exception("unit panel %s failed for unit %s", panel.key, unit.pk)
            html = format_html('<p class="warning">{}</p>', "该栏目暂时无法显示，已记录错误。")
        if html:
            rendered.append(RenderedPanel(panel.key, panel.title, SafeString(html)))
    return rendered
