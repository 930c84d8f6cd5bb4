"""Production mode fails fast without its secrets and passes `check --deploy` cleanly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "k" * 20 + "-production-secret-for-the-deploy-check-0123456789"


def _manage(*args, **env):
    # The suite's own variables must not leak into the child (DJANGO_ALLOW_ASYNC_UNSAFE is
    # for Playwright and is rightly an error in a deployment check).
    dropped = {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "PORTAL_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    full_env = {k: v for k, v in os.environ.items() if k not in dropped}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY must be set"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS must be set"),
        ("DATABASE_URL", "DATABASE_URL must be set"),
    ],
)
def test_production_refuses_to_start_without_secrets(missing, message):
    env = {
        "PORTAL_ENV": "production",
        "SECRET_KEY": GOOD_SECRET,
        "ALLOWED_HOSTS": "portal.example.internal",
        "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://x@127.0.0.1/x"),
    }
    env.pop(missing)
    result = _manage("check", **env)
    if missing == "DATABASE_URL":
        result = subprocess.run(
            [sys.executable, "manage.py", "check"],
            cwd=ROOT,
            env={
                k: v for k, v in {**os.environ, **env}.items() if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
            },
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode != 0
    assert message in result.stderr


def test_production_rejects_a_short_secret():
    result = _manage(
        "check",
        PORTAL_ENV="production",
        SECRET_KEY="short",
        ALLOWED_HOSTS="portal.example.internal",
        DATABASE_URL="postgres://x@127.0.0.1/x",
    )
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_check_deploy_passes_without_warnings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        PORTAL_ENV="production",
        SECRET_KEY=GOOD_SECRET,
        ALLOWED_HOSTS="portal.example.internal",
        DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://x@127.0.0.1/x"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_ui_language_and_time_zone(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_I18N and settings.USE_TZ
