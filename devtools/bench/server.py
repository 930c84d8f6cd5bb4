"""The bench server: the portal under gunicorn on a free loopback port, as the Dockerfile runs it,
from ``devtools.bench.wsgi`` (the portal's settings and URLs plus one minimal view, abuse limits out
of reach; see ``devtools.bench.server_settings``), and the client of that minimal view.

DEBUG is off and database connections persist (``DB_CONN_MAX_AGE=60``), as in production. It runs
in development mode like the rest of ``make bench``: production mode would also resolve static
URLs through collectstatic's manifest and redirect plain HTTP to HTTPS, which change nothing a
request costs but need a build step.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from devtools.bench.harness import database_url
from devtools.bench.load import Client, HttpConnection, Response, http_request
from devtools.bench.urls import MINIMAL_PATH

# The Dockerfile's command. On a 2-core machine that also runs PostgreSQL, Redis and the clients,
# more workers would only queue for the same cores.
WORKERS = 3
READY_TIMEOUT = 60.0


@dataclass
class Server:
    port: int
    pid: int  # gunicorn's master; also its process group
    log: Path


def server_env(*, cache_prefix: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "devtools.bench.server_settings",
        "DATABASE_URL": database_url(),
        "PORTAL_ENV": "development",
        "DEBUG": "false",
        "DB_CONN_MAX_AGE": "60",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        # Rate-limit counters and throttle histories of the run stay apart from the portal's.
        "CACHE_KEY_PREFIX": cache_prefix,
    }


@contextmanager
def bench_server(*, workers: int = WORKERS) -> Iterator[Server]:
    """gunicorn serving ``devtools.bench.wsgi`` on a free loopback port, stopped on exit.

    The listening socket is made here and handed over (``fd://``), so no other process can take
    the port between choosing and binding it. ``--preload`` imports the portal once before the
    workers fork: every worker is ready when the first answer arrives.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(2048)
    port = listener.getsockname()[1]
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
        log_path = Path(tmp) / "gunicorn.log"
        # Append mode: gunicorn opens the same file for its logs, and writes must not overwrite.
        with open(log_path, "ab") as log:
            try:
                process = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "devtools.bench.wsgi:application",
                        f"--bind=fd://{listener.fileno()}",
                        f"--workers={workers}",
                        "--worker-class=sync",
                        "--preload",
                        "--timeout=60",
                        "--graceful-timeout=5",
                        f"--access-logfile={log_path}",
                        f"--error-logfile={log_path}",
                    ],
                    cwd=settings.BASE_DIR,
                    env=server_env(cache_prefix=f"bench-{secrets.token_hex(4)}"),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    pass_fds=(listener.fileno(),),
                    start_new_session=True,
                )
            finally:
                listener.close()
            try:
                _wait_until_ready(process, port, log_path)
                yield Server(port=port, pid=process.pid, log=log_path)
            finally:
                _stop(process)


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def _wait_until_ready(process: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {process.returncode}:\n{_tail(log_path)}")
        conn = HttpConnection(port, timeout=2.0)
        try:
            response = conn.exchange(http_request("GET", MINIMAL_PATH, port))
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer within {READY_TIMEOUT:g} s:\n{_tail(log_path)}") from None
            time.sleep(0.2)
            continue
        finally:
            conn.close()
        if response.status != 200:
            raise RuntimeError(f"{MINIMAL_PATH} answered {response.status}:\n{_tail(log_path)}")
        return


def _stop(process: subprocess.Popen) -> None:
    # The master takes its workers down on TERM and reaps them before it exits; KILL reaches the
    # whole group (master and workers) if that takes too long.
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class MinimalClient(Client):
    """Cookie-less GETs of the minimal view: nothing there may touch the database."""

    def prepare(self) -> None:
        """Nothing to fetch first."""

    def next_request(self) -> bytes:
        return http_request("GET", MINIMAL_PATH, self.port)

    def received(self, response: Response) -> bool:
        return response.status == 200 and response.body == b"ok"
