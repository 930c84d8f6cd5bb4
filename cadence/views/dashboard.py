"""数据看板 — each role lands on its own scope; every figure drills down to the scoped rows."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cadence.metrics import PROVIDERS, Lens, compute_all, compute_children, drill_queryset, providers
from cadence.models import DailySnapshot, KeyTask, Notification, WeeklyReport
from cadence.nodes import Node, home_nodes, node_visible
from cadence.services.catchup import cached_missed_runs
from cadence.services.snapshots import EXCEPTIONS_KEY, inventory_figures
from cadence.services.weekly import due_at_for, iso_week_of
from core.db_router import replica_reads
from organizations.models import Territory
from organizations.scope import restrict, scope_for

CHILD_PROVIDERS = ["organizations", "members", "stations", "grievances", "points"]
GRID_WEEKS = 8
# 征集—处理—反馈: received → answered in time → solved → rated → satisfied.
FUNNEL_STEPS = ["received", "responded", "resolved", "rated", "satisfied"]


def focus_node(request) -> tuple[Node | None, list[Node]]:
    """The node the page looks at: ``?node=`` if the user may look there, else their first post."""
    homes = home_nodes(request.user)
    key = request.GET.get("node")
    if not key:
        return (homes[0] if homes else None), homes
    node = Node.parse(key)
    if node is None or not node_visible(request.user, node):
        raise Http404("节点不存在或不在您的管辖范围内")
    return node, homes


def lens_for(user, node: Node | None) -> Lens:
    """A focus node is inside the user's scope (``focus_node`` checked), so its lens is the
    node's own; without one (member units, station managers) the user's scope is the lens."""
    return node.lens if node is not None else Lens(scope_for(user))


def _cache_key(user, node: Node | None, part: str) -> str:
    scope = repr(scope_for(user))
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


def children_figures(lens: Lens, children: list[Node], today) -> dict[str, dict]:
    """The child table's figures, ``{node key: {provider: figures}}``, each provider's for every
    child in one grouped pass (``compute_children``), not one pass per child."""
    territories = [c.territory for c in children]
    by_pk = compute_children(lens, territories, today, only=CHILD_PROVIDERS)
    return {c.key: by_pk[c.territory.pk] for c in children}


def figure_cards(user, lens_figures: dict, node: Node | None) -> list[dict]:
    groups = []
    for prov in providers():
        values = lens_figures.get(prov.name) or {}
        cards = []
        may_drill = prov.perm is None or user.has_perm(prov.perm)
        for fig in prov.figures:
            value = values.get(fig.key)
            url = None
            if fig.drill is not None and may_drill:
                url = reverse("cadence:drill", args=[prov.name, fig.key])
                if node is not None:
                    url += f"?node={node.key}"
            cards.append({"key": fig.key, "label": fig.label, "unit": fig.unit, "value": value, "url": url})
        groups.append({"name": prov.name, "label": prov.label, "cards": cards})
    return groups


def child_table(user, children: list[tuple[Node, dict]], provider_name: str) -> dict | None:
    prov = PROVIDERS.get(provider_name)
    if prov is None or not children:
        return None
    rows = []
    may_drill = prov.perm is None or user.has_perm(prov.perm)
    for child, figures in children:
        values = figures.get(provider_name) or {}
        cells = []
        # An industry committee sees its own organizations per district, but may not open a
        # district as a whole: those cells carry no link.
        visible = node_visible(user, child)
        for fig in prov.figures:
            url = None
            if fig.drill is not None and visible and may_drill:
                url = reverse("cadence:drill", args=[prov.name, fig.key]) + f"?node={child.key}"
            cells.append({"value": values.get(fig.key), "url": url, "unit": fig.unit})
        dashboard_url = reverse("cadence:dashboard") + f"?node={child.key}" if visible else None
        rows.append({"node": child, "cells": cells, "dashboard": dashboard_url})
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
    return {"provider": prov, "headers": [f.label for f in prov.figures], "rows": rows, "chart": chart}


def weekly_grid(user, node: Node | None) -> dict | None:
    """Streets × the last weeks: who filed, who is late. Scoped through the door."""
    if node is None or node.territory is None:
        return None
    today = timezone.localdate()
    weeks = [iso_week_of(today - timedelta(weeks=back)) for back in range(GRID_WEEKS - 1, -1, -1)]
    streets = restrict(Territory.objects.filter(level=Territory.Level.STREET), user).filter(
        path__startswith=node.territory.path
    )
    streets = list(streets.order_by("path")[:60])
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
        rows.append({"street": street, "cells": cells})
    return {"weeks": [f"{w}周" for _, w in weeks], "rows": rows}


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
def dashboard(request):
    node, homes = focus_node(request)
    user = request.user
    lens = lens_for(user, node)
    today = timezone.localdate()
    children = node.children() if node is not None else []
    live = request.GET.get("live") == "1"
    inventory = None if live else inventory_figures(node, children, today)
    if inventory is not None:
        totals, by_key, as_of = inventory
        # Levels the inventory does not keep (communities, say): one grouped pass for them all.
        by_key.update(children_figures(lens, [c for c in children if c.key not in by_key], today))
    else:
        as_of = None
        # Live figures are reads only: on the replica when one is configured (core.db_router).
        with replica_reads():
            totals = _cached(user, node, "totals", lambda: compute_all(lens, today))
            by_key = _cached(user, node, "children", lambda: children_figures(lens, children, today))
    children_with = [(c, by_key.get(c.key, {})) for c in children]
    tables = [t for t in (child_table(user, children_with, name) for name in CHILD_PROVIDERS) if t]
    key_tasks = list(
        lens.apply(KeyTask.objects.select_related("lead_body", "plan"))
        .filter(plan__year_start__lte=today.year, plan__year_end__gte=today.year)
        .order_by("plan__year_start", "number")[:40]
    )
    grievances = (totals.get("grievances") or {}) if "grievances" in PROVIDERS else None
    funnel = None
    if grievances:
        labels = {f.key: f.label for f in PROVIDERS["grievances"].figures}
        steps = [(labels[k], grievances.get(k)) for k in FUNNEL_STEPS if k in labels]
        funnel = {
            "type": "funnel",
            "title": "诉求处理漏斗",
            "categories": [s[0] for s in steps],
            "values": [s[1] for s in steps],
        }
    breadcrumbs = []
    if node is not None and node.territory is not None:
        for ancestor in Territory.objects.get_ancestors(node.territory):
            if node_visible(user, Node.of(ancestor)):
                breadcrumbs.append(Node.of(ancestor))
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
            "groups": figure_cards(user, totals, node),
            "tables": tables,
            "grid": weekly_grid(user, node),
            "key_tasks": key_tasks,
            "funnel": funnel,
            "stations": station_points(lens),
            "exceptions": node_exceptions(node, today),
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
    queryset = drill_queryset(provider, figure, lens_for(request.user, node))
    if queryset is None:
        raise Http404("该数据项没有明细清单")
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    rows = [[col.value(obj) for col in prov.columns] for obj in page.object_list]
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
            "export_params": {"provider": provider, "figure": figure, "node": node.key if node else ""},
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
