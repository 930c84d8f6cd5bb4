"""Periodic runs that catch up: a beat tick lost to an outage is made good on the next tick.

Beat fires each job at one moment (05:30 日盘点, Monday 06:00 周例会, the first working day's 07:00
月调度). If Redis, the worker or the beat was down at that moment, the run never happens. So a
``cadence.catch_up`` task on every tick (and at worker start) asks, for each job, "has this
period's run happened, now that it is due?" and runs what is missing. Every job is idempotent
(upserts keyed by kind, date and node), so a catch-up racing a late regular run does no harm.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.utils import timezone

from cadence.models import DailySnapshot, WeeklyReport
from cadence.services import dispatch, snapshots, weekly
from organizations.models import Territory

DAILY_AT = time(5, 30)
WEEKLY_AT = time(6, 0)
MONTHLY_AT = time(7, 0)
# A regular run is given this long to finish before its results count as missing, so the
# catch-up does not race a run that is merely in progress.
GRACE = timedelta(minutes=45)


@dataclass(frozen=True)
class MissedRun:
    job: str  # daily | weekly | monthly
    period: str  # the day, ISO week or month the run covers
    due_at: datetime
    missing: int  # nodes or streets without their result

    @property
    def label(self) -> str:
        names = {"daily": "日盘点", "weekly": "周例会开启", "monthly": "月调度"}
        return f"{names[self.job]} {self.period}：{self.missing} 项未生成"


def _at(day: date, moment: time) -> datetime:
    """When a run counts as missed: its beat time plus the grace."""
    return timezone.make_aware(datetime.combine(day, moment)) + GRACE


def _done(kind: str, day: date) -> set[str]:
    return set(DailySnapshot.objects.filter(kind=kind, date=day).values_list("node_key", flat=True))


def missed_runs(now: datetime | None = None) -> list[MissedRun]:
    """Runs whose time has come in the current period and whose results are not (all) there."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    missed = []

    if now >= _at(today, DAILY_AT):
        keys = snapshots.daily_inventory_nodes()
        done = DailySnapshot.objects.filter(kind=DailySnapshot.Kind.DAILY, date=today, node_key__in=keys).count()
        if done < len(keys):
            missed.append(MissedRun("daily", today.isoformat(), _at(today, DAILY_AT), len(keys) - done))

    monday = today - timedelta(days=today.weekday())
    if now >= _at(monday, WEEKLY_AT):
        iso_year, iso_week = weekly.iso_week_of(today)
        streets = Territory.objects.filter(level=Territory.Level.STREET).count()
        opened = WeeklyReport.objects.filter(iso_year=iso_year, iso_week=iso_week).values("street").distinct().count()
        if opened < streets:
            missed.append(MissedRun("weekly", f"{iso_year}-W{iso_week:02d}", _at(monday, WEEKLY_AT), streets - opened))

    first = dispatch.first_working_day(today.year, today.month)
    if now >= _at(first, MONTHLY_AT):
        period_start, _ = dispatch.period_of(first)
        keys = [node.key for node in dispatch.dispatch_nodes()]
        done = DailySnapshot.objects.filter(
            kind=DailySnapshot.Kind.MONTHLY, date=period_start, node_key__in=keys
        ).count()
        if done < len(keys):
            missed.append(MissedRun("monthly", f"{period_start:%Y-%m}", _at(first, MONTHLY_AT), len(keys) - done))
    return missed


CACHE_KEY = "cadence:missed-runs"


def remember_missed_runs(missed: list[MissedRun]) -> None:
    """Keep the labels where the dashboard can show them without running the checks itself."""
    cache.set(CACHE_KEY, [run.label for run in missed], 20 * 60)


def cached_missed_runs() -> list[str]:
    return cache.get(CACHE_KEY) or []


def catch_up(now: datetime | None = None) -> list[MissedRun]:
    """Run whatever ``missed_runs`` reports, in this process; returns what was missing."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    missed = missed_runs(now)
    remember_missed_runs([])  # what is missing now is being done
    for run in missed:
        if run.job == "daily":
            done = set(
                DailySnapshot.objects.filter(kind=DailySnapshot.Kind.DAILY, date=today).values_list(
                    "node_key", flat=True
                )
            )
            keys = [key for key in snapshots.daily_inventory_nodes() if key not in done]
            snapshots.daily_inventory_run(day=today, node_keys=keys)
        elif run.job == "weekly":
            weekly.weekly_reports_open_all(day=today)
        elif run.job == "monthly":
            first = dispatch.first_working_day(today.year, today.month)
            period_start, _ = dispatch.period_of(first)
            done = _done(DailySnapshot.Kind.MONTHLY, period_start)
            nodes = [node for node in dispatch.dispatch_nodes() if node.key not in done]
            dispatch.monthly_dispatch_run(nodes=nodes, day=first)
    return missed
