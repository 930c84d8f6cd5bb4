"""月调度 — the monthly dispatch: rankings by KPI, overdue items, key tasks, trends vs last month."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from cadence.kpis import available_kpis, rank
from cadence.metrics import Lens
from cadence.metrics.cadence import key_tasks, key_tasks_overdue
from cadence.models import DailySnapshot, Milestone, RectificationItem, WeeklyReport
from cadence.nodes import Node
from cadence.services.snapshots import daily_snapshot_compute, daily_snapshots_of_children, snapshot_upsert
from core.calendar import first_workday_of_month

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


def _month_end_figures(node: Node, period_end: date) -> dict:
    snapshot = DailySnapshot.objects.filter(
        kind=DailySnapshot.Kind.DAILY, node_key=node.key, date=period_end
    ).first() or daily_snapshot_compute(node=node, day=period_end)
    return snapshot.figures


def _children_month_end(node: Node, children: list[Node], period_end: date) -> list[tuple[Node, dict]]:
    """The children's month-end figures: their nightly snapshots in one query, and those
    missing computed together in one grouped pass (and stored, as the inventory would have)."""
    stored = dict(
        DailySnapshot.objects.filter(
            kind=DailySnapshot.Kind.DAILY, date=period_end, node_key__in=[c.key for c in children]
        ).values_list("node_key", "figures")
    )
    missing = [c for c in children if c.key not in stored]
    # A territory child's own lens is its territory parent's narrowed to it (not so under an
    # industry committee, whose children are computed one by one).
    if missing and node.territory is not None and all(c.territory is not None for c in missing):
        stored.update(daily_snapshots_of_children(parent=node, children=missing, day=period_end))
    else:
        stored.update({c.key: daily_snapshot_compute(node=c, day=period_end).figures for c in missing})
    return [(c, stored[c.key]) for c in children]


def _overdue(lens: Lens, today: date) -> dict:
    now = timezone.now()
    late = (
        lens.apply(WeeklyReport.objects.select_related("street"))
        .filter(due_at__lt=now, due_at__gte=now - timedelta(days=35))
        .exclude(status__in=[WeeklyReport.Status.SUBMITTED, WeeklyReport.Status.REVIEWED])
        .order_by("street__path", "iso_year", "iso_week")[:LIST_LIMIT]
    )
    tasks = key_tasks_overdue(lens, today)[:LIST_LIMIT]
    milestones = (
        lens.apply(Milestone.objects.select_related("task"))
        .filter(done_on__isnull=True, due_date__lt=today)
        .order_by("due_date")[:LIST_LIMIT]
    )
    items = (
        lens.apply(RectificationItem.objects.select_related("rectification__territory"))
        .filter(status=RectificationItem.Status.OPEN, due_date__lt=today)
        .order_by("due_date")[:LIST_LIMIT]
    )
    return {
        "weekly_reports": [
            {"street": r.street.full_name, "week": r.week_label, "status": r.get_status_display()} for r in late
        ],
        "key_tasks": [
            {
                "number": t.number,
                "title": t.title,
                "lead": str(t.lead_body),
                "due": t.due_date.isoformat(),
                "progress": t.progress,
            }
            for t in tasks
        ],
        "milestones": [{"task": str(m.task), "title": m.title, "due": m.due_date.isoformat()} for m in milestones],
        "rectification": [
            {
                "list": i.rectification.title,
                "territory": i.rectification.territory.name,
                "number": i.number,
                "problem": i.problem,
                "responsible": i.responsible,
                "due": i.due_date.isoformat(),
            }
            for i in items
        ],
    }


def monthly_dispatch_build(*, node: Node, day: date) -> DailySnapshot:
    """Build and store the dispatch a run on ``day`` produces for ``node`` (the city, or a
    district for its streets). Upserted by (monthly, first day of the period, node)."""
    period_start, period_end = period_of(day)
    children = node.children()
    child_figures = [(c.key, c.label, figures) for c, figures in _children_month_end(node, children, period_end)]
    totals = _month_end_figures(node, period_end)
    previous = DailySnapshot.objects.filter(
        kind=DailySnapshot.Kind.MONTHLY, node_key=node.key, date=period_of(period_start)[0]
    ).first()
    previous_values = {}
    if previous is not None:
        for block in previous.figures.get("rankings", []):
            previous_values[block["kpi"]] = {e["node"]: e["value"] for e in block["entries"]}
    rankings = []
    for kpi in available_kpis():
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
    tasks = key_tasks(node.lens)
    figures = {
        "period": period_start.strftime("%Y-%m"),
        "period_start": period_start.isoformat(),
        "period_end": period_end.isoformat(),
        "node_label": node.label,
        "child_level": children[0].level_label if children else "",
        "children": [{"node": key, "label": label, "figures": figs} for key, label, figs in child_figures],
        "totals": totals,
        "rankings": rankings,
        "overdue": _overdue(node.lens, day),
        "key_tasks": [
            {
                "number": t.number,
                "title": t.title,
                "lead": str(t.lead_body),
                "status": t.get_status_display(),
                "progress": t.progress,
                "due": t.due_date.isoformat() if t.due_date else "",
            }
            for t in tasks.filter(plan__year_start__lte=period_end.year, plan__year_end__gte=period_end.year)
        ],
        "has_previous": previous is not None,
    }
    return snapshot_upsert(kind=DailySnapshot.Kind.MONTHLY, day=period_start, node=node, figures=figures)


def dispatch_nodes() -> list[Node]:
    """The city and every district: the municipal report and one per district for its streets."""
    from organizations.models import Territory

    city = Territory.objects.get_root_nodes().first()
    if city is None:
        return []
    return [Node.of(city), *(Node.of(d) for d in Territory.objects.get_children(city).order_by("code"))]
