"""月调度 — the monthly dispatch: rankings by KPI, overdue items, key tasks, trends vs last month."""

from __future__ import annotations

import operator
from datetime import date, timedelta
from functools import reduce

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from cadence.kpis import available_kpis, rank
from cadence.metrics import Lens
from cadence.models import DailySnapshot, KeyTask, Milestone, RectificationItem, WeeklyReport
from cadence.nodes import Node
from cadence.services.snapshots import daily_snapshots_compute, snapshots_upsert
from core.calendar import first_workday_of_month
from organizations.rules import rules_held

LIST_LIMIT = 100


def first_working_day(year: int, month: int) -> date:
    """The month's first working day by the one calendar (节假日 in the admin: 元旦, 国庆…)."""
    return first_workday_of_month(year, month)


def is_first_working_day(day: date) -> bool:
    return day == first_working_day(day.year, day.month)


def period_of(day: date) -> tuple[date, date]:
    """The month a dispatch run on ``day`` covers: the previous calendar month."""
    end = day.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def _month_end_figures(nodes: list[Node], period_end: date) -> dict[str, dict]:
    """Every node's month-end figures (``{node key: figures}``): the nightly snapshots in one
    query, those missing computed together (one grouped pass per provider and level, for the
    whole city) and stored in one upsert, as the inventory would have."""
    keys = list(dict.fromkeys(n.key for n in nodes))
    stored = dict(
        DailySnapshot.objects.filter(kind=DailySnapshot.Kind.DAILY, date=period_end, node_key__in=keys).values_list(
            "node_key", "figures"
        )
    )
    missing = list({n.key: n for n in nodes if n.key not in stored}.values())
    stored.update(daily_snapshots_compute(nodes=missing, day=period_end))
    return stored


def _children_of(nodes: list[Node]) -> dict[str, list[Node]]:
    """Each node's children (``Node.children``), the territory nodes' all in one query."""
    from organizations.models import Territory

    territorial = [n for n in nodes if n.territory is not None]
    result = {n.key: n.children() for n in nodes if n.territory is None}
    if territorial:
        step = Territory.steplen
        within = reduce(
            operator.or_,
            (Q(path__startswith=n.territory.path, depth=n.territory.depth + 1) for n in territorial),
        )
        by_parent: dict[str, list[Node]] = {}
        for territory in Territory.objects.filter(within).order_by("code"):
            by_parent.setdefault(territory.path[:-step], []).append(Node.of(territory))
        for node in territorial:
            result[node.key] = by_parent.get(node.territory.path, [])
    return result


def _rows_per_node(nodes: list[Node], queryset, path: str, limit: int | None = LIST_LIMIT) -> dict[str, list]:
    """``queryset`` (in its order) for each territory node's lens, from one query over the widest
    of them: a territory node's lens holds the records placed under its path (the city's, all of
    them), so each node's rows are the query's rows under its path, first ``limit`` of them."""
    if any(n.territory is None for n in nodes) or not nodes:
        return {n.key: list(_lens_rows(n.lens, queryset, limit)) for n in nodes}
    widest = min(nodes, key=lambda n: n.territory.depth)
    if any(not n.territory.path.startswith(widest.territory.path) for n in nodes):
        return {n.key: list(_lens_rows(n.lens, queryset, limit)) for n in nodes}
    rows = list(widest.lens.apply(queryset).annotate(placed_at=F(path)))
    result = {}
    for node in nodes:
        if node.territory.depth == 1:
            mine = rows
        else:
            prefix = node.territory.path
            mine = [r for r in rows if r.placed_at is not None and r.placed_at.startswith(prefix)]
        result[node.key] = mine[:limit] if limit is not None else mine
    return result


def _lens_rows(lens: Lens, queryset, limit: int | None):
    qs = lens.apply(queryset)
    return qs[:limit] if limit is not None else qs


def _overdue_lists(nodes: list[Node], today: date) -> dict[str, dict]:
    """The overdue lists of every node, one query per list for all of them."""
    now = timezone.now()
    late = _rows_per_node(
        nodes,
        WeeklyReport.objects.select_related("street")
        .filter(due_at__lt=now, due_at__gte=now - timedelta(days=35))
        .exclude(status__in=[WeeklyReport.Status.SUBMITTED, WeeklyReport.Status.REVIEWED])
        .order_by("street__path", "iso_year", "iso_week", "pk"),
        "street__path",
    )
    tasks = _rows_per_node(
        nodes,
        KeyTask.objects.select_related("plan", "lead_body")
        .filter(plan__year_start__lte=today.year, plan__year_end__gte=today.year, due_date__lt=today)
        .exclude(status=KeyTask.Status.DONE)
        .order_by("plan__year_start", "number", "pk"),
        "territory__path",
    )
    milestones = _rows_per_node(
        nodes,
        Milestone.objects.select_related("task")
        .filter(done_on__isnull=True, due_date__lt=today)
        .order_by("due_date", "pk"),
        "task__territory__path",
    )
    items = _rows_per_node(
        nodes,
        RectificationItem.objects.select_related("rectification__territory")
        .filter(status=RectificationItem.Status.OPEN, due_date__lt=today)
        .order_by("due_date", "pk"),
        "rectification__territory__path",
    )
    return {
        n.key: {
            "weekly_reports": [
                {"street": r.street.full_name, "week": r.week_label, "status": r.get_status_display()}
                for r in late[n.key]
            ],
            "key_tasks": [
                {
                    "number": t.number,
                    "title": t.title,
                    "lead": str(t.lead_body),
                    "due": t.due_date.isoformat(),
                    "progress": t.progress,
                }
                for t in tasks[n.key]
            ],
            "milestones": [
                {"task": str(m.task), "title": m.title, "due": m.due_date.isoformat()} for m in milestones[n.key]
            ],
            "rectification": [
                {
                    "list": i.rectification.title,
                    "territory": i.rectification.territory.name,
                    "number": i.number,
                    "problem": i.problem,
                    "responsible": i.responsible,
                    "due": i.due_date.isoformat(),
                }
                for i in items[n.key]
            ],
        }
        for n in nodes
    }


def monthly_dispatch_build(*, node: Node, day: date) -> DailySnapshot:
    """Build and store the dispatch a run on ``day`` produces for ``node`` (the city, or a
    district for its streets). Upserted by (monthly, first day of the period, node)."""
    return monthly_dispatch_run(nodes=[node], day=day)[0]


@transaction.atomic
@rules_held()
def monthly_dispatch_run(*, nodes: list[Node], day: date) -> list[DailySnapshot]:
    """The monthly job for ``nodes`` (``dispatch_nodes()``: the city and every district) with
    shared passes: the children's and the nodes' month-end figures for all of them at once (one
    grouped pass per provider and level), the previous dispatches, the key tasks and the overdue
    lists each in one query, every snapshot in one upsert. The query count does not grow with the
    number of nodes or children; each dispatch equals ``monthly_dispatch_build`` of its node."""
    if not nodes:
        return []
    period_start, period_end = period_of(day)
    children_of = _children_of(nodes)
    month_end = _month_end_figures([*nodes, *(c for n in nodes for c in children_of[n.key])], period_end)
    previous_of = dict(
        DailySnapshot.objects.filter(
            kind=DailySnapshot.Kind.MONTHLY, node_key__in=[n.key for n in nodes], date=period_of(period_start)[0]
        ).values_list("node_key", "figures")
    )
    year = period_end.year
    tasks_of = _rows_per_node(
        nodes,
        KeyTask.objects.select_related("plan", "lead_body")
        .filter(plan__year_start__lte=year, plan__year_end__gte=year)
        .order_by("plan__year_start", "number", "pk"),
        "territory__path",
        limit=None,
    )
    overdue_of = _overdue_lists(nodes, day)
    kpis = available_kpis()
    items = []
    for node in nodes:
        children = children_of[node.key]
        child_figures = [(c.key, c.label, month_end[c.key]) for c in children]
        totals = month_end[node.key]
        previous = previous_of.get(node.key)
        previous_values = {}
        for block in (previous or {}).get("rankings", []):
            previous_values[block["kpi"]] = {e["node"]: e["value"] for e in block["entries"]}
        rankings = []
        for kpi in kpis:
            entries = rank(kpi, child_figures)
            before = previous_values.get(kpi.key, {})
            for entry in entries:
                prev = before.get(entry["node"])
                entry["previous"] = prev
                entry["delta"] = (
                    round(entry["value"] - prev, 1) if entry["value"] is not None and prev is not None else None
                )
            total_value, total_sample = kpi.value(totals)
            rankings.append(
                {
                    "kpi": kpi.key,
                    "label": kpi.label,
                    "definition": kpi.definition,
                    "min_sample": kpi.min_sample,
                    "entries": entries,
                    "total": total_value,
                    "total_sample": total_sample,
                }
            )
        figures = {
            "period": period_start.strftime("%Y-%m"),
            "period_start": period_start.isoformat(),
            "period_end": period_end.isoformat(),
            "node_label": node.label,
            "child_level": children[0].level_label if children else "",
            "children": [{"node": key, "label": label, "figures": figs} for key, label, figs in child_figures],
            "totals": totals,
            "rankings": rankings,
            "overdue": overdue_of[node.key],
            "key_tasks": [
                {
                    "number": t.number,
                    "title": t.title,
                    "lead": str(t.lead_body),
                    "status": t.get_status_display(),
                    "progress": t.progress,
                    "due": t.due_date.isoformat() if t.due_date else "",
                }
                for t in tasks_of[node.key]
            ],
            "has_previous": previous is not None,
        }
        items.append((node, figures))
    return snapshots_upsert(kind=DailySnapshot.Kind.MONTHLY, day=period_start, items=items)


def dispatch_nodes() -> list[Node]:
    """The city and every district: the municipal report and one per district for its streets."""
    from organizations.models import Territory

    city = Territory.objects.get_root_nodes().first()
    if city is None:
        return []
    return [Node.of(city), *(Node.of(d) for d in Territory.objects.get_children(city).order_by("code"))]
