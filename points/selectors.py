"""Reads of the points app that carry rules: catalogue reach, scope, leaderboards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils import timezone

from members.models import Person
from organizations.models import StaffPost, Territory
from organizations.scope import restrict, scope_for
from points.models import PointEntry, PointRule, Reward, TaskClaim, VolunteerTask
from stations.models import Station

STEPLEN = Territory.steplen


def chain_paths(territory: Territory) -> list[str]:
    """The materialized paths of ``territory`` and all its ancestors (city first)."""
    return [territory.path[: STEPLEN * i] for i in range(1, territory.depth + 1)]


def roles_of(user) -> set[str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return set()
    return set(StaffPost.objects.filter(user=user, is_active=True).values_list("role", flat=True))


def person_for_phone(phone: str) -> Person | None:
    """The registered person with this mobile number; None when unknown or ambiguous (two
    records sharing a phone must be sorted out by staff before points can be paid)."""
    if not phone:
        return None
    people = list(Person.objects.filter(phone=phone).select_related("territory", "home_station_link__station")[:2])
    return people[0] if len(people) == 1 else None


def rules_for_person(person: Person) -> QuerySet[PointRule]:
    """The city catalogue plus the local items of the person's district (and any level above)."""
    return PointRule.objects.filter(is_active=True, territory__path__in=chain_paths(person.territory)).select_related(
        "category", "territory"
    )


def rules_for_user(user) -> list[PointRule]:
    """Active rules the user's posts may award, within reach of their territories."""
    rules = PointRule.objects.filter(is_active=True).select_related("category", "territory")
    scope = scope_for(user)
    if not scope.everything:
        paths: set[str] = set()
        for post in StaffPost.objects.filter(user=user, is_active=True).select_related("territory"):
            if post.territory_id:
                paths.update(chain_paths(post.territory))
        city_depth_paths = Territory.objects.filter(depth=1).values_list("path", flat=True)
        paths.update(city_depth_paths)
        rules = rules.filter(
            Q(territory__path__in=paths) | Q(pk__in=restrict(PointRule.objects.all(), user).values("pk"))
        )
    if user.is_superuser:
        return list(rules)
    roles = roles_of(user)
    return [rule for rule in rules if roles & set(rule.award_roles)]


def rewards_for_person(person: Person) -> QuerySet[Reward]:
    return Reward.objects.filter(is_active=True, territory__path__in=chain_paths(person.territory)).select_related(
        "station"
    )


def open_tasks_for_person(person: Person, *, now: datetime | None = None) -> QuerySet[VolunteerTask]:
    """Open tasks a worker may claim: published in their district (any street of it) or above."""
    now = now or timezone.now()
    district_path = person.territory.path[: STEPLEN * min(2, person.territory.depth)]
    reach = Q(territory__path__startswith=district_path) | Q(territory__path__in=chain_paths(person.territory))
    return (
        VolunteerTask.objects.filter(reach, status=VolunteerTask.Status.OPEN, ends_at__gt=now)
        .select_related("station", "publisher_body", "territory")
        .annotate(taken=Count("claims", filter=Q(claims__status__in=TaskClaim.HOLDING_SLOT)))
        .order_by("starts_at", "id")
    )


# --- leaderboards ----------------------------------------------------------------------------

PERIODS = {
    "month": "本月",
    "last_month": "上月",
    "quarter": "本季度",
    "year": "本年",
    "last30": "近30天",
    "custom": "自定义",
}
GROUPS = {"person": "个人", "station": "驿站", "street": "街道", "district": "区"}
GROUP_DEPTH = {"district": 2, "street": 3}


def period_bounds(period: str, *, today: date | None = None, start: date | None = None, end: date | None = None):
    """(start, end) aware datetimes for a named period, end exclusive; ``custom`` uses the dates."""
    today = today or timezone.localdate()
    if period == "custom":
        if not start or not end or end < start:
            raise ValueError("自定义期间：请填写开始和结束日期，且结束不早于开始")
        first, last_exclusive = start, end + timedelta(days=1)
    elif period == "last_month":
        this_month = today.replace(day=1)
        first = (this_month - timedelta(days=1)).replace(day=1)
        last_exclusive = this_month
    elif period == "quarter":
        first = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
        last_exclusive = (first + timedelta(days=95)).replace(day=1)
    elif period == "year":
        first, last_exclusive = today.replace(month=1, day=1), today.replace(year=today.year + 1, month=1, day=1)
    elif period == "last30":
        first, last_exclusive = today - timedelta(days=29), today + timedelta(days=1)
    else:
        first = today.replace(day=1)
        last_exclusive = (first + timedelta(days=32)).replace(day=1)
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(first, time.min), tz),
        timezone.make_aware(datetime.combine(last_exclusive, time.min), tz),
    )


@dataclass(frozen=True)
class LeaderRow:
    rank: int
    key: int | str
    name: str
    points: int
    entries: int


def earned_entries(*, user, start: datetime, end: datetime, within: Territory | None = None, station=None):
    qs = restrict(PointEntry.objects.all(), user).filter(
        kind__in=PointEntry.EARNING_KINDS, created_at__gte=start, created_at__lt=end
    )
    if within is not None and within.depth > 1:
        qs = qs.filter(territory__in=Territory.objects.filter(path__startswith=within.path).values("pk"))
    if station is not None:
        qs = qs.filter(station=station)
    return qs


def leaderboard(
    *,
    user,
    group_by: str = "person",
    start: datetime,
    end: datetime,
    within: Territory | None = None,
    station: Station | None = None,
    limit: int = 50,
) -> list[LeaderRow]:
    """Points earned (awards minus reversals) in [start, end), ranked by person, station,
    street or district — the one leaderboard selector behind every ranking page.

    Redemptions, refunds and expiry do not count: a leaderboard ranks service, not thrift.
    The essential SQL (group_by="person", a district, one month) is::

        SELECT a.person_id, p.name, SUM(e.delta) AS points, COUNT(*) AS entries
        FROM points_pointentry e
        JOIN points_pointaccount a ON a.id = e.account_id
        JOIN members_person p ON p.id = a.person_id
        WHERE e.kind IN ('award', 'reversal')
          AND e.created_at >= %(start)s AND e.created_at < %(end)s
          AND e.territory_id IN (SELECT id FROM organizations_territory WHERE path LIKE '00010002%')
          -- plus the caller's scope: e.territory_id IN (<their subtrees>) OR e.station_id IN (<their stations>)
        GROUP BY a.person_id, p.name
        ORDER BY points DESC, a.person_id
        LIMIT 50;

    served by the index ``pointentry_territory_time (territory_id, created_at)``. Streets and
    districts group by ``substr(territory.path, 1, 4*depth)`` instead of the person.
    """
    qs = earned_entries(user=user, start=start, end=end, within=within, station=station)
    if group_by == "person":
        rows = (
            qs.values("account__person_id", "account__person__name")
            .annotate(points=Sum("delta"), entries=Count("id"))
            .order_by("-points", "account__person_id")[:limit]
        )
        return [
            LeaderRow(i, r["account__person_id"], r["account__person__name"], r["points"], r["entries"])
            for i, r in enumerate(rows, 1)
        ]
    if group_by == "station":
        rows = (
            qs.filter(station__isnull=False)
            .values("station_id", "station__name")
            .annotate(points=Sum("delta"), entries=Count("id"))
            .order_by("-points", "station_id")[:limit]
        )
        return [
            LeaderRow(i, r["station_id"], r["station__name"], r["points"], r["entries"]) for i, r in enumerate(rows, 1)
        ]
    depth = GROUP_DEPTH[group_by]
    rows = list(
        qs.filter(territory__depth__gte=depth)
        .annotate(node=Substr("territory__path", 1, STEPLEN * depth))
        .values("node")
        .annotate(points=Sum("delta"), entries=Count("id"))
        .order_by("-points", "node")[:limit]
    )
    names = dict(Territory.objects.filter(path__in=[r["node"] for r in rows]).values_list("path", "name"))
    return [
        LeaderRow(i, r["node"], names.get(r["node"], r["node"]), r["points"], r["entries"])
        for i, r in enumerate(rows, 1)
    ]


def commendation_shortlist(*, user, start: datetime, end: datetime, within=None, min_points: int = 1, limit: int = 100):
    """评优候选: the top earners of a period (for commendations), people with their placement."""
    rows = [
        r
        for r in leaderboard(user=user, group_by="person", start=start, end=end, within=within, limit=limit)
        if r.points >= min_points
    ]
    people = Person.objects.filter(pk__in=[r.key for r in rows]).select_related(
        "territory", "home_station_link__station", "employer"
    )
    by_id = {p.pk: p for p in people}
    return [(row, by_id.get(row.key)) for row in rows]


def rule_reaches(rule: PointRule, person: Person) -> bool:
    return person.territory.path.startswith(rule.territory.path)


# A staff award repeated within this long is asked to be confirmed: browser back and 确认授予
# again posts a form with a fresh one-time token (the page was reloaded), which the ledger cannot
# tell from a second award meant on purpose.
REPEAT_AWARD_WINDOW = timedelta(minutes=10)


def recent_same_award(account, rule: PointRule, *, now: datetime | None = None) -> PointEntry | None:
    """The latest award of ``rule`` to ``account`` within ``REPEAT_AWARD_WINDOW``, if any (one
    probe of the caps index: account, rule, time)."""
    since = (now or timezone.now()) - REPEAT_AWARD_WINDOW
    if account is None or account.pk is None:
        return None
    return (
        PointEntry.objects.filter(account=account, rule=rule, kind=PointEntry.Kind.AWARD, created_at__gte=since)
        .select_related("actor")
        .order_by("-created_at", "-id")
        .first()
    )
