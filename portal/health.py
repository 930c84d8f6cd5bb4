"""Liveness of what the portal depends on, for /healthz/, compose health checks and operators."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.utils import timezone

from portal.models import WorkerHeartbeat

# Parts whose heartbeat /healthz/ checks, with the setting that bounds its age.
HEARTBEATS = {"worker": "HEALTH_WORKER_MAX_AGE", "beat": "HEALTH_BEAT_MAX_AGE"}


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True, connection.vendor
    except Exception as exc:  # any failure means "down"; the message is for the operator
        return False, type(exc).__name__


def check_broker() -> tuple[bool, str]:
    from portal.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            return True, conn.transport_cls if isinstance(conn.transport_cls, str) else "ok"
    except Exception as exc:
        return False, type(exc).__name__


def heartbeat_ages() -> dict[str, int | None]:
    """Seconds since each part's last heartbeat; None when it was never seen."""
    now = timezone.now()
    seen = dict(WorkerHeartbeat.objects.filter(name__in=HEARTBEATS).values_list("name", "seen_at"))
    return {name: (int((now - seen[name]).total_seconds()) if name in seen else None) for name in HEARTBEATS}


def check_heartbeat(name: str, age: int | None) -> dict:
    limit = getattr(settings, HEARTBEATS[name])
    fresh = age is not None and age <= limit
    return {
        "ok": fresh or not settings.HEALTH_REQUIRE_HEARTBEATS,
        "age_seconds": age,
        "max_age_seconds": limit,
        "info": "ok" if fresh else ("从未收到心跳" if age is None else f"心跳已 {age} 秒未更新"),
    }


def check_schedule() -> dict:
    """Periodic runs (日盘点, 周例会, 月调度) due and not done, shown to the operator. The catch-up
    task makes good a lost tick within a quarter of an hour, so a missed run is a warning
    ("ok": null), not a failure: the worker and beat heartbeats say whether anything is stuck."""
    from cadence.services.catchup import missed_runs, remember_missed_runs

    missed = missed_runs(timezone.now())
    remember_missed_runs(missed)
    return {
        "ok": None if missed else True,
        "missed": [run.label for run in missed],
        "info": "；".join(run.label for run in missed) or "ok",
    }


def health_report() -> tuple[bool, dict]:
    """(healthy, report). The report names every failing part under "failing"."""
    db_ok, db_info = check_database()
    broker_ok, broker_info = check_broker()
    parts: dict[str, dict] = {
        "database": {"ok": db_ok, "info": db_info},
        "broker": {"ok": broker_ok, "info": broker_info},
    }
    if db_ok:
        for name, age in heartbeat_ages().items():
            parts[name] = check_heartbeat(name, age)
        parts["schedule"] = check_schedule()
    else:  # the ages live in the database: unknown, and not what failed
        for name in HEARTBEATS:
            parts[name] = {"ok": None, "age_seconds": None, "info": "数据库不可用，无法读取心跳"}
    failing = [name for name, part in parts.items() if part["ok"] is False]
    report = {
        "status": "error" if failing else "ok",
        "failing": failing,
        **parts,
        "environment": settings.PORTAL_ENV,
    }
    return not failing, report
