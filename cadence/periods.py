"""Periods the figures are counted over: week, month, quarter, year, or a custom range.

A flow figure (cases received, points issued, reports due) counts what happened inside a
period; a stock figure (units, stations, open cases) is read as of the period's last day, or
today while the period runs. Providers take either a ``Period`` or, as the daily inventory
has always passed, a plain ``date`` that stands for the month up to that day.

The dashboard's default is the last complete period plus the running one (``month`` on
1 December is 1 November – 1 December), so the first day of a month never shows an empty
page. An assessment asks for its own period (``Period.of_year``), so the day it runs on does
not change its result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

KINDS = {"week": "周", "month": "月", "quarter": "季度", "year": "年"}
# Longest custom range: a dashboard over decades is a mistake, and costly.
MAX_CUSTOM_DAYS = 3 * 366


class PeriodError(ValueError):
    """A period that cannot be read from the request; the message is Chinese."""


@dataclass(frozen=True)
class Period:
    kind: str  # one of KINDS, or "custom"
    start: date
    end: date  # inclusive

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.start.isoformat()}:{self.end.isoformat()}"

    @property
    def label(self) -> str:
        span = f"{self.start:%Y年%m月%d日}—{self.end:%Y年%m月%d日}"
        if self.kind in KINDS:
            return f"上{KINDS[self.kind]}及本{KINDS[self.kind]}（{span}）"
        return span

    def window(self) -> tuple[datetime, datetime]:
        """Aware datetimes ``[start, end)`` covering the period's days in the local time zone."""
        tz = timezone.get_current_timezone()
        since = timezone.make_aware(datetime.combine(self.start, time.min), tz)
        return since, timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min), tz)

    @property
    def as_of(self) -> date:
        """The day stock figures are read on: the period's end, or today while it runs."""
        return min(self.end, timezone.localdate())

    @classmethod
    def of_year(cls, year: int) -> Period:
        return cls("year", date(year, 1, 1), date(year, 12, 31))

    @classmethod
    def of_month(cls, year: int, month: int) -> Period:
        start = date(year, month, 1)
        return cls("month", start, _next_start("month", start) - timedelta(days=1))


def period_start(kind: str, day: date) -> date:
    """The first day of the ``kind`` period that holds ``day``."""
    if kind == "week":
        return day - timedelta(days=day.weekday())
    if kind == "month":
        return day.replace(day=1)
    if kind == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if kind == "year":
        return date(day.year, 1, 1)
    raise PeriodError(f"周期：不支持“{kind}”，应为周、月、季度、年或自定义")


def _next_start(kind: str, start: date) -> date:
    if kind == "week":
        return start + timedelta(days=7)
    months = {"month": 1, "quarter": 3, "year": 12}[kind]
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def running(kind: str, today: date | None = None) -> Period:
    """The last complete ``kind`` period and the running one, up to today."""
    today = today or timezone.localdate()
    current = period_start(kind, today)
    previous = period_start(kind, current - timedelta(days=1))
    return Period(kind, previous, today)


def month_to_date(day: date) -> Period:
    """What a plain ``date`` has always meant to a provider: its month, up to that day."""
    return Period("month", day.replace(day=1), day)


def as_period(span: Period | date) -> Period:
    return span if isinstance(span, Period) else month_to_date(span)


def from_params(params, today: date | None = None) -> Period:
    """``?period=week|month|quarter|year`` or ``?start=&end=`` (custom, ISO dates); default month."""
    today = today or timezone.localdate()
    start, end = (params.get("start") or "").strip(), (params.get("end") or "").strip()
    if start or end:
        try:
            first = date.fromisoformat(start) if start else None
            last = date.fromisoformat(end) if end else today
        except ValueError as exc:
            raise PeriodError("自定义时段：日期格式应为 年-月-日，如 2026-11-01") from exc
        if first is None:
            raise PeriodError("自定义时段：请填写开始日期")
        if last < first:
            raise PeriodError("自定义时段：结束日期早于开始日期")
        if (last - first).days > MAX_CUSTOM_DAYS:
            raise PeriodError("自定义时段：最长三年")
        return Period("custom", first, last)
    kind = params.get("period") or "month"
    if kind not in KINDS:
        raise PeriodError(f"周期：不支持“{kind}”，应为 week、month、quarter 或 year")
    return running(kind, today)
