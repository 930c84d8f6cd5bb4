"""The intake throughput case of `make bench`, run for real: gunicorn in its own process on the
test database (committed data, hence transactional tests), clients on loopback."""

from __future__ import annotations

import os
import socket

import pytest
from auditlog.models import LogEntry
from django.apps import apps as django_apps
from django.contrib.sessions.models import Session
from django.urls import Resolver404, resolve
from kombu.exceptions import ChannelError

from core.models import OutboxMessage
from devtools.bench import server_settings
from devtools.bench.cases import Context
from devtools.bench.intake import intake_cases
from devtools.bench.load import HttpConnection, http_request
from devtools.bench.server import bench_server
from devtools.bench.urls import MINIMAL_PATH
from grievances import taxonomy
from grievances.models import Grievance
from grievances.services import next_ticket


def queued(queue: str) -> int:
    from portal.celery import app

    with app.connection_for_write() as broker:
        try:
            return broker.default_channel.queue_declare(queue=queue, passive=True).message_count
        except ChannelError:  # no such queue (Redis drops an empty one)
            return 0


@pytest.fixture
def intake_world(transactional_db, world, managed_station):
    # Installed by a data migration, but transactional tests flush it: install again.
    taxonomy.install(django_apps)
    return managed_station


def test_minimal_view_is_served_by_the_bench_server_only_and_it_stops(db):
    with pytest.raises(Resolver404):
        resolve(MINIMAL_PATH)  # the portal's own URLconf
    with bench_server(workers=1) as server:
        conn = HttpConnection(server.port)
        minimal = conn.exchange(http_request("GET", MINIMAL_PATH, server.port))
        portal_page = conn.exchange(http_request("GET", "/g/status/", server.port))
        conn.close()
    assert (minimal.status, minimal.body) == (200, b"ok")
    assert portal_page.status == 200
    assert "受理编号" in portal_page.body.decode()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=2).close()
    with pytest.raises(ProcessLookupError):
        os.killpg(server.pid, 0)  # master and workers are gone


def test_intake_cases_measure_both_doors_and_leave_no_case_behind(intake_world):
    ctx = Context(iterations=1, clients={}, codes={}, profile="small")
    default_queue = queued("celery")

    form, api, floor = intake_cases(ctx, seconds=1.0, clients=4, workers=2)

    assert form.name == "申诉受理吞吐（公开入口）"
    assert api.name == "申诉受理吞吐（公开 API）"
    assert floor.name == "申诉受理 写入下限视图"
    for row in (form, api, floor):
        assert row.unit == "req/s"
        assert row.rate > 0
        assert row.baseline > 0
        assert row.extra["requests"] > 0
        assert row.extra["errors"] == 0, row.note
        assert row.extra["baseline_errors"] == 0
        assert row.extra["nodb_errors"] == 0
        assert row.extra["clients"] == 4
        assert row.extra["p95_ms"] > 0
        # Both references, from the same run: the floor (the goal's) and the no-database view.
        assert row.extra["nodb_rate"] > 0
        assert row.extra["ratio_vs_nodb"] == pytest.approx(row.rate / row.extra["nodb_rate"], rel=0.01)
    assert form.baseline == api.baseline == floor.rate  # the intake's ratio is against the floor
    assert floor.baseline == pytest.approx(floor.extra["nodb_rate"], abs=0.05)
    # Every counted answer was a committed case: the day's ticket sequence handed each of them a
    # number (and the warm-up's), and the clean-up removed them all with their trail.
    tickets = int(next_ticket()[-5:]) - 1
    assert tickets >= form.extra["requests"] + api.extra["requests"] + floor.extra["requests"]
    # All from 127.0.0.1, none refused: under the portal's own limits the 11th would have been.
    assert tickets > 10
    assert not Grievance.objects.exists()
    assert not LogEntry.objects.filter(content_type__app_label="grievances", content_type__model="grievance").exists()
    assert not Session.objects.exists()
    assert not OutboxMessage.objects.exists()  # the floor's and the intakes' outbox rows too
    # The triage tasks went to the bench's own queue, which was purged: no worker will ever run
    # them for cases that no longer exist.
    assert queued(server_settings.CELERY_TASK_DEFAULT_QUEUE) == 0
    assert queued("celery") == default_queue
