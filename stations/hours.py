"""Opening hours: is a station open at a given moment, and how to show its week.

A span belongs to the weekday it *starts* on. When ``closes <= opens`` it runs past midnight
and ends on the next day at ``closes`` (so 18:00–00:00 means "until midnight" and 22:00–02:00
covers the small hours of the following day, including Sunday night into Monday). A station
with the 24-hour flag is open whenever it is in service, whatever its spans say.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time

from django.utils import timezone

WEEKDAY_NAMES = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


@dataclass(frozen=True)
class Span:
    weekday: int  # 0 = Monday
    opens: time
    closes: time

    @property
    def overnight(self) -> bool:
        return self.closes <= self.opens

    def label(self) -> str:
        end = f"{self.closes:%H:%M}"
        if self.overnight:
            end = "24:00" if self.closes == time(0, 0) else f"次日{end}"
        return f"{self.opens:%H:%M}–{end}"


def spans_of(rows: Iterable) -> list[Span]:
    """Spans from OpeningHours rows (or anything with weekday/opens/closes)."""
    return [Span(r.weekday, r.opens, r.closes) for r in rows]


def is_open_at(spans: Iterable[Span], when: datetime, *, is_24h: bool = False) -> bool:
    """Is a station with ``spans`` open at ``when`` (aware; judged in the portal's time zone)?"""
    if is_24h:
        return True
    local = timezone.localtime(when) if timezone.is_aware(when) else when
    today, now = local.weekday(), local.time()
    yesterday = (today - 1) % 7
    for span in spans:
        if span.weekday == today:
            if span.overnight:
                if now >= span.opens:
                    return True
            elif span.opens <= now < span.closes:
                return True
        elif span.weekday == yesterday and span.overnight and now < span.closes:
            return True
    return False


def station_is_open(station, when: datetime | None = None) -> bool:
    """A station in service (status open) whose hours cover ``when`` (default: now).

    Uses ``station.opening_hours.all()``, so prefetch it when judging many stations.
    """
    if station.status != station.Status.OPEN:
        return False
    return is_open_at(spans_of(station.opening_hours.all()), when or timezone.now(), is_24h=station.is_24h)


def week_table(spans: Iterable[Span], *, is_24h: bool = False) -> list[tuple[str, str]]:
    """[(周一, "08:00–12:00、14:00–18:00"), …, (周日, "休息")] for display."""
    if is_24h:
        return [(name, "24小时") for name in WEEKDAY_NAMES]
    by_day: dict[int, list[Span]] = {d: [] for d in range(7)}
    for span in spans:
        by_day[span.weekday].append(span)
    return [
        (WEEKDAY_NAMES[d], "、".join(s.label() for s in sorted(by_day[d], key=lambda s: s.opens)) or "休息")
        for d in range(7)
    ]
