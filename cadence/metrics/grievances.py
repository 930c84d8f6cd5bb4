"""Figures of grievances (诉求), read through ``grievances.selectors.grievance_metrics`` (THE
metrics selector) for the month of the day: received, solved, rated, satisfied, response on
time; plus the cases open and overdue right now."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, F, Q
from django.utils import timezone

from cadence.metrics import Column, Figure, Lens, by_child, grouped, now, percent, provider, scope_path, window
from grievances.models import OPEN_STATES, Grievance
from grievances.selectors import SOLVED_STATES, grievance_metrics


def grievances(lens: Lens):
    return lens.apply(Grievance.objects.select_related("territory", "category", "body")).order_by("-submitted_at")


def received_in_period(lens: Lens):
    start, end = lens.span.window()
    return (
        grievances(lens)
        .filter(submitted_at__gte=start, submitted_at__lt=end)
        .exclude(state__in=[Grievance.State.DUPLICATE, Grievance.State.REJECTED])
    )


@provider(
    "grievances",
    "诉求办理",
    order=40,
    perm="grievances.view_grievance",
    figures=[
        Figure("received", "受理", "件", drill=received_in_period),
        Figure("response_due", "应响应", "件"),
        Figure("responded", "按时响应", "件"),
        Figure("resolved", "已解决", "件"),
        Figure("rated", "已评价", "件"),
        Figure("satisfied", "满意", "件"),
        Figure("open", "在办", "件", drill=lambda lens: grievances(lens).filter(state__in=OPEN_STATES)),
        Figure(
            "overdue",
            "超期未办结",
            "件",
            drill=lambda lens: grievances(lens).filter(state__in=OPEN_STATES, resolve_due_at__lt=timezone.now()),
            watch="up",
        ),
        Figure("response_rate", "响应率", "%", rate=True),
        Figure("resolution_rate", "解决率", "%", rate=True),
        Figure("satisfaction_rate", "满意率", "%", rate=True),
    ],
    columns=[
        Column("编号", lambda g: getattr(g, "ticket", "") or g.pk),
        Column("类别", lambda g: str(g.category or "")),
        Column("属地", lambda g: g.territory.full_name if g.territory_id else ""),
        Column("状态", lambda g: g.get_state_display()),
        Column("提交时间", lambda g: timezone.localtime(g.submitted_at).strftime("%Y-%m-%d %H:%M")),
        Column(
            "应办结",
            lambda g: timezone.localtime(g.resolve_due_at).strftime("%Y-%m-%d %H:%M") if g.resolve_due_at else "",
        ),
    ],
)
def grievance_figures(lens: Lens, day: date) -> dict:
    since, until = window(day)
    metrics = grievance_metrics(user=lens.principal, since=since, until=until, territory=lens.within_node)
    rows = metrics["rows"]
    live = lens.apply(Grievance.objects.filter(state__in=OPEN_STATES))
    return figures_of(
        {
            "received": metrics["collected"],
            "response_due": sum(r.response_due for r in rows),
            "responded": sum(r.responded_on_time for r in rows),
            "resolved": metrics["solved"],
            "rated": sum(r.rated for r in rows),
            "satisfied": sum(r.satisfied for r in rows),
            "open": live.count(),
            "overdue": live.filter(resolve_due_at__lt=timezone.now()).count(),
        }
    )


def figures_of(counts: dict) -> dict:
    return {
        **counts,
        "response_rate": percent(counts["responded"], counts["response_due"]),
        "resolution_rate": percent(counts["resolved"], counts["received"]),
        "satisfaction_rate": percent(counts["satisfied"], counts["rated"]),
    }


@grouped("grievances", keep_sql=True)
def grievance_figures_by_child(lens: Lens, children: list, day: date) -> dict[int, dict]:
    """One pass: the month's figures as ``grievance_metrics`` defines them (cases placed by
    their territory, duplicates and rejected ones left out) and the open cases right now."""
    since, until = window(day)

    # Built only when the statement is not kept already (``by_child`` takes callables).
    def month_aggregates():
        S = Grievance.State
        month = Q(submitted_at__gte=since, submitted_at__lt=until) & ~Q(state__in=[S.DUPLICATE, S.REJECTED])
        on_time = Q(responded_at__isnull=False, respond_due_at__isnull=False, responded_at__lte=F("respond_due_at"))
        return {
            "received": Count("id", filter=month),
            "response_due": Count("id", filter=month & Q(respond_due_at__isnull=False)),
            "responded": Count("id", filter=month & on_time),
            "resolved": Count("id", filter=month & Q(state__in=SOLVED_STATES)),
            "rated": Count("id", filter=month & Q(rating__isnull=False)),
            "satisfied": Count("id", filter=month & Q(rating__gte=4)),
        }

    def live_aggregates():
        live = Q(state__in=OPEN_STATES)
        return {
            "open": Count("id", filter=live),
            "overdue": Count("id", filter=live & Q(resolve_due_at__lt=now())),
        }

    def rows():
        return lens.apply(Grievance.objects.all())

    if scope_path(Grievance) == "territory__path":
        counts = by_child(rows, "territory__path", children, lambda: {**month_aggregates(), **live_aggregates()})
    else:
        counts = by_child(rows, "territory__path", children, month_aggregates)
        for pk, extra in by_child(rows, scope_path(Grievance), children, live_aggregates).items():
            counts[pk].update(extra)
    return {pk: figures_of(c) for pk, c in counts.items()}
