"""Figures of the points ledger for the month of the day, read through
``points.selectors.earned_entries`` (the leaderboard's own rows): points issued, people who
earned, points redeemed, and accounts in scope."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, Sum

from cadence.metrics import Column, Figure, Lens, by_child, grouped, percent, provider, scope_path, window
from points.models import PointAccount, PointEntry
from points.selectors import earned_entries


def accounts(lens: Lens):
    return lens.apply(PointAccount.objects.select_related("person__territory")).order_by("person__territory__path")


def active_accounts(lens: Lens):
    start, end = lens.span.window()
    earned = earned_entries(user=lens.principal, start=start, end=end, within=lens.within_node)
    return accounts(lens).filter(pk__in=earned.values("account_id"))


@provider(
    "points",
    "积分激励",
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
    start, end = window(day)
    earned = earned_entries(user=lens.principal, start=start, end=end, within=lens.within_node)
    agg = earned.aggregate(issued=Sum("delta"), earners=Count("account", distinct=True))
    redeemed = (
        lens.apply(
            PointEntry.objects.filter(kind=PointEntry.Kind.REDEMPTION, created_at__gte=start, created_at__lt=end)
        )
        .aggregate(total=Sum("delta"))
        .get("total")
    )
    return figures_of(agg["issued"], agg["earners"], redeemed, accounts(lens).count())


@grouped("points", keep_sql=True)
def points_figures_by_child(lens: Lens, children: list, day: date) -> dict[int, dict]:
    """One pass over the month's entries (placed by where they were earned) and one over the
    accounts (placed by the person)."""
    start, end = window(day)

    def entries():
        return lens.apply(PointEntry.objects.filter(created_at__gte=start, created_at__lt=end))

    def aggregates():  # built only when the statement is not kept already
        earning = Q(kind__in=PointEntry.EARNING_KINDS)
        return {
            "issued": Sum("delta", filter=earning),
            "earners": Count("account", distinct=True, filter=earning),
            "redeemed": Sum("delta", filter=Q(kind=PointEntry.Kind.REDEMPTION)),
        }

    sums = by_child(entries, "territory__path", children, aggregates)
    registered = by_child(
        lambda: lens.apply(PointAccount.objects.all()), scope_path(PointAccount), children, lambda: {"n": Count("pk")}
    )
    return {pk: figures_of(s["issued"], s["earners"], s["redeemed"], registered[pk]["n"]) for pk, s in sums.items()}


def figures_of(issued, earners, redeemed, registered: int) -> dict:
    earners = earners or 0
    return {
        "issued": issued or 0,
        "active_earners": earners,
        "redeemed": abs(redeemed or 0),
        "registered": registered,
        "activity_rate": percent(earners, registered),
    }
