"""The points staff lists on the one export path (``core.exports``): the leaderboards (every
grouping and period), the commendation shortlist, accounts, volunteer tasks, redemptions and
photo reports. Each reads through the page's own selector and filters; phones are masked."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.utils import timezone

from core.excel import Column
from core.exports import Export, register
from core.masking import mask_phone
from organizations.models import Territory
from organizations.scope import placeable
from points import selectors
from points.models import HomeStation, PhotoReport, PointAccount, Redemption, TaskClaim, VolunteerTask
from stations.models import Station


def _need(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def parse_date(value):
    if not value:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError as exc:
        raise ValueError(f"日期“{value}”格式应为 年-月-日") from exc


def leaderboard_filters(user, params) -> dict:
    """The leaderboard's filters from a query string, as the page and its export read them.
    ``error`` holds the message of a bad date (the current month is used instead)."""
    group_by = params.get("group") if params.get("group") in selectors.GROUPS else "person"
    period = params.get("period") if params.get("period") in selectors.PERIODS else "month"
    error = ""
    try:
        start, end = selectors.period_bounds(
            period, start=parse_date(params.get("start")), end=parse_date(params.get("end"))
        )
    except ValueError as exc:
        error = str(exc)
        start, end = selectors.period_bounds("month")
    # Places to rank within: where the user's posts reach (``placeable``), not the territory names
    # every line post may read — a station manager was offered the whole city.
    nodes = list(
        placeable(Territory.objects.filter(level__in=["city", "district", "street"]), user).order_by("path")[:300]
    )
    within = next((n for n in nodes if n.code == params.get("within")), None)
    stations = list(Station.objects.visible_to(user).order_by("name")[:300])
    station = next((s for s in stations if str(s.pk) == params.get("station")), None)
    return {
        "group_by": group_by,
        "period": period,
        "start": start,
        "end": end,
        "within": within,
        "station": station,
        "nodes": nodes,
        "stations": stations,
        "error": error,
    }


def _span(f) -> str:
    last = timezone.localtime(f["end"]) - timedelta(days=1)
    return f"{timezone.localtime(f['start']):%Y-%m-%d}至{last:%Y-%m-%d}"


@register("points.leaderboard", "积分排行榜")
def leaderboard_export(user, params: dict) -> Export:
    _need(user, "points.view_pointentry")
    f = leaderboard_filters(user, params)
    if f["error"]:
        raise ValidationError(f["error"])
    rows = selectors.leaderboard(
        user=user, group_by=f["group_by"], start=f["start"], end=f["end"], within=f["within"], station=f["station"]
    )
    where = f"{f['within'].name} · " if f["within"] else ""
    return Export(
        f"{where}积分排行榜（按{selectors.GROUPS[f['group_by']]}，{_span(f)}）",
        [
            Column("名次", lambda r: r.rank),
            Column(selectors.GROUPS[f["group_by"]], lambda r: r.name),
            Column("获得积分", lambda r: r.points, unit="分", total=True),
            Column("记分次数", lambda r: r.entries, unit="次", total=True),
        ],
        rows,
    )


@register("points.shortlist", "评优候选名单")
def shortlist_export(user, params: dict) -> Export:
    _need(user, "points.view_pointentry")
    f = leaderboard_filters(user, params)
    if f["error"]:
        raise ValidationError(f["error"])
    rows = selectors.commendation_shortlist(user=user, start=f["start"], end=f["end"], within=f["within"])
    return Export(
        f"评优候选名单（{_span(f)}）",
        [
            Column("名次", lambda r: r[0].rank),
            Column("姓名", lambda r: r[0].name),
            Column("手机号", lambda r: mask_phone(r[1].phone) if r[1] else None),
            Column("属地", lambda r: r[1].territory.full_name if r[1] else None),
            Column("常驻驿站", lambda r: _station_name(r[1])),
            Column("所在单位", lambda r: r[1].employer.name if r[1] and r[1].employer_id else None),
            Column("期间获得积分", lambda r: r[0].points, unit="分", total=True),
            Column("记分次数", lambda r: r[0].entries, unit="次", total=True),
        ],
        rows,
    )


def accounts_rows(user, params):
    q = (params.get("q") or "").strip()
    qs = PointAccount.objects.visible_to(user).select_related("person", "person__territory").order_by("-balance", "id")
    return qs.filter(person__name__contains=q) if q else qs


@register("points.accounts", "积分账户")
def accounts_export(user, params: dict) -> Export:
    _need(user, "points.view_pointaccount")
    return Export(
        "积分账户",
        [
            Column("姓名", lambda a: a.person.name),
            Column("手机号", lambda a: mask_phone(a.person.phone)),
            Column("属地", lambda a: a.person.territory.full_name),
            Column("当前余额", lambda a: a.balance, unit="分", total=True),
            Column("累计获得", lambda a: a.earned_total, unit="分", total=True),
            Column("最近变动", lambda a: a.updated_at),
        ],
        accounts_rows(user, params),
    )


def tasks_rows(user, params):
    status = params.get("status") or VolunteerTask.Status.OPEN
    return (
        VolunteerTask.objects.visible_to(user)
        .filter(status=status)
        .select_related("station", "publisher_body", "territory")
        .annotate(
            taken=Count("claims", filter=Q(claims__status__in=TaskClaim.HOLDING_SLOT)),
            waiting=Count("claims", filter=Q(claims__status=TaskClaim.Status.CLAIMED)),
        )
        .order_by("-starts_at", "-id")
    )


@register("points.tasks", "志愿任务")
def tasks_export(user, params: dict) -> Export:
    _need(user, "points.view_volunteertask")
    status = params.get("status") or VolunteerTask.Status.OPEN
    label = dict(VolunteerTask.Status.choices).get(status, status)
    return Export(
        f"志愿任务（{label}）",
        [
            Column("任务名称", lambda t: t.title),
            Column("类型", lambda t: t.get_kind_display()),
            Column("发布方", lambda t: str(t.station or t.publisher_body or "")),
            Column("属地", lambda t: t.territory.name),
            Column("地点", lambda t: t.place),
            Column("开始时间", lambda t: t.starts_at),
            Column("结束时间", lambda t: t.ends_at),
            Column("名额", lambda t: t.slots, unit="人", total=True),
            Column("已认领", lambda t: t.taken, unit="人", total=True),
            Column("待确认", lambda t: t.waiting, unit="人", total=True),
            Column("完成积分", lambda t: t.points, unit="分"),
            Column("状态", lambda t: t.get_status_display()),
        ],
        tasks_rows(user, params),
    )


def redemptions_rows(user, params):
    status = params.get("status") or Redemption.Status.REQUESTED
    return (
        Redemption.objects.visible_to(user)
        .filter(status=status)
        .select_related("person", "reward", "night")
        .order_by("-requested_at", "-id")
    )


@register("points.redemptions", "积分兑换")
def redemptions_export(user, params: dict) -> Export:
    _need(user, "points.view_redemption")
    status = params.get("status") or Redemption.Status.REQUESTED
    label = dict(Redemption.Status.choices).get(status, status)
    return Export(
        f"积分兑换（{label}）",
        [
            Column("兑换人", lambda r: r.person.name),
            Column("手机号", lambda r: mask_phone(r.person.phone)),
            Column("商品", lambda r: r.reward.name),
            Column("入住日期", lambda r: r.night.date if r.night_id else None),
            Column("消耗积分", lambda r: r.cost, unit="分", total=True),
            Column("状态", lambda r: r.get_status_display()),
            Column("申请时间", lambda r: r.requested_at),
            Column("办结时间", lambda r: r.decided_at),
        ],
        redemptions_rows(user, params),
    )


def reports_rows(user, params):
    status = params.get("status") or PhotoReport.Status.SUBMITTED
    return PhotoReport.objects.visible_to(user).filter(status=status).select_related("station", "person")


@register("points.reports", "随手拍")
def reports_export(user, params: dict) -> Export:
    _need(user, "points.view_photoreport")
    status = params.get("status") or PhotoReport.Status.SUBMITTED
    label = dict(PhotoReport.Status.choices).get(status, status)
    return Export(
        f"随手拍（{label}）",
        [
            Column("类型", lambda r: r.get_kind_display()),
            Column("情况描述", lambda r: r.text, wrap=True, width=40),
            Column("位置", lambda r: r.location_text),
            Column("驿站", lambda r: r.station.name if r.station_id else None),
            Column("报告人", lambda r: r.person.name if r.person_id else None),
            Column("状态", lambda r: r.get_status_display()),
        ],
        reports_rows(user, params),
    )


def _station_name(person) -> str | None:
    station = HomeStation.station_of(person) if person else None
    return station.name if station else None
