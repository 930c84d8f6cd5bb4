"""The station staff list on the one export path (``core.exports``), with the page's filters
(type, overdue inspection, search) and each station's people served in the last 30 days."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.excel import Column
from core.exports import Export, register
from stations.models import Station
from stations.selectors import is_overdue, overdue_q, visit_totals

VISIT_DAYS = 30


def station_rows(user, params):
    qs = Station.objects.visible_to(user).select_related("territory").order_by("territory__path", "code")
    tier = params.get("tier", "")
    if tier in Station.Tier.values:
        qs = qs.filter(tier=tier)
    if params.get("overdue") == "1":
        qs = qs.filter(overdue_q())
    query = (params.get("q") or "").strip()
    if query:
        qs = qs.filter(name__icontains=query) | qs.filter(code=query.upper())
    return qs


class _WithVisits:
    """Rows in batches, each batch's visit totals read at once (no query per station)."""

    def __init__(self, queryset, since):
        self.queryset, self.since = queryset, since

    def __iter__(self):
        batch = []
        for station in self.queryset.iterator(chunk_size=500):
            batch.append(station)
            if len(batch) == 500:
                yield from self._flush(batch)
                batch = []
        yield from self._flush(batch)

    def _flush(self, batch):
        totals = visit_totals([s.pk for s in batch], since=self.since) if batch else {}
        for station in batch:
            yield station, totals.get(station.pk, 0)

    def count(self):
        return self.queryset.count()


@register("stations.list", "宁小蜂驿站")
def stations_export(user, params: dict) -> Export:
    if not user.has_perm("stations.view_station"):
        raise PermissionDenied
    since = timezone.localdate() - timedelta(days=VISIT_DAYS - 1)
    rows = station_rows(user, params)
    return Export(
        "宁小蜂驿站",
        [
            Column("编码", lambda r: r[0].code),
            Column("名称", lambda r: r[0].name),
            Column("类型", lambda r: r[0].get_tier_display()),
            Column("依托阵地", lambda r: r[0].get_host_type_display()),
            Column("属地", lambda r: r[0].territory.full_name),
            Column("地址", lambda r: r[0].address),
            Column("状态", lambda r: r[0].get_status_display()),
            Column("24小时开放", lambda r: r[0].is_24h),
            Column("六个一达标", lambda r: r[0].compliant),
            Column("最近检查", lambda r: r[0].last_inspected_on),
            Column("检查逾期", lambda r: is_overdue(r[0])),
            Column(f"近{VISIT_DAYS}天服务人次", lambda r: r[1], unit="人次", total=True),
        ],
        _WithVisits(rows, since),
    )
