"""Liveness of what the portal depends on, for /healthz/ and operators."""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.utils import timezone

from portal.models import WorkerHeartbeat


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


def worker_heartbeat_age() -> int | None:
    beat = WorkerHeartbeat.objects.filter(name="beat").only("seen_at").first()
    if beat is None:
        return None
    return int((timezone.now() - beat.seen_at).total_seconds())


def health_report() -> tuple[bool, dict]:
    db_ok, db_info = check_database()
    broker_ok, broker_info = check_broker()
    report = {
        "status": "ok" if db_ok and broker_ok else "error",
        "database": {"ok": db_ok, "info": db_info},
        "broker": {"ok": broker_ok, "info": broker_info},
        "environment": settings.PORTAL_ENV,
    }
    if db_ok:
        report["worker_heartbeat_age_seconds"] = worker_heartbeat_age()
    return db_ok and broker_ok, report
