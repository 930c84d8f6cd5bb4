"""The developer loop: broker folders under var/, logs printed once, `make seed` migrating first,
`make lock` leaving unchanged locks alone."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _dev_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}}
    env.update(PORTAL_VAR_DIR=str(tmp_path / "var"), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", **extra)
    return env


def test_filesystem_broker_lives_under_var_and_publishes_on_a_fresh_clone(tmp_path):
    """A fresh var/ (no broker folders yet) and a task published from another working directory:
    it lands in var/broker/queue and nothing appears in the working directory."""
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    code = "from portal.tasks import record_heartbeat; record_heartbeat.delay('x')"
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code],
        cwd=cwd,
        env=_dev_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    broker = tmp_path / "var" / "broker"
    assert {p.name for p in broker.iterdir()} == {"queue", "processed", "control"}
    assert any((broker / "queue").iterdir()), "the message was not written under var/broker/queue"
    assert list(cwd.iterdir()) == []


def test_a_log_line_prints_once(tmp_path):
    code = "import logging; logging.getLogger('django.request').warning('只出现一次')"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=_dev_env(tmp_path, DEBUG="true"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (result.stdout + result.stderr).count("只出现一次") == 1, result.stderr


def test_make_seed_migrates_first():
    plan = subprocess.run(
        ["make", "-n", "-W", "requirements.lock", "seed"], cwd=ROOT, capture_output=True, text=True, timeout=60
    ).stdout
    assert "manage.py migrate" in plan and "manage.py seed_demo" in plan
    assert plan.index("manage.py migrate") < plan.index("manage.py seed_demo")


def test_make_run_points_qr_codes_at_its_own_port():
    plan = subprocess.run(["make", "-n", "run", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert "PORT=8123 scripts/run-dev.sh" in plan.stdout
    script = (ROOT / "scripts/run-dev.sh").read_text(encoding="utf-8")
    assert "export PORTAL_PUBLIC_BASE_URL=${PORTAL_PUBLIC_BASE_URL:-$base}" in script


@pytest.mark.timeout(120)
def test_make_lock_leaves_unchanged_locks_alone():
    """uv resolves from its cache (UV_OFFLINE): CI may have no index to ask."""
    locks = [ROOT / "requirements.lock", ROOT / "requirements-dev.lock"]
    before = [(p.read_bytes(), p.stat().st_mtime_ns) for p in locks]
    result = subprocess.run(
        ["scripts/lock.sh"], cwd=ROOT, env={**os.environ, "UV_OFFLINE": "1"}, capture_output=True, text=True
    )
    if result.returncode != 0 and ("offline" in result.stderr.lower() or "network" in result.stderr.lower()):
        pytest.skip(f"uv has no cached index data offline: {result.stderr.strip()[:200]}")
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("unchanged") == 2, result.stdout
    assert [(p.read_bytes(), p.stat().st_mtime_ns) for p in locks] == before
