"""One .env: .env.example documents every setting the code reads, the README's table lists the
same names, and scripts/init-env.sh writes a working production .env once and never again."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENV_READ = re.compile(
    r"""\b(?:env_str|env_bool|env_int|env_list|env_secret|os\.environ\.get|os\.getenv)\(\s*["']([A-Z][A-Z0-9_]*)["']"""
)
# Read by the process machinery, not settings a deployment chooses (pytest-xdist names its test
# processes gw0, gw1, …; settings give each its own Redis database).
NOT_SETTINGS = {"DJANGO_SETTINGS_MODULE", "PYTEST_XDIST_WORKER"}


def code_reads() -> set[str]:
    names = set()
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).parts
        if rel[0] in {".venv", "tests", "devtools", "var", "staticfiles"} or "migrations" in rel:
            continue
        names |= set(ENV_READ.findall(path.read_text(encoding="utf-8")))
    return names - NOT_SETTINGS


def example_sections() -> tuple[set[str], set[str]]:
    """(portal settings, compose-only variables) named in .env.example, set or commented."""
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    portal, _, compose = text.partition("# --- compose only")
    key = re.compile(r"^#? ?([A-Z][A-Z0-9_]*)=", re.M)
    return set(key.findall(portal)), set(key.findall(compose))


def readme_configuration_names() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z0-9_]*)`", row.split("|")[1])}


def test_env_example_documents_exactly_what_the_code_reads():
    portal, _ = example_sections()
    reads = code_reads()
    assert reads, "found no environment reads: the pattern is broken"
    assert reads - portal == set(), "read by the code but missing from .env.example"
    assert portal - reads == set(), "in .env.example but read by no code"


def test_compose_only_variables_are_used_by_compose_or_the_scripts():
    _, compose = example_sections()
    used = (ROOT / "docker-compose.yml").read_text(encoding="utf-8") + (ROOT / "scripts/backup.sh").read_text(
        encoding="utf-8"
    )
    assert compose and all(name in used for name in compose), compose


def test_readme_configuration_table_lists_every_setting():
    portal, _ = example_sections()
    names = readme_configuration_names()
    assert portal - names == set(), "missing from README's configuration table"
    assert names - portal == set(), "in README's configuration table but not a setting"


def _init_env(target: Path, host: str = "dangjian.example.gov.cn"):
    return subprocess.run(
        ["scripts/init-env.sh", host, str(target)], cwd=ROOT, capture_output=True, text=True, timeout=30
    )


def _read_env(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines())
    return {k: v for k, v in (p for p in pairs if len(p) == 2) if not k.startswith("#")}


def test_init_env_writes_secrets_once_and_never_overwrites(tmp_path):
    target = tmp_path / ".env"
    first = _init_env(target)
    assert first.returncode == 0, first.stderr
    written = target.read_bytes()
    values = _read_env(target)
    assert len(values["SECRET_KEY"]) >= 50 and len(values["POSTGRES_PASSWORD"]) >= 24
    assert values["ALLOWED_HOSTS"] == "dangjian.example.gov.cn"
    assert values["PORTAL_PUBLIC_BASE_URL"] == "https://dangjian.example.gov.cn"
    assert oct(target.stat().st_mode)[-3:] == "600"

    again = _init_env(target)
    assert again.returncode != 0 and "already exists" in again.stderr
    assert target.read_bytes() == written

    other = tmp_path / "other.env"
    assert _init_env(other).returncode == 0
    assert _read_env(other)["SECRET_KEY"] != values["SECRET_KEY"]


def test_init_env_refuses_a_url_for_a_host(tmp_path):
    result = _init_env(tmp_path / ".env", host="https://x.example/")
    assert result.returncode != 0 and "not a host name" in result.stderr
    assert not (tmp_path / ".env").exists()


@pytest.mark.timeout(180)
def test_the_generated_env_passes_the_deployment_check(tmp_path):
    target = tmp_path / ".env"
    assert _init_env(target).returncode == 0
    dropped = {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "PORTAL_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(_read_env(target))
    # What compose adds on top of the file:
    env.update(PORTAL_ENV="production", DATABASE_URL=os.environ.get("DATABASE_URL", "postgres://x@127.0.0.1/x"))
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=150,
    )
    assert result.returncode == 0, result.stdout + result.stderr
