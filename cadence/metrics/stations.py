"""Figures of 宁小蜂 stations; inspection overdue and 六个一 compliance follow
``stations.selectors`` (the same rule as the stations pages)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q

from cadence.metrics import Column, Figure, Lens, as_of, by_child, grouped, provider, scope_path
from stations.models import Station
from stations.selectors import inspection_interval_days, overdue_q

CLOSED = [Station.Status.SUSPENDED, Station.Status.CLOSED]


def stations(lens: Lens):
    return lens.apply(Station.objects.select_related("territory")).order_by("territory__path", "code")


@provider(
    "stations",
    "驿站阵地",
    order=30,
    figures=[
        Figure("stations", "驿站总数", "个", drill=stations),
        Figure("open", "运行中", "个", drill=lambda lens: stations(lens).filter(status=Station.Status.OPEN)),
        Figure(
            "compliant",
            "六个一达标",
            "个",
            drill=lambda lens: stations(lens).filter(status=Station.Status.OPEN, compliant=True),
        ),
        Figure(
            "inspection_overdue",
            "检查超期",
            "个",
            drill=lambda lens: stations(lens).filter(overdue_q()),
            watch="up",
        ),
        Figure("closed", "暂停/关闭", "个", drill=lambda lens: stations(lens).filter(status__in=CLOSED), watch="up"),
        Figure(
            "flagship_or_key",
            "旗舰型/重点型",
            "个",
            drill=lambda lens: stations(lens).filter(tier__in=[Station.Tier.FLAGSHIP, Station.Tier.KEY]),
        ),
    ],
    columns=[
        Column("编码", lambda s: s.code),
        Column("名称", lambda s: s.name),
        Column("类型", lambda s: s.get_tier_display()),
        Column("状态", lambda s: s.get_status_display()),
        Column("属地", lambda s: s.territory.full_name),
        Column("最近检查", lambda s: s.last_inspected_on.isoformat() if s.last_inspected_on else "未检查"),
        Column("地址", lambda s: s.address),
    ],
)
def station_figures(lens: Lens, day: date) -> dict:
    return lens.apply(Station.objects.all()).aggregate(**_aggregates(day))


@grouped("stations", keep_sql=True, salt=inspection_interval_days)
def station_figures_by_child(lens: Lens, children: list, day: date) -> dict[int, dict]:
    return by_child(lambda: lens.apply(Station.objects.all()), scope_path(Station), children, _aggregates(day))


def _aggregates(day) -> dict:
    day = as_of(day)
    return {
        "stations": Count("pk"),
        "open": Count("pk", filter=Q(status=Station.Status.OPEN)),
        "compliant": Count("pk", filter=Q(status=Station.Status.OPEN, compliant=True)),
        "inspection_overdue": Count("pk", filter=overdue_q(day)),
        "closed": Count("pk", filter=Q(status__in=CLOSED)),
        "flagship_or_key": Count("pk", filter=Q(tier__in=[Station.Tier.FLAGSHIP, Station.Tier.KEY])),
    }
