"""Figures of the cadence itself: weekly-report punctuality and key-task progress."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from cadence.metrics import Column, Figure, Lens, as_of, by_child, grouped, now, percent, provider, scope_path, window
from cadence.models import KeyTask, WeeklyReport


def reports_due(lens: Lens, span):
    start, end = window(span)
    return (
        lens.apply(WeeklyReport.objects.select_related("street"))
        .filter(due_at__gte=start, due_at__lt=end)
        .order_by("-iso_year", "-iso_week", "street__path")
    )


def _on_time_q():
    return Q(submitted_at__isnull=False, submitted_at__lte=F("due_at"))


def _late_q(now):
    return ~Q(status__in=[WeeklyReport.Status.SUBMITTED, WeeklyReport.Status.REVIEWED]) & Q(due_at__lt=now)


def _weekly_drill(name):
    def drill(lens: Lens):
        qs = reports_due(lens, lens.span)
        if name == "on_time":
            return qs.filter(_on_time_q())
        if name == "late":
            return qs.filter(_late_q(timezone.now()))
        return qs

    return drill


@provider(
    "weekly",
    "周例会报送",
    order=80,
    figures=[
        Figure("due", "应报", "份", drill=_weekly_drill("due")),
        Figure("on_time", "按时报送", "份", drill=_weekly_drill("on_time")),
        Figure("late", "逾期未报", "份", drill=_weekly_drill("late"), watch="up"),
        Figure("punctuality", "按时报送率", "%", rate=True),
    ],
    columns=[
        Column("街道", lambda r: r.street.full_name),
        Column("周次", lambda r: r.week_label),
        Column("状态", lambda r: r.get_status_display()),
        Column("截止时间", lambda r: timezone.localtime(r.due_at).strftime("%Y-%m-%d %H:%M")),
        Column(
            "提交时间",
            lambda r: timezone.localtime(r.submitted_at).strftime("%Y-%m-%d %H:%M") if r.submitted_at else "",
        ),
    ],
)
def weekly_figures(lens: Lens, day: date) -> dict:
    """Reports whose deadline falls in the period (a plain ``day``: its month up to that day,
    so the month-end run of the daily inventory holds the whole month for the dispatch)."""
    qs = reports_due(lens, day)
    _, end = window(day)
    due = qs.count()
    on_time = qs.filter(_on_time_q()).count()
    late = qs.filter(_late_q(min(timezone.now(), end))).count()
    return {"due": due, "on_time": on_time, "late": late, "punctuality": percent(on_time, due)}


@grouped("weekly", keep_sql=True)
def weekly_figures_by_child(lens: Lens, children: list, day: date) -> dict[int, dict]:
    """One pass over the reports due in the period, placed by their street."""
    start, end = window(day)
    counts = by_child(
        lambda: lens.apply(WeeklyReport.objects.filter(due_at__gte=start, due_at__lt=end)),
        scope_path(WeeklyReport),
        children,
        lambda: {
            "due": Count("pk"),
            "on_time": Count("pk", filter=_on_time_q()),
            "late": Count("pk", filter=_late_q(min(now(), end))),
        },
    )
    return {pk: {**c, "punctuality": percent(c["on_time"], c["due"])} for pk, c in counts.items()}


def key_tasks(lens: Lens):
    return lens.apply(KeyTask.objects.select_related("plan", "lead_body")).order_by("plan__year_start", "number")


def current_key_tasks(lens: Lens, day: date | None = None):
    """Key tasks of plans running in the year of ``day`` (the figures' and the drill lists' set)."""
    year = (day or timezone.localdate()).year
    return key_tasks(lens).filter(plan__year_start__lte=year, plan__year_end__gte=year)


def key_tasks_overdue(lens: Lens, day: date | None = None):
    day = day or timezone.localdate()
    return current_key_tasks(lens, day).filter(due_date__lt=day).exclude(status=KeyTask.Status.DONE)


@provider(
    "key_tasks",
    "重点任务",
    order=90,
    figures=[
        Figure("tasks", "重点任务", "项", drill=current_key_tasks),
        Figure("done", "已完成", "项", drill=lambda lens: current_key_tasks(lens).filter(status=KeyTask.Status.DONE)),
        Figure(
            "at_risk", "滞后", "项", drill=lambda lens: current_key_tasks(lens).filter(status=KeyTask.Status.AT_RISK)
        ),
        Figure("overdue", "超期未完成", "项", drill=key_tasks_overdue, watch="up"),
        Figure("avg_progress", "平均进度", "%", rate=True),
    ],
    columns=[
        Column("计划", lambda t: str(t.plan)),
        Column("序号", lambda t: t.number),
        Column("任务", lambda t: t.title),
        Column("牵头单位", lambda t: str(t.lead_body)),
        Column("状态", lambda t: t.get_status_display()),
        Column("进度（%）", lambda t: t.progress),
        Column("完成时限", lambda t: t.due_date.isoformat() if t.due_date else ""),
    ],
)
def key_task_figures(lens: Lens, day) -> dict:
    day = as_of(day)
    tasks = list(current_key_tasks(lens, day).values_list("status", "progress", "due_date"))
    total = len(tasks)
    return {
        "tasks": total,
        "done": sum(1 for s, _, _ in tasks if s == KeyTask.Status.DONE),
        "at_risk": sum(1 for s, _, _ in tasks if s == KeyTask.Status.AT_RISK),
        "overdue": sum(1 for s, _, d in tasks if d and d < day and s != KeyTask.Status.DONE),
        "avg_progress": round(sum(p for _, p, _ in tasks) / total, 1) if total else None,
    }


@grouped("key_tasks", keep_sql=True)
def key_task_figures_by_child(lens: Lens, children: list, day) -> dict[int, dict]:
    """One pass over the key tasks of the year's plans, placed by their territory."""
    day = as_of(day)
    S = KeyTask.Status
    counts = by_child(
        lambda: current_key_tasks(lens, day),
        scope_path(KeyTask),
        children,
        {
            "tasks": Count("pk"),
            "done": Count("pk", filter=Q(status=S.DONE)),
            "at_risk": Count("pk", filter=Q(status=S.AT_RISK)),
            "overdue": Count("pk", filter=Q(due_date__lt=day) & ~Q(status=S.DONE)),
            "progress": Sum("progress"),
        },
    )
    return {
        pk: {
            "tasks": c["tasks"],
            "done": c["done"],
            "at_risk": c["at_risk"],
            "overdue": c["overdue"],
            "avg_progress": round((c["progress"] or 0) / c["tasks"], 1) if c["tasks"] else None,
        }
        for pk, c in counts.items()
    }
