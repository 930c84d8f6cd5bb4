"""Figures of the points ledger for the month of the day, read through
``points.selectors.earned_entries`` (the leaderboard's own rows): points issued, people who
earned, points redeemed, and accounts in scope."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Sum

from cadence.metrics import Column, Figure, Lens, percent, provider
from points.models import PointAccount, PointEntry
from points.selectors import earned_entries, period_bounds


def accounts(lens: Lens):
    return lens.apply(PointAccount.objects.select_related("person__territory")).order_by("person__territory__path")


def active_accounts(lens: Lens):
    start, end = period_bounds("month")
    earned = earned_entries(user=lens.principal, start=start, end=end, within=lens.within_node)
    return accounts(lens).filter(pk__in=earned.values("account_id"))


@provider(
    "points",
    "积分激励（本月）",
    order=50,
    perm="points.view_pointaccount",
    figures=[
        Figure("issued", "发放积分", "分"),
        Figure("active_earners", "获得积分人数", "人", drill=active_accounts),
        Figure("redeemed", "兑换积分", "分"),
        Figure("registered", "积分账户", "个", drill=accounts),
        Figure("activity_rate", "积分活跃率", "%", rate=True),
    ],
    columns=[
        Column("姓名", lambda a: a.person.name),
        Column("属地", lambda a: a.person.territory.full_name),
        Column("余额", lambda a: getattr(a, "balance", "")),
    ],
)
def points_figures(lens: Lens, day: date) -> dict:
    start, end = period_bounds("month", today=day)
    earned = earned_entries(user=lens.principal, start=start, end=end, within=lens.within_node)
    agg = earned.aggregate(issued=Sum("delta"), earners=Count("account", distinct=True))
    redeemed = (
        lens.apply(
            PointEntry.objects.filter(kind=PointEntry.Kind.REDEMPTION, created_at__gte=start, created_at__lt=end)
        )
        .aggregate(total=Sum("delta"))
        .get("total")
    )
    registered = accounts(lens).count()
    earners = agg["earners"] or 0
    return {
        "issued": agg["issued"] or 0,
        "active_earners": earners,
        "redeemed": abs(redeemed or 0),
        "registered": registered,
        "activity_rate": percent(earners, registered),
    }
