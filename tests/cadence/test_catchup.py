"""A beat tick lost to an outage is made good on the next tick: 日盘点, 周例会 and 月调度."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.utils import timezone

from cadence import tasks
from cadence.models import DailySnapshot, WeeklyReport
from cadence.services import catchup
from cadence.services.snapshots import daily_inventory_nodes
from organizations.models import Territory

pytestmark = pytest.mark.django_db


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


def test_a_missed_daily_tick_is_caught_up_on_the_next_tick(data, world):
    monday = date(2026, 11, 30)
    # Before a run is due (its beat time + grace) it does not count as missed; the month's
    # dispatch (due on 2 November) was never run in this database.
    assert {run.job for run in catchup.missed_runs(at(monday, 5, 40))} == {"monthly"}

    later = at(monday, 9)
    missed = {run.job: run for run in catchup.missed_runs(later)}
    assert missed["daily"].missing == len(daily_inventory_nodes())
    assert missed["weekly"].missing == Territory.objects.filter(level="street").count()

    catchup.catch_up(later)
    assert DailySnapshot.objects.filter(kind="daily", date=monday).count() == len(daily_inventory_nodes())
    assert (
        WeeklyReport.objects.filter(iso_year=2026, iso_week=49).count()
        == Territory.objects.filter(level="street").count()
    )
    # The next tick finds nothing to do and writes nothing twice.
    assert [r.job for r in catchup.missed_runs(later)] == []
    assert catchup.catch_up(later) == []


def test_a_partial_daily_run_is_completed_not_redone(data, world):
    day = date(2026, 11, 30)
    keys = daily_inventory_nodes()
    tasks.daily_inventory_batch(day.isoformat(), keys[:2])  # the worker died after one batch
    before = dict(DailySnapshot.objects.filter(date=day).values_list("node_key", "computed_at"))
    [run] = [r for r in catchup.missed_runs(at(day, 9)) if r.job == "daily"]
    assert run.missing == len(keys) - 2
    catchup.catch_up(at(day, 9))
    after = dict(DailySnapshot.objects.filter(kind="daily", date=day).values_list("node_key", "computed_at"))
    assert set(after) == set(keys)
    assert all(after[key] == computed for key, computed in before.items())


def test_the_monthly_dispatch_missed_on_its_day_runs_later_in_the_month(data, world):
    # 2 November 2026 is the first working day; the beat tick that morning was lost.
    assert not DailySnapshot.objects.filter(kind="monthly").exists()
    missed = [r for r in catchup.missed_runs(at(date(2026, 11, 4), 10)) if r.job == "monthly"]
    assert missed and missed[0].period == "2026-10"
    catchup.catch_up(at(date(2026, 11, 4), 10))
    assert DailySnapshot.objects.filter(kind="monthly", date=date(2026, 10, 1)).exists()
    assert [r for r in catchup.missed_runs(at(date(2026, 11, 4), 10)) if r.job == "monthly"] == []
