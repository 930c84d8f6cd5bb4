"""The production shape in docker-compose.yml (no Docker engine here to run it, so its structure
is checked): the five services, health-gated start order, secrets required, shared volumes."""

from pathlib import Path

import yaml
from django.conf import settings

COMPOSE = yaml.safe_load((Path(settings.BASE_DIR) / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]


def test_five_services_with_health_gated_order():
    assert set(SERVICES) == {"postgres", "redis", "web", "worker", "beat"}
    for name in ("postgres", "redis", "web"):
        assert SERVICES[name]["healthcheck"]["test"], name
    assert SERVICES["web"]["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    for name in ("worker", "beat"):
        assert SERVICES[name]["depends_on"] == {"web": {"condition": "service_healthy"}}
    assert "gunicorn portal.wsgi:application" in " ".join(SERVICES["web"]["command"])
    assert SERVICES["worker"]["command"][:4] == ["celery", "-A", "portal", "worker"]
    assert SERVICES["beat"]["command"][:4] == ["celery", "-A", "portal", "beat"]


def test_production_settings_and_secrets_are_required():
    env = SERVICES["web"]["environment"]
    assert env["PORTAL_ENV"] == "production"
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert "${POSTGRES_PASSWORD:?" in env["DATABASE_URL"]
    assert env["CELERY_BROKER_URL"].startswith("redis://redis:")


def test_data_and_uploads_are_on_named_volumes_shared_by_the_app_containers():
    assert {"postgres-data", "redis-data", "media"} <= set(COMPOSE["volumes"])
    assert "postgres-data:/var/lib/postgresql/data" in SERVICES["postgres"]["volumes"]
    for name in ("web", "worker", "beat"):
        assert "media:/app/var/media" in SERVICES[name]["volumes"], name
