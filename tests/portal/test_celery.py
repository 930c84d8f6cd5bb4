"""Celery wired for real: a task enqueued after commit goes through Redis to a worker."""

import os
import time

import pytest
from django.db import transaction

from portal.models import WorkerHeartbeat
from portal.tasks import record_heartbeat


@pytest.fixture
def real_worker(transactional_db):
    from celery.contrib.testing.worker import start_worker

    from portal.celery import app

    broker = app.conf.broker_url or ""
    if not broker.startswith("redis://"):
        pytest.fail(f"the suite needs the real Redis broker that `make test` starts, got {broker!r}")
    app.conf.task_always_eager = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield app


def _wait_for(predicate, seconds=15.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_task_enqueued_after_commit_runs_on_a_worker(real_worker):
    assert os.environ.get("REDIS_URL"), "make test exports REDIS_URL"
    with transaction.atomic():
        transaction.on_commit(lambda: record_heartbeat.delay("suite"))
        # Nothing is sent before the commit: the worker cannot see rows that do not exist yet.
        time.sleep(0.3)
        assert not WorkerHeartbeat.objects.filter(name="suite").exists()
    assert _wait_for(lambda: WorkerHeartbeat.objects.filter(name="suite").exists())
    beat = WorkerHeartbeat.objects.get(name="suite")
    assert beat.runs == 1


def test_rolled_back_transaction_sends_nothing(real_worker):
    try:
        with transaction.atomic():
            transaction.on_commit(lambda: record_heartbeat.delay("rolled-back"))
            raise RuntimeError("abort")
    except RuntimeError:
        pass
    record_heartbeat.delay("marker")
    assert _wait_for(lambda: WorkerHeartbeat.objects.filter(name="marker").exists())
    assert not WorkerHeartbeat.objects.filter(name="rolled-back").exists()


@pytest.mark.django_db
@pytest.mark.smoke
def test_heartbeat_is_idempotent_upsert():
    record_heartbeat("beat")
    record_heartbeat("beat")
    assert WorkerHeartbeat.objects.get(name="beat").runs == 2
    assert WorkerHeartbeat.objects.count() == 1


def test_beat_schedule_lives_in_settings(settings):
    from portal.celery import app

    assert app.conf.beat_schedule == settings.CELERY_BEAT_SCHEDULE
    assert "portal-heartbeat" in settings.CELERY_BEAT_SCHEDULE
