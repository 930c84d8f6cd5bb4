"""The production configuration, run for real: what the image does, without a Docker engine.

One module-wide setup stands in for a deployment's life: a database is migrated and filled (the
test world, a station, an uploaded file), backed up with scripts/backup.sh, restored with
scripts/restore.sh into a fresh database and an empty media directory, static files are collected
with the manifest storage into a temp dir exactly as the Dockerfile does, and gunicorn serves the
restored database with PORTAL_ENV=production. The tests then fetch pages as the reverse proxy
would (https via X-Forwarded-Proto, the public host name) and check status, content, that every
static file a page names is served, and that no page makes the browser talk to another host.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
HOST = "portal.example.internal"
SECRET = "p" * 20 + "-production-test-secret-not-used-anywhere-else-0123456789"
STATION_CODE = "NXF-PROD-001"
STATION_NAME = "生产验证宁小蜂驿站"
MEDIA_FILE = "stations/photos/proof.txt"
# The one outside host a page may name: the phone page's navigation link, which the worker's
# phone (on the public internet) follows to Amap. It is a link, never a resource the page loads.
ALLOWED_LINK_HOSTS = {"uri.amap.com"}

POPULATE = f"""
from tests.stations.conftest import make_station, WEEKDAYS_9_TO_6
from tests.world import build_world
world = build_world()
make_station({STATION_CODE!r}, world.huaqiaolu, lng="118.784000", lat="32.041800", name={STATION_NAME!r},
             hours=WEEKDAYS_9_TO_6)
"""

# django_db: so that pytest-django creates the test database the setup copies.
pytestmark = [pytest.mark.timeout(600), pytest.mark.django_db]


def _base_env(**extra) -> dict[str, str]:
    # The suite's own variables must not reach the children (see test_settings.py).
    dropped = {"SECRET_KEY", "ALLOWED_HOSTS", "DEBUG", "PORTAL_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE", "MEDIA_ROOT"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    # pg_dump must match the server's major version: prefer the server's own client programs.
    pg_bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    env["PATH"] = os.pathsep.join([*map(str, pg_bins), env.get("PATH", "")])
    env.update(extra)
    return env


def _run(args, env, timeout=300):
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _database_url(name: str) -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


def _admin_sql(sql: str) -> None:
    with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
        conn.execute(sql)


def image_command(*, bind: str) -> list[str]:
    """The Dockerfile's CMD (gunicorn and its options) with the address to bind swapped in."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    command = json.loads(re.search(r"^CMD (\[.*?\])$", dockerfile, re.M | re.S).group(1))
    assert command[0] == "gunicorn", command
    return [arg if not arg.startswith("0.0.0.0:") else bind for arg in command]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Browser:
    """Speaks to gunicorn as the TLS-terminating proxy would; keeps cookies itself, since they
    are Secure and would never be sent over the plain HTTP of the loopback hop."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        all_headers = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.2.3"}
        if self.cookies:
            all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        all_headers.update(headers or {})
        conn.request(method, path, body=body, headers=all_headers)
        raw = conn.getresponse()
        response = Response(raw.status, raw.headers, raw.read())
        conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def login(self, username: str, password: str) -> Response:
        page = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        form = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
        return self.request(
            "POST",
            "/accounts/login/",
            body=form.encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"https://{HOST}",
                "Referer": f"https://{HOST}/accounts/login/",
            },
        )


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, django_db_setup, django_db_blocker):
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("needs the throwaway PostgreSQL of scripts/services.sh")
    from django.db import connection, connections

    # The suite's test database is already migrated (with the reference data the migrations
    # install): the source deployment starts as a copy of it rather than migrating again.
    template = connection.settings_dict["NAME"]
    with django_db_blocker.unblock():
        connections.close_all()
    work = tmp_path_factory.mktemp("production")
    suffix = uuid.uuid4().hex[:8]
    source_db, restored_db = f"prod_source_{suffix}", f"prod_restored_{suffix}"
    source_media, restored_media = work / "media-source", work / "media-restored"
    backups, static_root = work / "backups", work / "static"
    _admin_sql(f'CREATE DATABASE "{source_db}" TEMPLATE "{template}"')
    _admin_sql(f'CREATE DATABASE "{restored_db}"')
    server = None
    try:
        # 1. A deployment in use: people, a station and an upload.
        dev = _base_env(DATABASE_URL=_database_url(source_db), MEDIA_ROOT=str(source_media))
        _run([sys.executable, "manage.py", "shell", "-c", POPULATE], dev)
        (source_media / MEDIA_FILE).parent.mkdir(parents=True)
        (source_media / MEDIA_FILE).write_text("上传文件", encoding="utf-8")

        # 2. Backup, then restore into a fresh database and an empty media directory.
        _run(["scripts/backup.sh", str(backups)], dev)
        dumps = sorted(backups.glob("portal-*.dump"))
        assert len(dumps) == 1 and dumps[0].with_name(dumps[0].stem + "-media.tar.gz").exists()
        restored = _base_env(DATABASE_URL=_database_url(restored_db), MEDIA_ROOT=str(restored_media))
        _run(["scripts/restore.sh", str(dumps[0])], restored)

        # 3. The image's build step and command, in production mode.
        production = _base_env(
            PORTAL_ENV="production",
            SECRET_KEY=SECRET,
            ALLOWED_HOSTS=HOST,
            DATABASE_URL=_database_url(restored_db),
            MEDIA_ROOT=str(restored_media),
            STATIC_ROOT=str(static_root),
            PROXY_COUNT="1",
        )
        _run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], production)
        assert (static_root / "staticfiles.json").exists()
        port = _free_port()
        log = (work / "gunicorn.log").open("w")
        server = subprocess.Popen(
            [sys.executable, "-m", *image_command(bind=f"127.0.0.1:{port}")],
            cwd=ROOT,
            env=production,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        browser = Browser(port)
        deadline = time.monotonic() + 60
        while True:
            try:
                browser.get("/healthz/")
                break
            except OSError:
                assert server.poll() is None, (work / "gunicorn.log").read_text()
                assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
                time.sleep(0.3)
        yield {
            "port": port,
            "env": production,
            "restored_media": restored_media,
            "restored_db": restored_db,
            "log": work / "gunicorn.log",
        }
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        for name in (source_db, restored_db):
            _admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture
def browser(deployment):
    return Browser(deployment["port"])


@pytest.fixture
def staff(browser):
    from tests.world import PASSWORD

    response = browser.login("municipal", PASSWORD)
    assert response.status == 302, response.text[:2000]
    return browser


RESOURCE = re.compile(r"""(?:src|href|action|content)\s*=\s*["']([^"']+)["']|url\(\s*["']?([^"')]+)""", re.I)
ABSOLUTE = re.compile(r"""(?:https?:)?//([a-z0-9.-]+\.[a-z]{2,})""", re.I)


def outside_hosts(html: str) -> set[str]:
    """Every host other than ours that the page names anywhere in its markup or inline code."""
    hosts = {m.group(1).lower() for m in ABSOLUTE.finditer(html)}
    links = set(re.findall(r"""<a\s[^>]*href=["']https?://([^/"']+)""", html, re.I))
    return {h for h in hosts if h != HOST and h not in (ALLOWED_LINK_HOSTS & links) and h not in NAMESPACES}


# XML namespaces in inline SVG are names, not addresses a browser fetches.
NAMESPACES = {"www.w3.org"}


def assert_self_contained(browser: Browser, response: Response) -> None:
    html = response.text
    assert not outside_hosts(html), outside_hosts(html)
    statics = {m.group(1) or m.group(2) for m in RESOURCE.finditer(html)}
    statics = {s for s in statics if s and s.startswith("/static/")}
    for path in statics:
        asset = browser.get(path)
        assert asset.status == 200, path
        if path.endswith(".css"):  # url() and @import in a stylesheet are requests the browser makes
            assert not re.search(r"""(url\(|@import)\s*["']?(https?:)?//""", asset.text), path


def test_login_page_is_served_with_hashed_static_files(browser):
    response = browser.get("/accounts/login/")
    assert response.status == 200
    assert "登录" in response.text
    css = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', response.text)
    assert css, "the stylesheet is not the manifest's hashed name"
    asset = browser.get(css.group(1))
    assert asset.status == 200 and "immutable" in asset.headers.get("Cache-Control", "")
    assert_self_contained(browser, response)


def test_dashboard_after_login_serves_the_restored_records(staff):
    response = staff.get("/dashboard/")
    assert response.status == 200, response.text[:2000]
    assert "数据看板" in response.text
    assert_self_contained(staff, response)


@pytest.mark.parametrize(("path", "marker"), [("/api/docs/", "swagger-ui"), ("/api/redoc/", "redoc")])
def test_api_docs_are_served_from_our_own_static_files(staff, path, marker):
    response = staff.get(path)
    assert response.status == 200
    assert marker in response.text.lower()
    assert "fonts.googleapis" not in response.text
    assert_self_contained(staff, response)
    assert staff.get("/api/schema/").status == 200


def test_station_phone_page_of_the_restored_station(browser):
    response = browser.get(f"/s/{STATION_CODE}/")
    assert response.status == 200
    assert STATION_NAME in response.text
    assert_self_contained(browser, response)


def test_station_map_loads_vendored_leaflet_only(staff):
    response = staff.get("/stations/map/")
    assert response.status == 200
    assert "/static/vendor/leaflet/leaflet." in response.text
    assert_self_contained(staff, response)


def test_not_found_is_a_chinese_page(browser):
    response = browser.get("/s/NO-SUCH-STATION/")
    assert response.status == 404
    assert "页面不存在" in response.text and "Not Found" not in response.text
    assert_self_contained(browser, response)


def test_csrf_failure_is_a_chinese_page(browser):
    browser.get("/accounts/login/")
    response = browser.request(
        "POST",
        "/accounts/login/",
        body=b"username=x&password=y",
        headers={"Content-Type": "application/x-www-form-urlencoded", "Origin": f"https://{HOST}"},
    )
    assert response.status == 403
    assert "页面已过期" in response.text and "CSRF" not in response.text


def test_uploads_came_back_with_the_restore(deployment):
    assert (deployment["restored_media"] / MEDIA_FILE).read_text(encoding="utf-8") == "上传文件"


def test_health_names_the_stopped_worker_and_beat_then_recovers(browser, deployment):
    """No worker or beat runs here: production health must say so, then clear once they beat."""
    response = browser.get("/healthz/")
    assert response.status == 503
    body = json.loads(response.text)
    assert body["database"]["ok"] and body["broker"]["ok"]
    assert set(body["failing"]) == {"worker", "beat"}
    assert body["worker"]["age_seconds"] is None

    _run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from portal.tasks import record_heartbeat as r; r('worker'); r('beat')",
        ],
        deployment["env"],
    )
    response = browser.get("/healthz/")
    assert response.status == 200, response.text
    assert json.loads(response.text)["status"] == "ok"


def test_compose_health_checks_against_the_running_server(deployment):
    """The web container's health check script, and the worker's command, as compose runs them."""
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    script = compose["services"]["web"]["healthcheck"]["test"][-1]
    script = script.replace("http://127.0.0.1:8000", f"http://127.0.0.1:{deployment['port']}")
    web = subprocess.run(
        [sys.executable, "-c", script], env=deployment["env"], capture_output=True, text=True, timeout=60
    )
    assert web.returncode == 0, web.stderr
    worker = subprocess.run(
        [sys.executable, "manage.py", "healthcheck", "worker"],
        cwd=ROOT,
        env=deployment["env"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode != 0 or "正常" in worker.stdout
    _run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from portal.tasks import record_heartbeat; record_heartbeat('worker')",
        ],
        deployment["env"],
    )
    worker = subprocess.run(
        [sys.executable, "manage.py", "healthcheck", "worker"],
        cwd=ROOT,
        env=deployment["env"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert worker.returncode == 0, worker.stdout + worker.stderr
