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
