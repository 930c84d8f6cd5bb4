"""The production shape in docker-compose.yml (no Docker engine here to run it, so its structure
is checked; tests/portal/test_production.py runs what the containers run): services, health
checks, start order, restart policies, one .env, only the proxy publishes ports, shared volumes."""

import re
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
WORKERS = ("worker", "worker-intake", "worker-reports", "worker-imports")
APP = ("migrate", "web", *WORKERS, "beat")
LONG_RUNNING = ("postgres", "redis", "web", *WORKERS, "beat", "backup", "proxy")


def test_services_health_checks_and_start_order():
    assert set(SERVICES) == {"postgres", "redis", "migrate", "web", *WORKERS, "beat", "backup", "proxy"}
    for name in ("postgres", "redis", "web", *WORKERS, "beat"):
        assert SERVICES[name]["healthcheck"]["test"], name
    assert SERVICES["migrate"]["command"] == ["python", "manage.py", "migrate", "--noinput"]
    assert SERVICES["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in ("web", *WORKERS, "beat"):
        assert SERVICES[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}, name
    assert "command" not in SERVICES["web"]  # the Dockerfile's CMD: gunicorn
    queues = set()
    for name in WORKERS:
        command = SERVICES[name]["command"]
        assert command[:4] == ["celery", "-A", "portal", "worker"], name
        queues.add(command[command.index("-Q") + 1])
        # An unhealthy worker ends its PID 1, so the restart policy brings it back.
        assert SERVICES[name]["healthcheck"]["test"][-1].endswith("|| kill 1"), name
    # Every queue the routes name has its own worker.
    assert queues == {"celery", *(route["queue"] for route in settings.CELERY_TASK_ROUTES.values())}
    assert "manage.py healthcheck worker" in SERVICES["worker"]["healthcheck"]["test"][-1]
    assert SERVICES["beat"]["command"][:4] == ["celery", "-A", "portal", "beat"]
    assert SERVICES["beat"]["healthcheck"]["test"][-1] == "python manage.py healthcheck beat > /dev/null || kill 1"


def test_web_health_check_renders_a_page_and_reads_healthz():
    script = SERVICES["web"]["healthcheck"]["test"][-1]
    compile(script, "web-healthcheck", "exec")
    assert '"/accounts/login/"' in script and '"/healthz/"' in script


def test_restart_policies():
    for name in LONG_RUNNING:
        assert SERVICES[name]["restart"] == "unless-stopped", name
    assert SERVICES["migrate"]["restart"] == "no"


def test_only_the_proxy_publishes_ports():
    """The proxy is the one way in; web publishes no host port, so it can be scaled on one host
    (`--scale web=N`) and is reached on the compose network, as nginx.conf's upstream says."""
    published = {name: s["ports"] for name, s in SERVICES.items() if s.get("ports")}
    assert set(published) == {"proxy"}
    assert SERVICES["web"]["expose"] == ["8000"]


def test_the_proxy_config_agrees_with_the_app():
    """deploy/nginx.conf is what compose's proxy runs; its body cap is the app's, it forwards the
    client's address and scheme, and it documents PROXY_COUNT (issue 20)."""
    proxy = SERVICES["proxy"]
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in proxy["volumes"]
    conf = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    cap = re.search(r"^\s*client_max_body_size (\d+)m;", conf, re.M)
    assert cap and int(cap.group(1)) * 1024 * 1024 == settings.REQUEST_BODY_MAX_BYTES
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "server web:8000;" in conf and "PROXY_COUNT" in conf
    assert conf.count("{") == conf.count("}")


def test_one_env_file_and_production_settings():
    for name in APP:
        service = SERVICES[name]
        assert service["env_file"] == ".env", name
        env = service["environment"]
        assert env["PORTAL_ENV"] == "production"
        assert "${POSTGRES_PASSWORD:?" in env["DATABASE_URL"]
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:")
        assert env["PROXY_COUNT"] == "${PROXY_COUNT:-1}"


def test_data_uploads_and_backups_are_on_volumes():
    assert {"postgres-data", "redis-data", "media"} <= set(COMPOSE["volumes"])
    assert "postgres-data:/var/lib/postgresql/data" in SERVICES["postgres"]["volumes"]
    for name in APP:
        assert "media:/app/var/media" in SERVICES[name]["volumes"], name
    backup = SERVICES["backup"]
    assert "media:/media:ro" in backup["volumes"]
    assert "/scripts/backup.sh" in " ".join(backup["command"])


def test_image_is_two_stage_runtime_only_and_non_root():
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.count("\nFROM ") + dockerfile.startswith("FROM ") == 2
    assert "requirements.lock" in dockerfile and "requirements-dev.lock" not in dockerfile.split("AS build", 1)[1]
    assert "PORTAL_ENV=production" in dockerfile and "collectstatic" in dockerfile
    assert "\nUSER portal\n" in dockerfile
    runtime_lock = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    for tool in ("pytest==", "playwright==", "ruff==", "uv=="):
        assert f"\n{tool}" not in runtime_lock, tool
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {"devtools", "tests", ".env", "backups/"} <= set(ignored)
