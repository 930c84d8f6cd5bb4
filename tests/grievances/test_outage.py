"""Redis goes away during public intakes: nothing answers 500, every case is saved, and once the
broker is back each case is triaged exactly once by the outbox relay.

A Redis server of this test's own is started and killed (the suite's shared one stays up), and
both the cache and the Celery broker point at it, as in production.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from kombu import pools

from core.models import OutboxMessage
from core.queue import relay_pending
from grievances.models import Grievance, GrievanceEvent
from portal.celery import app

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def own_redis(tmp_path):
    port = free_port()
    proc = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.05)
    yield proc, f"redis://127.0.0.1:{port}/0"
    proc.kill()
    proc.wait()


@pytest.fixture
def broker(own_redis):
    """Point the Celery app at our Redis, publishing for real (not eager)."""
    _, url = own_redis
    keys = ("broker_url", "broker_write_url", "broker_read_url", "task_always_eager")
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(broker_url=url, broker_write_url=url, broker_read_url=url, task_always_eager=False)
    _reset_pools()
    yield url
    app.conf.update(saved)
    _reset_pools()


def _reset_pools() -> None:
    """Forget connections made to another broker, so the next publish connects afresh.

    ``app.pool`` is kombu's process-wide pool for the broker URL, shared with every later test:
    closing it alone leaves a closed pool in kombu's registry ("Acquire on closed pool").
    ``pools.reset`` closes and forgets them all, so the next publish builds new ones.
    """
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def test_intake_survives_a_redis_outage_and_the_relay_triages_once(
    client, world, categories, settings, own_redis, broker
):
    proc, url = own_redis
    settings.CACHES = {"default": {"BACKEND": "core.cache.FailOpenRedisCache", "LOCATION": url}}
    settings.GRIEVANCES = {**settings.GRIEVANCES, "RATE_LIMITS": {"submit_ip": (100, 3600)}}
    data = {"territory": world.fuzimiao.pk, "text": "小区保安不让快递员进门", "contact_phone": "13812345678"}

    # Up: the intake is published at once.
    assert client.post(reverse("grievances:new"), {**data, "contact_phone": "13900000000"}).status_code == 302
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 0

    proc.kill()
    proc.wait()
    statuses = [
        client.post(reverse("grievances:new"), {**data, "contact_phone": f"1381234{i:04d}"}).status_code
        for i in range(8)
    ]
    assert statuses == [302] * 8  # no 500: the counters fell back to memory, the case was saved
    assert Grievance.objects.count() == 9
    pending = OutboxMessage.objects.filter(sent_at__isnull=True)
    assert pending.filter(task="grievances.tasks.triage_grievance").count() == 8
    assert all(m.last_error for m in pending)

    # Redis is back (here: the tasks run inline, as a worker would run them) and the relay runs.
    app.conf.task_always_eager = True
    cache.clear()
    sent, failed = relay_pending(grace=timedelta(0), now=_later())
    assert failed == 0 and sent >= 8
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
    for grievance in Grievance.objects.exclude(contact_phone="13900000000"):
        grievance.refresh_from_db()
        assert grievance.state != Grievance.State.SUBMITTED
        assert GrievanceEvent.objects.filter(grievance=grievance, new_state=Grievance.State.TRIAGED).count() <= 1
    # A second relay finds nothing: each case was handed over exactly once.
    assert relay_pending(grace=timedelta(0), now=_later()) == (0, 0)


def _later():
    return timezone.now() + timedelta(hours=1)
