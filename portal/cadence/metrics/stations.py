"""Figures of 宁小蜂 stations."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q

from portal.cadence.metrics import Column, Figure, Lens, provider
from stations.models import Station


def stations(lens: Lens):
    return lens.apply(Station.objects.select_related("territory")).order_by("territory__path", "code")


def open_stations(lens: Lens):
    return stations(lens).filter(status=Station.Status.OPEN)


def closed_stations(lens: Lens):
    return stations(lens).filter(status__in=[Station.Status.SUSPENDED, Station.Status.CLOSED])


def flagship_stations(lens: Lens):
    return stations(lens).filter(tier__in=[Station.Tier.FLAGSHIP, Station.Tier.KEY])


@provider(
    "stations",
    "驿站阵地",
    order=30,
    figures=[
        Figure("stations", "驿站总数", "个", drill=stations),
        Figure("open", "运行中", "个", drill=open_stations),
        Figure("closed", "暂停/关闭", "个", drill=closed_stations, watch="up"),
        Figure("flagship_or_key", "旗舰型/重点型", "个", drill=flagship_stations),
    ],
    columns=[
        Column("编码", lambda s: s.code),
        Column("名称", lambda s: s.name),
        Column("类型", lambda s: s.get_tier_display()),
        Column("状态", lambda s: s.get_status_display()),
        Column("属地", lambda s: s.territory.full_name),
        Column("地址", lambda s: s.address),
    ],
)
def station_figures(lens: Lens, day: date) -> dict:
    agg = lens.apply(Station.objects.all()).aggregate(
        stations=Count("pk"),
        open=Count("pk", filter=Q(status=Station.Status.OPEN)),
        closed=Count("pk", filter=Q(status__in=[Station.Status.SUSPENDED, Station.Status.CLOSED])),
        flagship_or_key=Count("pk", filter=Q(tier__in=[Station.Tier.FLAGSHIP, Station.Tier.KEY])),
    )
    return agg
