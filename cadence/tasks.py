"""Celery tasks of the cadence. Each is idempotent: periodic results are upserted by
(kind, date, node), reminders are unique per (report, day)."""

from __future__ import annotations

import logging
from datetime import date

from celery import shared_task
from celery.signals import worker_ready
from django.conf import settings
from django.utils import timezone

from cadence.services import catchup, dispatch, snapshots, weekly

log = logging.getLogger(__name__)

RETRY = {"autoretry_for": (Exception,), "retry_backoff": True, "max_retries": 3}


def _day(day_iso: str | None) -> date:
    return date.fromisoformat(day_iso) if day_iso else timezone.localdate()


@shared_task(name="cadence.daily_inventory", ignore_result=True)
def daily_inventory(day_iso: str | None = None, node_key: str | None = None) -> None:
    """日盘点: fan the nodes out in bounded batches, so no task outlives its time limit."""
    day = _day(day_iso)
    keys = snapshots.daily_inventory_nodes(node_key)
    size = settings.CADENCE_SNAPSHOT_BATCH
    for start in range(0, len(keys), size):
        daily_inventory_batch.delay(day.isoformat(), keys[start : start + size])
    log.info("daily inventory %s: %d nodes in batches of %d", day, len(keys), size)


@shared_task(name="cadence.daily_inventory_batch", ignore_result=True, soft_time_limit=240, time_limit=300, **RETRY)
def daily_inventory_batch(day_iso: str, node_keys: list[str]) -> int:
    return snapshots.daily_inventory_run(day=date.fromisoformat(day_iso), node_keys=node_keys)


@shared_task(name="cadence.weekly_reports_open", ignore_result=True, **RETRY)
def weekly_reports_open(day_iso: str | None = None) -> int:
    return weekly.weekly_reports_open_all(day=_day(day_iso))


@shared_task(name="cadence.weekly_reminders", ignore_result=True, **RETRY)
def weekly_reminders() -> int:
    return weekly.weekly_reminders_send()


@shared_task(name="cadence.monthly_dispatch", ignore_result=True, **RETRY)
def monthly_dispatch(day_iso: str | None = None, force: bool = False) -> int:
    """Beat fires this on days 1–7; it runs only on the month's first working day."""
    day = _day(day_iso)
    if not force and not dispatch.is_first_working_day(day):
        return 0
    nodes = dispatch.dispatch_nodes()
    dispatch.monthly_dispatch_run(nodes=nodes, day=day)
    return len(nodes)


@shared_task(name="cadence.catch_up", ignore_result=True, soft_time_limit=1100, time_limit=1200)
def catch_up() -> list[str]:
    """Make good a 日盘点, 周例会 or 月调度 whose beat tick was lost (see cadence/services/catchup.py)."""
    missed = catchup.catch_up()
    for run in missed:
        log.warning("catch-up: %s", run.label)
    return [run.label for run in missed]


@worker_ready.connect
def _catch_up_at_start(**kwargs) -> None:
    # A worker back after an outage makes good what the outage cost, without waiting for a tick.
    catch_up.delay()
