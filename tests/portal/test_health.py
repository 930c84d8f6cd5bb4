import pytest

pytestmark = [pytest.mark.django_db]


@pytest.mark.smoke
def test_healthz_ok(client):
    response = client.get("/healthz/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] and body["broker"]["ok"]


def test_healthz_503_when_broker_down(client, settings, monkeypatch):
    from portal import health

    monkeypatch.setattr(health, "check_broker", lambda: (False, "ConnectionRefusedError"))
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["broker"] == {"ok": False, "info": "ConnectionRefusedError"}


def test_healthz_503_when_database_down(client, monkeypatch):
    from portal import health

    monkeypatch.setattr(health, "check_database", lambda: (False, "OperationalError"))
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["status"] == "error"


def test_broker_check_is_real(settings):
    """Against the Redis that `make test` started (or the embedded broker in the smoke run)."""
    from portal.health import check_broker

    ok, _ = check_broker()
    assert ok


def _beat(name, seconds_ago):
    from datetime import timedelta

    from django.utils import timezone

    from portal.models import WorkerHeartbeat

    WorkerHeartbeat.objects.update_or_create(
        name=name, defaults={"seen_at": timezone.now() - timedelta(seconds=seconds_ago)}
    )


@pytest.fixture
def required(settings):
    settings.HEALTH_REQUIRE_HEARTBEATS = True
    settings.HEALTH_WORKER_MAX_AGE = 300
    settings.HEALTH_BEAT_MAX_AGE = 180


def test_healthz_503_names_a_stopped_worker(client, required):
    """Beat still beats, the worker's last heartbeat is 10 minutes old: a stopped worker."""
    _beat("beat", 5)
    _beat("worker", 600)
    response = client.get("/healthz/")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["worker"]
    assert body["worker"]["age_seconds"] >= 600 and body["worker"]["max_age_seconds"] == 300
    assert body["beat"]["ok"] is True


def test_healthz_503_when_heartbeats_were_never_seen(client, required):
    body = client.get("/healthz/").json()
    assert set(body["failing"]) == {"worker", "beat"}
    assert "从未收到心跳" in body["worker"]["info"]


def test_healthz_200_with_fresh_heartbeats_and_limits_are_configurable(client, required, settings):
    _beat("beat", 5)
    _beat("worker", 200)
    assert client.get("/healthz/").status_code == 200
    settings.HEALTH_WORKER_MAX_AGE = 100
    assert client.get("/healthz/").json()["failing"] == ["worker"]


def test_development_reports_ages_without_failing(client, settings):
    settings.HEALTH_REQUIRE_HEARTBEATS = False
    _beat("worker", 10_000)
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json()["worker"]["age_seconds"] >= 10_000


def test_healthz_is_json_even_when_the_report_crashes(client, monkeypatch):
    from portal import views

    def boom():
        raise RuntimeError("x")

    monkeypatch.setattr(views, "health_report", boom)
    response = client.get("/healthz/")
    assert response.status_code == 503 and response["Content-Type"] == "application/json"
    assert response.json()["failing"] == ["health"]


def test_healthcheck_command_exit_status_names_the_part(required):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    _beat("beat", 5)
    _beat("worker", 600)
    call_command("healthcheck", "beat", "database")
    with pytest.raises(CommandError, match="worker"):
        call_command("healthcheck", "worker")
    with pytest.raises(CommandError, match="未知的检查项"):
        call_command("healthcheck", "nope")


def test_beat_records_its_own_heartbeat():
    from unittest import mock

    from portal.beat import HeartbeatScheduler
    from portal.models import WorkerHeartbeat

    scheduler = HeartbeatScheduler.__new__(HeartbeatScheduler)  # no app: only tick's own work
    with (
        mock.patch("django_celery_beat.schedulers.DatabaseScheduler.tick", return_value=300),
        mock.patch("portal.beat.close_old_connections"),  # would close the test's transaction
    ):
        assert scheduler.tick() == 30
    assert WorkerHeartbeat.objects.filter(name="beat").exists()
