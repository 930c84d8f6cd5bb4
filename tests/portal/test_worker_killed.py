"""A worker killed (SIGKILL) in the middle of a task: the task runs again on the next worker and
completes exactly once, within the broker's visibility timeout."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection

from portal.models import WorkerHeartbeat

VISIBILITY = 4  # seconds, for this test only (production: CELERY_VISIBILITY_TIMEOUT)


def _database_url() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST']}:{s['PORT']}/{s['NAME']}"


def _worker(name: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": _database_url(), "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY)}
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "-n", f"{name}@%h", "-l", "WARNING"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _runs(name: str) -> int:
    row = WorkerHeartbeat.objects.filter(name=name).first()
    return row.runs if row else 0


@pytest.mark.django_db(transaction=True)
def test_a_task_on_a_killed_worker_completes_once_after_restart():
    from portal.celery import app

    if not (app.conf.broker_url or "").startswith("redis://"):
        pytest.fail("the suite needs the real Redis broker that `make test` starts")
    app.conf.task_always_eager = False
    first = _worker("first")
    second = None
    try:
        app.send_task("devtools.slow_heartbeat", args=["killed", 5.0])
        assert _wait_for(lambda: _runs("started:killed") == 1, 60), "the first worker never started the task"
        first.send_signal(signal.SIGKILL)
        first.wait()
        assert _runs("killed") == 0

        killed_at = time.monotonic()
        second = _worker("second")
        assert _wait_for(lambda: _runs("killed") == 1, 90), "the task was not delivered again"
        redelivered_after = time.monotonic() - killed_at
        print(f"redelivered and completed {redelivered_after:.1f}s after the kill (visibility {VISIBILITY}s)")
        time.sleep(VISIBILITY + 1)
        assert _runs("killed") == 1  # exactly once: the redelivered copy was acknowledged
        assert _runs("started:killed") == 2
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
