"""Grievance intake throughput (申诉受理吞吐): requests per second the public intake takes in under
concurrent clients, beside a minimal Django view served by the same server to the same clients.

* The server is gunicorn on a loopback port, shaped like the Dockerfile's (``WORKERS`` sync
  workers, access log on), running ``portal.bench.wsgi``: the portal's settings and URLs plus one
  minimal view at a URL only that module serves, with the abuse limits raised out of reach
  (``portal.bench.server_settings``). DEBUG is off and database connections persist
  (``DB_CONN_MAX_AGE=60``), as in production. It runs in development mode like the rest of
  ``make bench``: production mode would also resolve static URLs through collectstatic's manifest
  and redirect plain HTTP to HTTPS, which change nothing an intake costs but need a build step.
* ``CLIENTS`` client threads in this process each send their next request as soon as the last one
  is answered (a closed loop), first for a warm-up that is not counted, then for the measured
  seconds; the same clients run the minimal view, the QR-code form and the API in turn.
* Only the answer the real flow expects counts: 302 to the done page for the form (a 200 is the
  form coming back with errors), 201 for the API, 200 "ok" for the minimal view. Everything else
  (another status, a dropped connection) is an error, reported beside the rate.
* The public intake refuses a client address after 10 cases an hour and a phone after 5 a day
  (``grievances.abuse``), and DRF throttles the API to 30 requests a minute: the bench server
  raises all three out of reach. Duplicate detection runs in the Celery triage after commit and
  only flags a case, so it refuses nothing here; texts, phones and stations vary anyway.
* The cases the run created carry a marker in their text and are deleted afterwards with their
  audit-log entries, the clients' sessions and the triage tasks published for them.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.db.models import Max
from django.urls import reverse

from grievances.models import Category, Grievance
from portal.bench import server_settings
from portal.bench.harness import Stats, Throughput
from portal.bench.urls import MINIMAL_PATH
from stations.models import Station

if TYPE_CHECKING:  # cases.py imports this module
    from portal.bench.cases import Context

# The Dockerfile's command. On a 2-core machine that also runs PostgreSQL, Redis and the clients,
# more workers would only queue for the same cores.
WORKERS = 3
CLIENTS = 16
REQUEST_TIMEOUT = 30.0
READY_TIMEOUT = 60.0
STATIONS = 50  # the QR codes the clients scan, spread over the stations by code
DELETE_BATCH = 500
SLICE = 2.0  # seconds of one turn of load (see ``measure``)

TEXTS = [
    "驿站门口的充电桩坏了，电动车没法充电，希望尽快修好",
    "小区保安不让外卖员进门，只能在门口等很久",
    "附近没有可以热饭的地方，中午吃饭很不方便",
    "路口红绿灯时间太短，骑车过马路很危险",
    "公司拖欠上个月工资，找不到负责人",
    "希望驿站增设饮水机和休息座椅",
]


@dataclass
class Response:
    status: int
    headers: dict[str, str]  # lower-case names
    cookies: dict[str, str]
    body: bytes


class _ServerClosed(ConnectionError):
    """The server closed a kept-alive connection before answering (the request never ran)."""


class HttpConnection:
    """One HTTP/1.1 connection to the bench server, reopened whenever the server closes it.

    A few lines of socket code instead of ``http.client``: the clients share the machine's cores
    with the server, and every microsecond they spend parsing is taken from it.
    """

    def __init__(self, port: int, *, timeout: float = REQUEST_TIMEOUT):
        self.port = port
        self.timeout = timeout
        self.sock: socket.socket | None = None

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def exchange(self, request: bytes) -> Response:
        reused = self.sock is not None
        if not reused:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        try:
            self.sock.sendall(request)
            response = self._read()
        except (_ServerClosed, BrokenPipeError, ConnectionResetError):
            self.close()
            if not reused:
                raise
            return self.exchange(request)  # the idle connection had gone; once, on a new one
        if response.headers.get("connection", "").lower() == "close":
            self.close()
        return response

    def _recv(self) -> bytes:
        return self.sock.recv(65536)

    def _read(self) -> Response:
        data = bytearray()
        while b"\r\n\r\n" not in data:
            chunk = self._recv()
            if not chunk:
                if data:
                    raise ConnectionError("connection closed in the middle of the response headers")
                raise _ServerClosed("connection closed before any response")
            data += chunk
        head, _, rest = bytes(data).partition(b"\r\n\r\n")
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers: dict[str, str] = {}
        cookies: dict[str, str] = {}
        for line in lines:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                cookie_name, _, cookie_value = value.split(";", 1)[0].partition("=")
                cookies[cookie_name.strip()] = cookie_value.strip()
            else:
                headers[name] = value
        body = bytearray(rest)
        if "content-length" in headers:
            length = int(headers["content-length"])
            while len(body) < length:
                chunk = self._recv()
                if not chunk:
                    raise ConnectionError("connection closed in the middle of the response body")
                body += chunk
        elif headers.get("transfer-encoding"):
            # Django sets Content-Length on every non-streaming response (CommonMiddleware), and
            # none of the measured views streams.
            raise ConnectionError(f"unexpected Transfer-Encoding: {headers['transfer-encoding']}")
        else:
            while chunk := self._recv():
                body += chunk
            headers["connection"] = "close"
        return Response(status=int(status_line.split(" ", 2)[1]), headers=headers, cookies=cookies, body=bytes(body))


def http_request(method: str, path: str, port: int, *, headers: Sequence[str] = (), body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", *headers]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii") + body


# --- the server ---------------------------------------------------------------------------------


@dataclass
class Server:
    port: int
    pid: int  # gunicorn's master; also its process group
    log: Path


def database_url() -> str:
    """DATABASE_URL of the database this process uses (under pytest, the test database)."""
    if connection.vendor != "postgresql":
        raise RuntimeError("the intake benchmark runs the portal on PostgreSQL only")
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = quote(s["HOST"] or "", safe="")  # a socket directory is percent-encoded
    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgres://{auth}@{host}{port}/{quote(s['NAME'], safe='')}"


def server_env(*, cache_prefix: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.bench.server_settings",
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
    """gunicorn serving ``portal.bench.wsgi`` on a free loopback port, stopped on exit.

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
                        "portal.bench.wsgi:application",
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


# --- the clients --------------------------------------------------------------------------------


class Client(ABC):
    """One simulated user agent: its own connection and cookies."""

    def __init__(self, port: int, index: int):
        self.port = port
        self.index = index
        self.conn = HttpConnection(port)
        self.cookies: dict[str, str] = {}

    @abstractmethod
    def prepare(self) -> None:
        """What a real client does once before its first measured request."""

    @abstractmethod
    def next_request(self) -> bytes: ...

    @abstractmethod
    def received(self, response: Response) -> bool:
        """Take in an answer (its cookies, say); whether it is the one the real flow expects."""

    def cookie_header(self) -> list[str]:
        if not self.cookies:
            return []
        return ["Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items())]


class MinimalClient(Client):
    """Cookie-less GETs of the minimal view: nothing there may touch the database."""

    def prepare(self) -> None:
        """Nothing to fetch first."""

    def next_request(self) -> bytes:
        return http_request("GET", MINIMAL_PATH, self.port)

    def received(self, response: Response) -> bool:
        return response.status == 200 and response.body == b"ok"


@dataclass
class IntakeData:
    """What the intake clients submit: real stations and categories, and a marker in every text."""

    marker: str
    stations: list[str]
    category_pks: list[int]
    category_codes: list[str]

    @classmethod
    def load(cls, marker: str) -> IntakeData:
        codes = list(Station.objects.filter(status=Station.Status.OPEN).order_by("code").values_list("code", flat=True))
        if not codes:
            raise RuntimeError("no open station to scan: the intake benchmark needs generated data")
        step = max(1, len(codes) // STATIONS)
        categories = list(
            Category.objects.filter(is_active=True).order_by("sort_order", "id").values_list("pk", "code")
        )
        return cls(
            marker=marker,
            stations=codes[::step][:STATIONS],
            category_pks=[pk for pk, _ in categories],
            category_codes=[code for _, code in categories],
        )


class IntakeClient(Client):
    def __init__(self, port: int, index: int, data: IntakeData):
        super().__init__(port, index)
        self.data = data
        self.sent = 0

    def _case(self) -> tuple[str, str, str, int]:
        """Station code, text, phone and a rotation index of the next case: all differ per case, so
        neither the per-phone limit's counters nor triage's duplicate check see one case twice."""
        n, self.sent = self.sent, self.sent + 1
        station = self.data.stations[(self.index + n) % len(self.data.stations)]
        text = f"{self.data.marker} {TEXTS[(self.index + n) % len(TEXTS)]}（{self.index}-{n}）"
        phone = f"139{(self.index * 1_000_000 + n) % 10**8:08d}"
        return station, text, phone, n


class FormClient(IntakeClient):
    """A phone that scanned a station's QR code: gets the form once (CSRF cookie and token), then
    posts it as a browser does (multipart, Origin and Referer, the session cookie it was given)."""

    TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')

    def __init__(self, port: int, index: int, data: IntakeData):
        super().__init__(port, index, data)
        self.token = ""
        self.boundary = f"----portalbench{secrets.token_hex(8)}"
        self.done_path = reverse("grievances:submitted")

    def _path(self, station: str) -> str:
        return reverse("grievances:station-new", kwargs={"code": station})

    def prepare(self) -> None:
        path = self._path(self.data.stations[self.index % len(self.data.stations)])
        response = self.conn.exchange(http_request("GET", path, self.port))
        self.cookies.update(response.cookies)
        match = self.TOKEN.search(response.body)
        if response.status != 200 or match is None or settings.CSRF_COOKIE_NAME not in self.cookies:
            raise RuntimeError(f"the intake form {path} answered {response.status} without a CSRF token")
        self.token = match.group(1).decode("ascii")

    def next_request(self) -> bytes:
        station, text, phone, n = self._case()
        categories = ["", *map(str, self.data.category_pks)]
        fields = {
            "csrfmiddlewaretoken": self.token,
            "category": categories[n % len(categories)],
            "text": text,
            "contact_name": "基准测试",
            "contact_phone": phone,
        }
        b = self.boundary
        parts = [f'--{b}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields.items()]
        # An empty file input, as a browser sends it when no photo is chosen.
        parts.append(
            f'--{b}\r\nContent-Disposition: form-data; name="photos"; filename=""\r\n'
            "Content-Type: application/octet-stream\r\n\r\n\r\n"
        )
        parts.append(f"--{b}--\r\n")
        origin = f"http://127.0.0.1:{self.port}"
        path = self._path(station)
        return http_request(
            "POST",
            path,
            self.port,
            headers=[
                f"Content-Type: multipart/form-data; boundary={b}",
                f"Origin: {origin}",
                f"Referer: {origin}{path}",
                *self.cookie_header(),
            ],
            body="".join(parts).encode("utf-8"),
        )

    def received(self, response: Response) -> bool:
        self.cookies.update(response.cookies)
        return response.status == 302 and response.headers.get("location", "").endswith(self.done_path)


class ApiClient(IntakeClient):
    """An app posting JSON to the public intake API (no login, no CSRF, no session)."""

    def __init__(self, port: int, index: int, data: IntakeData):
        super().__init__(port, index, data)
        self.path = reverse("grievance-intake")

    def prepare(self) -> None:
        """Nothing to fetch first."""

    def next_request(self) -> bytes:
        station, text, phone, n = self._case()
        payload = {"station": station, "text": text, "contact_phone": phone, "contact_name": "基准测试"}
        categories = [None, *self.data.category_codes]
        if categories[n % len(categories)]:
            payload["category"] = categories[n % len(categories)]
        return http_request(
            "POST",
            self.path,
            self.port,
            headers=["Content-Type: application/json"],
            body=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        )

    def received(self, response: Response) -> bool:
        return response.status == 201


# --- the load -----------------------------------------------------------------------------------


@dataclass
class Load:
    seconds: float
    latencies: list[float] = field(default_factory=list)  # of the accepted requests, seconds
    errors: Counter = field(default_factory=Counter)  # "HTTP 500", "ConnectionResetError", …
    samples: list[str] = field(default_factory=list)  # the first few error bodies

    def merge(self, other: Load) -> None:
        """Add ``other``'s answers (not its seconds: parallel clients share one window)."""
        self.latencies += other.latencies
        self.errors += other.errors
        self.samples += other.samples[: max(0, 3 - len(self.samples))]

    @property
    def ok(self) -> int:
        return len(self.latencies)

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    @property
    def p95_ms(self) -> float:
        return Stats(samples=self.latencies).p95_ms


def drive(clients: list[Client], seconds: float) -> Load:
    """Every client in its own thread sends requests back to back for ``seconds``.

    Only answers that arrive within the window count, over exactly its length: the window opens
    with every client sending at once (the server is busy from the first instant) and the tail
    after it, while the slowest clients finish and the server runs half-empty, counts nowhere.
    """
    barrier = threading.Barrier(len(clients) + 1)
    parts: list[Load] = [Load(seconds=seconds) for _ in clients]
    failures: list[Exception] = []

    def run(client: Client, part: Load) -> None:
        try:
            barrier.wait()
            deadline = time.perf_counter() + seconds
            while time.perf_counter() < deadline:
                request = client.next_request()
                started = time.perf_counter()
                try:
                    response = client.conn.exchange(request)
                except OSError as exc:
                    client.conn.close()
                    error, response = type(exc).__name__, None
                finished = time.perf_counter()
                if response is not None:
                    # Always, even past the deadline: the form client keeps the session cookie.
                    accepted = client.received(response)
                    error = None if accepted else f"HTTP {response.status}"
                if finished > deadline:
                    break
                if error is None:
                    part.latencies.append(finished - started)
                    continue
                part.errors[error] += 1
                if response is not None and len(part.samples) < 3:
                    part.samples.append(response.body[:300].decode("utf-8", errors="replace"))
        except Exception as exc:  # re-raised in the calling thread
            failures.append(exc)
            with suppress(threading.BrokenBarrierError):
                barrier.abort()

    threads = [threading.Thread(target=run, args=(c, p), daemon=True) for c, p in zip(clients, parts, strict=True)]
    for thread in threads:
        thread.start()
    with suppress(threading.BrokenBarrierError):
        barrier.wait()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    total = Load(seconds=seconds)
    for part in parts:
        total.merge(part)
    return total


def measure(groups: dict[str, list[Client]], *, warmup: float, seconds: float) -> dict[str, Load]:
    """``seconds`` of load for each group of clients, taken in turns of about ``SLICE`` seconds.

    Turns rather than one stretch each: on a machine shared with other work, a neighbour that
    gets busy halfway slows every group a little instead of only the last one, and the ratio to
    the baseline stays meaningful.
    """
    for clients in groups.values():
        for client in clients:
            client.prepare()
        drive(clients, warmup)  # worker-local caches, DB connections, templates: not counted
    turns = max(1, round(seconds / SLICE))
    loads = {name: Load(seconds=0.0) for name in groups}
    for _ in range(turns):
        for name, clients in groups.items():
            part = drive(clients, seconds / turns)
            loads[name].merge(part)
            loads[name].seconds += part.seconds
    for name, load in loads.items():
        if not load.ok:
            raise RuntimeError(f"no {name} request succeeded: {dict(load.errors)} {load.samples}")
    return loads


# --- the case -----------------------------------------------------------------------------------


def intake_cases(
    ctx: Context, *, seconds: float | None = None, clients: int = CLIENTS, workers: int = WORKERS
) -> list[Throughput]:
    """Intake throughput of the QR-code form and of the public API, each beside the minimal view.

    ``seconds`` of load per door and for the baseline default to 10 (3 for the small profile),
    each preceded by an uncounted warm-up of a third of that, at most 2 s.
    """
    if seconds is None:
        seconds = 3.0 if ctx.profile == "small" else 10.0
    warmup = min(2.0, seconds / 3)
    marker = f"bench-intake-{secrets.token_hex(4)}"
    data = IntakeData.load(marker)
    last_pk = Grievance.objects.aggregate(last=Max("pk"))["last"] or 0
    load_avg = round(os.getloadavg()[0], 2)
    form_clients: list[FormClient] = []
    try:
        with bench_server(workers=workers) as server:
            form_clients += [FormClient(server.port, i, data) for i in range(clients)]
            loads = measure(
                {
                    "minimal": [MinimalClient(server.port, i) for i in range(clients)],
                    "form": form_clients,
                    "api": [ApiClient(server.port, i, data) for i in range(clients)],
                },
                warmup=warmup,
                seconds=seconds,
            )
    finally:
        sessions = [c.cookies.get(settings.SESSION_COOKIE_NAME) for c in form_clients]
        delete_created(marker=marker, after_pk=last_pk, session_keys=[key for key in sessions if key])
    minimal = loads["minimal"]
    server_note = (
        f"gunicorn {workers} 个 sync worker（同 Dockerfile，DEBUG 关，持久数据库连接），"
        f"{clients} 个并发客户端在本机回环（与服务器共用 {os.cpu_count()} 核），各测 {seconds:g} s（与基准轮流进行）；"
        "基准为同一服务器上不访问数据库的最小视图；限流与防刷上限调到不可达（计数照做）"
    )

    def row(name: str, how: str, load: Load) -> Throughput:
        errors = f"；错误 {load.error_count} 次：{dict(load.errors)}" if load.error_count else ""
        return Throughput(
            name=name,
            rate=load.rate,
            baseline=minimal.rate,
            unit="req/s",
            note=f"{how}；{server_note}{errors}",
            extra={
                "errors": load.error_count,
                "clients": clients,
                "workers": workers,
                "seconds": round(load.seconds, 1),
                "requests": load.ok,
                "p95_ms": round(load.p95_ms, 1),
                "baseline_p95_ms": round(minimal.p95_ms, 1),
                "baseline_errors": minimal.error_count,
                # The machine is shared: a busy neighbour shows here before it shows in the rate.
                "load_avg_1m": load_avg,
            },
        )

    return [
        row("申诉受理吞吐（公开入口）", "扫码表单 POST（CSRF、会话、multipart），302 到受理页才算成功", loads["form"]),
        row("申诉受理吞吐（公开 API）", "POST /api/v1/grievances/intake/（JSON），201 才算成功", loads["api"]),
    ]


def delete_created(*, marker: str, after_pk: int, session_keys: list[str]) -> int:
    """Remove what the run left: its cases (with their events and audit-log entries), the
    clients' sessions and the triage tasks queued for the cases. Returns the number of cases."""
    from portal.celery import app

    with app.connection_for_write() as broker:
        broker.default_channel.queue_purge(server_settings.CELERY_TASK_DEFAULT_QUEUE)
    ids = list(
        Grievance.objects.filter(pk__gt=after_pk, text__startswith=marker).order_by("pk").values_list("pk", flat=True)
    )
    content_type = ContentType.objects.get_for_model(Grievance)
    for start in range(0, len(ids), DELETE_BATCH):
        batch = ids[start : start + DELETE_BATCH]
        # The deletion is the benchmark tidying up, not an edit anyone should find in the log.
        with transaction.atomic(), disable_auditlog():
            Grievance.objects.filter(pk__in=batch).delete()
            LogEntry.objects.filter(content_type=content_type, object_id__in=batch).delete()
    Session.objects.filter(session_key__in=session_keys).delete()
    return len(ids)
