"""Reads of the friendly city that carry rules: scan counts per community (scoped)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from friendly.models import FriendlyCommunity, PassScan


def day_start(day=None) -> datetime:
    day = day or timezone.localdate()
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def communities_with_scans(user) -> QuerySet[FriendlyCommunity]:
    """The user's communities with their scan counts: all time, today, valid today, last 30 days."""
    today = day_start()
    month = today - timedelta(days=29)
    return (
        FriendlyCommunity.objects.visible_to(user)
        .select_related("territory")
        .annotate(
            scans_total=Count("scans"),
            scans_today=Count("scans", filter=Q(scans__scanned_at__gte=today)),
            valid_today=Count("scans", filter=Q(scans__scanned_at__gte=today, scans__result=PassScan.Result.VALID)),
            scans_30d=Count("scans", filter=Q(scans__scanned_at__gte=month)),
        )
    )


def entrance_counts_today(entrance) -> dict:
    """What a guard sees on the gate's phone: today's checks at this entrance."""
    rows = PassScan.objects.filter(entrance=entrance, scanned_at__gte=day_start())
    totals = rows.aggregate(total=Count("id"), valid=Count("id", filter=Q(result=PassScan.Result.VALID)))
    return {"total": totals["total"], "valid": totals["valid"]}


def masked_name(name: str) -> str:
    """张*, 欧阳** — enough for a guard to match a face to a pass, not a full name to note down."""
    if not name:
        return ""
    head = 2 if len(name) >= 4 else 1
    return name[:head] + "*" * (len(name) - head)
