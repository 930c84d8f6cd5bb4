"""数据看板 — each role lands on its own scope; every figure drills down to the scoped rows."""

from __future__ import annotations

import hashlib
import html
from datetime import timedelta
from functools import lru_cache
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from cadence.metrics import (
    PROVIDERS,
    Lens,
    compute_all,
    compute_children,
    drill_queryset,
    keeping_statements,
    providers,
)
from cadence.models import DailySnapshot, KeyTask, Notification, WeeklyReport
from cadence.nodes import Node, home_nodes, homes_and_family, node_visible
from cadence.periods import KINDS, Period, PeriodError, from_params, running
from cadence.services.catchup import cached_missed_runs
from cadence.services.snapshots import EXCEPTIONS_KEY, inventory_figures
from cadence.services.weekly import due_at_for, iso_week_of
from cadence.views.own_level import own_level_cells
from cadence.views.records import record_url
from core.db_router import replica_reads
from organizations.models import StaffPost, Territory
from organizations.rules import rules_held
from organizations.scope import restrict, scope_for

CHILD_PROVIDERS = ["organizations", "members", "stations", "grievances", "points"]
GRID_WEEKS = 8
GRID_STREETS = 60
# 征集—处理—反馈: received → answered in time → solved → rated → satisfied.
FUNNEL_STEPS = ["received", "responded", "resolved", "rated", "satisfied"]
# Providers whose figures count what happened in a period; the others are stock figures read
# as of a day (units, stations, members), which the daily inventory already holds.
PERIODIC = ("grievances", "mediation", "points", "weekly")
# Tiles by role: a station manager or a member unit works on a few things, and a wall of
# zeros about coverage or members they do not handle hides them. Territorial posts and
# industry committees see every tile. A user with several posts sees the union.
ROLE_TILES = {
    StaffPost.Role.STATION: {"stations", "points"},
    StaffPost.Role.MEMBER_UNIT: {"grievances", "mediation", "key_tasks"},
}


def tiles_for(user) -> set[str] | None:
    """Provider names the user's dashboard shows; None for all of them."""
    if user.is_superuser:
        return None
    roles = scope_for(user).roles  # read with the scope, kept across requests with it
    if not roles or roles - set(ROLE_TILES):
        return None
    return set().union(*(ROLE_TILES[r] for r in roles))


def period_of(request) -> Period:
    """The period asked for; a bad one is reported and the default shown instead."""
    try:
        return from_params(request.GET)
    except PeriodError as exc:
        messages.error(request, str(exc))
        return running("month")


def period_query(period: Period) -> str:
    """The period as query parameters a drill-down link carries: explicit dates, so the list
    shows the rows counted on the page even if the day turns in between."""
    return urlencode({"start": period.start.isoformat(), "end": period.end.isoformat()})


@lru_cache(maxsize=1024)
def _reversed(name: str, args: tuple, prefix: str) -> str:
    """``reverse`` of a URL without per-object arguments, once per process and script prefix: a
    dashboard links hundreds of cells to a few dozen drill-down lists."""
    return reverse(name, args=args)


def drill_url(provider: str, figure: str, node: Node | None, period: Period | None, query: str | None = None) -> str:
    """``query``: ``period_query(period)`` when the caller has it already (a table of cells)."""
    url = _reversed("cadence:drill", (provider, figure), get_script_prefix())
    params = []
    if node is not None:
        params.append(f"node={node.key}")
    if period is not None and provider in PERIODIC:
        params.append(query if query is not None else period_query(period))
    return f"{url}?{'&'.join(params)}" if params else url


def focus_node(request) -> tuple[Node | None, list[Node]]:
    """The node the page looks at: ``?node=`` if the user may look there, else their first post."""
    key = request.GET.get("node")
    if not key:
        homes = home_nodes(request.user)
        return (homes[0] if homes else None), homes
    return _asked_node(request, key), home_nodes(request.user)


def _asked_node(request, key: str) -> Node:
    node = Node.parse(key)
    if node is None or not node_visible(request.user, node):
        raise Http404("节点不存在或不在您的管辖范围内")
    return node


def focus_with_family(request) -> tuple[Node | None, list[Node], tuple[list[Node], list[Node]]]:
    """``focus_node``, and the focus node's ancestors and children (``family``): the homes and
    the family come from one query for a post in the territory tree."""
    key = request.GET.get("node")
    return homes_and_family(request.user, _asked_node(request, key) if key else None)


def lens_for(user, node: Node | None) -> Lens:
    """A focus node is inside the user's scope (``focus_node`` checked), so its lens is the
    node's own; without one (member units, station managers) the user's scope is the lens."""
    return node.lens if node is not None else Lens(scope_for(user))


def _cache_key(user, node: Node | None, part: str) -> str:
    scope = repr(scope_for(user))
    # ``part`` names the period too: two periods never share an entry.
    digest = hashlib.sha1(f"{scope}|{node.key if node else '-'}|{part}".encode()).hexdigest()
    return f"cadence:dash:{timezone.localdate()}:{digest}"


def _cached(user, node, part, compute):
    """Figures are cached per (scope, node, day) for ``CADENCE_DASHBOARD_CACHE_SECONDS``: the
    key holds the viewer's whole scope, so two viewers share an entry only if they see the same."""
    seconds = settings.CADENCE_DASHBOARD_CACHE_SECONDS
    if not seconds:
        return compute()
    key = _cache_key(user, node, part)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, seconds)
    return value


def children_figures(lens: Lens, children: list[Node], today, only=CHILD_PROVIDERS) -> dict[str, dict]:
    """The child table's figures, ``{node key: {provider: figures}}``, each provider's for every
    child in one grouped pass (``compute_children``), not one pass per child."""
    territories = [c.territory for c in children]
    by_pk = compute_children(lens, territories, today, only=only)
    return {c.key: by_pk[c.territory.pk] for c in children}


def figure_cards(
    user, lens_figures: dict, node: Node | None, period: Period | None = None, tiles: set[str] | None = None
) -> list[dict]:
    groups = []
    text = _number_text()
    query = period_query(period) if period is not None else None  # once, not once a card
    for prov in providers():
        if tiles is not None and prov.name not in tiles:
            continue
        values = lens_figures.get(prov.name) or {}
        cards = []
        may_drill = prov.perm is None or user.has_perm(prov.perm)
        for fig in prov.figures:
            value = values.get(fig.key)
            url = drill_url(prov.name, fig.key, node, period, query) if fig.drill is not None and may_drill else None
            cards.append({"key": fig.key, "label": fig.label, "unit": fig.unit, "value": value, "url": url})
        label = prov.label
        if period is not None and prov.name in PERIODIC:
            label = f"{label}（{period.start:%m月%d日}—{period.end:%m月%d日}）"
        groups.append({"name": prov.name, "label": label, "cards": cards, "html": _cards_html(prov.name, cards, text)})
    return groups


def child_table(
    user,
    children: list[tuple[Node, dict]],
    provider_name: str,
    period: Period | None = None,
    own: tuple[Node, dict] | None = None,
) -> dict | None:
    """One provider's figures per child of the focus node; with ``own`` (the node and its
    totals) a last row holds what the node has at none of its children (``own_level``)."""
    prov = PROVIDERS.get(provider_name)
    if prov is None or not children:
        return None
    rows = []
    may_drill = prov.perm is None or user.has_perm(prov.perm)
    dashboard = _reversed("cadence:dashboard", (), get_script_prefix())
    query = period_query(period) if period is not None else None
    text = _number_text()
    # Each figure's drill-down link around the child's key: ``drill_url`` once per figure.
    links = [
        drill_url(prov.name, fig.key, Node("\0", ""), period, query).split("\0") if fig.drill is not None else None
        for fig in prov.figures
    ]
    # The links escaped once per table (escaping goes character by character, so a link's
    # escaped parts around the escaped key are the escaped link).
    escaped_links = [(escape(link[0]), escape(link[1])) if link is not None else None for link in links]
    for child, figures in children:
        values = figures.get(provider_name) or {}
        cells = []
        escaped_urls = []
        # An industry committee sees its own organizations per district, but may not open a
        # district as a whole: those cells carry no link.
        visible = node_visible(user, child)
        escaped_key = escape(child.key)
        for fig, link, escaped_link in zip(prov.figures, links, escaped_links, strict=True):
            url = escaped_url = None
            if link is not None and visible and may_drill:
                url = f"{link[0]}{child.key}{link[1]}"
                escaped_url = f"{escaped_link[0]}{escaped_key}{escaped_link[1]}"
            cells.append({"value": values.get(fig.key), "url": url, "unit": fig.unit})
            escaped_urls.append(escaped_url)
        dashboard_url = f"{dashboard}?node={child.key}" if visible else None
        cells_html = _cells_html(cells, text, escaped_urls)
        rows.append({"node": child, "cells": cells, "dashboard": dashboard_url, "html": cells_html})
    # The chart shows the first rate (or the first figure) per child.
    chart_fig = next((f for f in prov.figures if f.rate), prov.figures[0])
    chart = {
        "type": "bar",
        "title": f"{prov.label}：{chart_fig.label}",
        "unit": chart_fig.unit,
        "categories": [child.label for child, _ in children],
        "values": [(figs.get(provider_name) or {}).get(chart_fig.key) for _, figs in children],
        "links": [row["dashboard"] for row in rows],
    }
    if own is not None and (cells := own_level_cells(prov, own[1].get(provider_name), children)) is not None:
        node = own[0]
        label = f"{node.label}本级（未落到下级）"
        rows.append({"node": Node(f"{node.key}:own", label), "cells": cells, "dashboard": None, "own": True})
        rows[-1]["html"] = _cells_html(cells, text, [None] * len(cells))
    return {
        "provider": prov,
        # The header cells as the template's loop wrote them, once here (five tables a page).
        "header_cells": mark_safe("".join(f'<th class="num">{conditional_escape(f.label)}</th>' for f in prov.figures)),
        "rows": rows,
        "chart": chart,
        "body": _rows_html(rows),
    }


def _rows_html(rows: list[dict]) -> str:
    """A child table's body rows, rendered here once: the same markup the template's loop gave."""
    parts = []
    for row in rows:
        label = conditional_escape(row["node"].label)
        if row["dashboard"]:
            label = f'<a href="{conditional_escape(row["dashboard"])}">{label}</a>'
        parts.append(f"\n      <tr><td>{label}</td>\n      {row['html']}</tr>\n    ")
    return mark_safe("".join(parts))  # every part is escaped above


def escape(text: str) -> str:
    """Django's ``escape`` of a plain ``str`` (``html.escape``, the same characters), without its
    lazy-argument wrapper: the dashboard escapes hundreds of link parts a page."""
    return html.escape(text)


def _value_html(value) -> str:
    """A value as ``{{ value }}`` renders it (localized, escaped)."""
    return conditional_escape(str(localize(value)))


def _number_text():
    """``_value_html`` for the current locale, with a shortcut for plain numbers: where the locale
    writes numbers without grouping and with a decimal point (``localize`` of a probe says so),
    an int or a float is its ``str()``, which is what ``localize`` gives it there (digits, a
    sign and a point need no escaping)."""
    if localize(-1234567) != "-1234567" or localize(-1234567.25) != "-1234567.25":
        return _value_html

    def text(value) -> str:
        kind = type(value)
        if kind is int:
            return str(value)
        if kind is float:
            written = str(value)
            if "e" not in written and "n" not in written:  # not 1e-05, inf or nan
                return written
        return _value_html(value)

    return text


def _cells_html(cells: list[dict], text=None, escaped_urls: list[str | None] | None = None) -> str:
    """A child-table row's figure cells, rendered here once instead of a dozen template nodes a
    cell (the table has hundreds): the same markup the template gave. ``text``: ``_number_text()``
    when the caller renders many rows; ``escaped_urls``: the cells' URLs escaped already."""
    text = text or _number_text()
    if escaped_urls is None:
        escaped_urls = [escape(cell["url"]) if cell["url"] else None for cell in cells]
    parts = []
    for cell, escaped_url in zip(cells, escaped_urls, strict=True):
        value = cell["value"]
        if escaped_url and value:
            inner = f'<a href="{escaped_url}">{text(value)}</a>'
        elif value is None:
            inner = "—"
        else:
            inner = text(value)
        parts.append(f'<td class="num">{inner}</td>')
    return mark_safe("".join(parts))  # every part is escaped above


def _cards_html(name: str, cards: list[dict], text=None) -> str:
    """A tile's figure cards, rendered here once instead of a dozen template nodes a card (a
    page has sixty): the same markup the template's loop gave, byte for byte. ``text``:
    ``_number_text()`` when the caller renders many tiles."""
    text = text or _number_text()
    parts = []
    for card in cards:
        url, value = card["url"], card["value"]
        if all(type(card[k]) is str for k in ("key", "unit", "label")):
            head, tail = _card_frame(name, card["key"], card["unit"], card["label"])
        else:  # lazy text (translated when shown) is written afresh
            head, tail = _card_frame.__wrapped__(name, card["key"], card["unit"], card["label"])
        shown = "—" if value is None else text(value)
        parts.append(f'{head}<a href="{escape(url)}">{shown}</a>{tail}' if url else f"{head}{shown}{tail}")
    return mark_safe("".join(parts))  # every part is escaped above


@lru_cache(maxsize=512)
def _card_frame(name: str, key: str, unit: str, label: str) -> tuple[str, str]:
    """A card's markup before and after its value: the same for every view of the figure (the
    arguments are the figure's definition, plain text), escaped once per process."""
    figure = f"{conditional_escape(name)}.{conditional_escape(key)}"
    head = f'\n    <div class="kpi" data-figure="{figure}">\n      <div class="value">'
    tail = (
        f"<small>{conditional_escape(unit)}</small></div>\n"
        f'      <div class="label">{conditional_escape(label)}</div>\n'
        "    </div>\n  "
    )
    return head, tail


def _grid_cells_html(cells: list[dict]) -> str:
    """A weekly-grid row's week cells (up to 60 rows × 8 weeks), rendered here once."""
    parts = []
    for cell in cells:
        label = conditional_escape(cell["label"])
        report = cell.get("report")
        if report is not None:
            url = reverse("cadence:weekly-detail", args=[report.pk])
            label = f'<a href="{conditional_escape(url)}">{label}</a>'
        parts.append(f'<td class="wk wk-{conditional_escape(cell["state"])}">{label}</td>')
    return mark_safe("".join(parts))  # every part is escaped above


def weekly_grid(user, node: Node | None) -> dict | None:
    """Streets × the last weeks: who filed, who is late. Scoped through the door."""
    if node is None or node.territory is None:
        return None
    today = timezone.localdate()
    weeks = [iso_week_of(today - timedelta(weeks=back)) for back in range(GRID_WEEKS - 1, -1, -1)]
    hidden = 0
    if node.territory.level == Territory.Level.STREET:
        streets = [node.territory]  # the focus node itself, inside the viewer's scope (``focus_node``)
    else:
        streets = restrict(Territory.objects.filter(level=Territory.Level.STREET), user).filter(
            path__startswith=node.territory.path
        )
        streets = list(streets.order_by("path")[: GRID_STREETS + 1])
        if len(streets) > GRID_STREETS:  # the page says how many it leaves out
            hidden = (
                restrict(Territory.objects.filter(level=Territory.Level.STREET), user)
                .filter(path__startswith=node.territory.path)
                .count()
                - GRID_STREETS
            )
            streets = streets[:GRID_STREETS]
    if not streets:
        return None
    reports = (
        restrict(WeeklyReport.objects.all(), user)
        .filter(street__in=streets, iso_year__gte=weeks[0][0])
        .only("id", "street_id", "iso_year", "iso_week", "status", "due_at", "submitted_at")
    )
    by_key = {(r.street_id, r.iso_year, r.iso_week): r for r in reports}
    now = timezone.now()
    rows = []
    for street in streets:
        cells = []
        for year, week in weeks:
            report = by_key.get((street.pk, year, week))
            if report is None:
                # No row yet: a week past its deadline is as late as an unfiled draft.
                late = due_at_for(year, week) < now
                cells.append({"state": "late" if late else "none", "label": "未报" if late else "—"})
            elif report.is_late(now):
                cells.append({"state": "late", "label": "逾期", "report": report})
            elif report.is_filed:
                state = "filed-late" if report.filed_late else "filed"
                cells.append({"state": state, "label": report.get_status_display(), "report": report})
            else:
                cells.append({"state": "open", "label": report.get_status_display(), "report": report})
        rows.append({"street": street, "cells": cells, "html": _grid_cells_html(cells)})
    return {"weeks": [f"{w}周" for _, w in weeks], "rows": rows, "hidden": hidden}


def station_points(lens: Lens) -> dict:
    """Stations with coordinates, as a scatter of longitude/latitude (no tile server needed)."""
    from stations.models import Station

    qs = lens.apply(Station.objects.filter(longitude__isnull=False, latitude__isnull=False))
    points = [
        {"name": s["name"], "value": [float(s["longitude"]), float(s["latitude"])], "status": s["status"]}
        for s in qs.values("name", "longitude", "latitude", "status")[:3000]
    ]
    return {"type": "scatter", "title": "驿站分布", "points": points}


def node_exceptions(node: Node | None, day) -> list[dict]:
    """Today's exceptions of the focus node from the daily inventory. The focus node lies inside
    the viewer's scope (``node_visible``), so its snapshot holds nothing they may not see."""
    if node is None:
        return []
    snapshot = DailySnapshot.objects.filter(kind=DailySnapshot.Kind.DAILY, node_key=node.key, date=day).first()
    return (snapshot.figures.get(EXCEPTIONS_KEY) or []) if snapshot else []


@login_required
@transaction.non_atomic_requests  # reads only: no BEGIN/COMMIT around them
@rules_held()  # the branch rules (coverage, violations) read once for the whole page
def dashboard(request):
    node, homes, (ancestors, children) = focus_with_family(request)
    user = request.user
    period = period_of(request)
    lens = lens_for(user, node).during(period)
    today = timezone.localdate()
    live = request.GET.get("live") == "1"
    # Today's inventory holds the stock figures (units, stations, members) as the live
    # selectors would give them; the period's flow figures are always counted for the period.
    inventory = None if live or period.end != today else inventory_figures(node, children, today)
    # Only the role's tiles are computed: figures nobody is shown cost time for nothing.
    tiles = tiles_for(user)
    shown = None if tiles is None else sorted(tiles)
    periodic = [name for name in PERIODIC if name in PROVIDERS and (tiles is None or name in tiles)]
    child_providers = [name for name in CHILD_PROVIDERS if tiles is None or name in tiles]
    tag = f"{period.key}:{shown}"  # cache entries per period and set of tiles
    # Live figures are reads only: on the replica when one is configured. The page is viewed
    # again and again, so its grouped statements are compiled once per process (``keep_sql``).
    with replica_reads(), keeping_statements():
        if inventory is not None:
            totals, by_key, as_of = inventory
            totals = {k: v for k, v in totals.items() if k not in PERIODIC}
            totals.update(_cached(user, node, f"flows:{tag}", lambda: compute_all(lens, period, only=periodic)))
            stock_children = [c for c in children if c.key not in by_key]
            # Levels the inventory does not keep (communities, say): one grouped pass for them all.
            by_key.update(children_figures(lens, stock_children, period, only=child_providers))
            flows = [name for name in child_providers if name in PERIODIC]
            kept = [c for c in children if c not in stock_children]
            for key, figures in _cached(
                user, node, f"child-flows:{tag}", lambda: children_figures(lens, kept, period, only=flows)
            ).items():
                by_key[key].update(figures)
        else:
            as_of = None
            totals = _cached(user, node, f"totals:{tag}", lambda: compute_all(lens, period, only=shown))
            by_key = _cached(
                user,
                node,
                f"children:{tag}",
                lambda: children_figures(lens, children, period, only=child_providers),
            )
    children_with = [(c, by_key.get(c.key, {})) for c in children]
    tables = [
        t
        for t in (child_table(user, children_with, name, period, own=(node, totals)) for name in CHILD_PROVIDERS)
        if t and (tiles is None or t["provider"].name in tiles)
    ]
    key_tasks = list(
        lens.apply(KeyTask.objects.select_related("lead_body"))  # the plan is filtered on, not shown
        .filter(plan__year_start__lte=today.year, plan__year_end__gte=today.year)
        .order_by("plan__year_start", "number")[:40]
    )
    with_funnel = tiles is None or "grievances" in tiles
    grievances = (totals.get("grievances") or {}) if "grievances" in PROVIDERS and with_funnel else None
    funnel = None
    if grievances:
        labels = {f.key: f.label for f in PROVIDERS["grievances"].figures}
        steps = [(labels[k], grievances.get(k)) for k in FUNNEL_STEPS if k in labels]
        funnel = {
            "type": "funnel",
            "title": f"诉求处理漏斗（{period.start:%m月%d日}—{period.end:%m月%d日}）",
            "categories": [s[0] for s in steps],
            "values": [s[1] for s in steps],
            "steps": steps,
        }
    breadcrumbs = [ancestor for ancestor in ancestors if node_visible(user, ancestor)]
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)[:5]
    # The stations engineer's map partial (Leaflet, scoped points, the intranet tile server)
    # when the viewer may use it; otherwise a plain scatter of the coordinates.
    station_map = {}
    if user.has_perm("stations.view_station"):
        from stations.views import map_context

        station_map = {"use_station_map": True, **map_context()}
    return render(
        request,
        "cadence/dashboard.html",
        {
            **station_map,
            "node": node,
            "homes": homes,
            "breadcrumbs": breadcrumbs,
            "groups": figure_cards(user, totals, node, period, tiles),
            "period": period,
            "period_kinds": list(KINDS.items()),
            "tables": tables,
            "grid": weekly_grid(user, node),
            "key_tasks": key_tasks,
            "funnel": funnel,
            # The map partial reads its points itself: the scatter's are only built without it.
            "stations": station_points(lens) if not station_map and (tiles is None or "stations" in tiles) else {},
            "show_key_tasks": tiles is None or "key_tasks" in tiles,
            # Today's inventory row, when read above, holds them already.
            "exceptions": (inventory[0].get(EXCEPTIONS_KEY) or []) if inventory else node_exceptions(node, today),
            "unread": unread,
            "today": today,
            "as_of": as_of,
            "live": live,
            # A lost beat tick is visible where the figures it feeds are read.
            # (read from the cache the health check and the catch-up task keep: no query here).
            "missed_runs": cached_missed_runs() if user.has_perm("cadence.view_dailysnapshot") else [],
        },
    )


@login_required
def drill(request, provider: str, figure: str):
    """The scoped rows behind one figure, paginated, with an Excel export."""
    node, _ = focus_node(request) if request.GET.get("node") else (None, [])
    prov = PROVIDERS.get(provider)
    fig = prov.figure(figure) if prov else None
    if prov is not None and prov.perm and not request.user.has_perm(prov.perm):
        raise Http404("该数据项没有明细清单")
    # Flow figures list the rows of the period the page counted (explicit dates in the link);
    # without one, this month so far, as the daily inventory counts.
    period = None
    if provider in PERIODIC and (request.GET.get("start") or request.GET.get("period")):
        period = period_of(request)
    queryset = drill_queryset(provider, figure, lens_for(request.user, node).during(period))
    if queryset is None:
        raise Http404("该数据项没有明细清单")
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    rows = [
        {"url": record_url(request.user, obj), "cells": [col.value(obj) for col in prov.columns]}
        for obj in page.object_list
    ]
    return render(
        request,
        "cadence/drill.html",
        {
            "provider": prov,
            "figure": fig,
            "node": node,
            "headers": [c.header for c in prov.columns],
            "rows": rows,
            "page": page,
            "period": period,
            "back_query": "&".join(
                part for part in (f"node={node.key}" if node else "", period_query(period) if period else "") if part
            ),
            "export_params": {
                "provider": provider,
                "figure": figure,
                "node": node.key if node else "",
                **({"start": period.start.isoformat(), "end": period.end.isoformat()} if period else {}),
            },
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request):
    mine = Notification.objects.filter(recipient=request.user)
    if request.method == "POST":
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("cadence:notifications")
    page = Paginator(mine, 30).get_page(request.GET.get("page"))
    return render(request, "cadence/notifications.html", {"page": page})
