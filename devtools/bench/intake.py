"""Grievance intake throughput (申诉受理吞吐): requests per second the public intake takes in under
concurrent clients, beside two minimal Django views served by the same server to the same clients.

* The server is ``devtools.bench.server``: gunicorn shaped like the Dockerfile's, on loopback, with
  two minimal views at URLs only the bench server has (``devtools.bench.urls``): **the floor**, a
  view that makes the intake's INSERTs (the day's ticket from the same sequence, the case, its
  audit-log entry, its timeline event, the outbox rows) and the same publish after commit with no
  form, limit, lookup or template — the intake's goal is ≥0.7× of it — and a view that touches no
  database, kept as a second reference.
* ``CLIENTS`` client threads (``devtools.bench.load``) post intakes back to back: phones that scanned
  a station's QR code and submit its form, and apps posting to the public API; the same number of
  clients post to the floor and get the no-database view. Each group has an uncounted warm-up, then
  the four take turns.
* Only the answer the real flow expects counts: 302 to the done page for the form (a 200 is the
  form coming back with errors), 201 for the API and the floor, 200 "ok" for the no-database view.
  Everything else (another status, a dropped connection) is an error, reported beside the rate.
* The public intake refuses a client address after 10 cases an hour and a phone after 5 a day
  (``grievances.abuse``), and the API's public rate is 30 requests a minute: the bench server
  raises all three out of reach. Duplicate detection runs in the Celery triage after commit and
  only flags a case, so it refuses nothing here; texts, phones and stations vary anyway.
* The cases the run created carry a marker in their text and are deleted afterwards with their
  audit-log entries, their outbox rows, any client session and the triage tasks published for them.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Max
from django.urls import reverse

from core.models import OutboxMessage
from devtools.bench import server_settings
from devtools.bench.harness import Throughput
from devtools.bench.load import Client, Load, Response, http_request, measure
from devtools.bench.server import WORKERS, MinimalClient, bench_server
from devtools.bench.urls import FLOOR_PATH
from grievances.models import Category, Grievance
from stations.models import Station

if TYPE_CHECKING:  # cases.py imports this module
    from devtools.bench.cases import Context

CLIENTS = 16
STATIONS = 50  # the QR codes the clients scan, spread over the stations by code
DELETE_BATCH = 500

TEXTS = [
    "驿站门口的充电桩坏了，电动车没法充电，希望尽快修好",
    "小区保安不让外卖员进门，只能在门口等很久",
    "附近没有可以热饭的地方，中午吃饭很不方便",
    "路口红绿灯时间太短，骑车过马路很危险",
    "公司拖欠上个月工资，找不到负责人",
    "希望驿站增设饮水机和休息座椅",
]


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
    posts it as a browser does (multipart, Origin and Referer, the cookies it was given: the
    tickets cookie grows to its ten tickets as on a real phone)."""

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


class FloorClient(IntakeClient):
    """The floor: the same case's writes and publish through the bench-only minimal view."""

    def prepare(self) -> None:
        """Nothing to fetch first."""

    def next_request(self) -> bytes:
        station, text, phone, _n = self._case()
        body = urlencode({"station": station, "text": text, "phone": phone}).encode("ascii")
        return http_request(
            "POST",
            FLOOR_PATH,
            self.port,
            headers=["Content-Type: application/x-www-form-urlencoded"],
            body=body,
        )

    def received(self, response: Response) -> bool:
        return response.status == 201 and response.body.startswith(b"SQ")


# --- the case -----------------------------------------------------------------------------------


def intake_cases(
    ctx: Context, *, seconds: float | None = None, clients: int = CLIENTS, workers: int = WORKERS
) -> list[Throughput]:
    """Intake throughput of the QR-code form and of the public API, each beside the floor (the
    same INSERTs and publish in a minimal view: the ratio the goal is about) and beside the view
    that touches no database; and the floor's own row against the latter.

    ``seconds`` of load per door and for the baseline default to 10 (3 for the small profile;
    ``BENCH_INTAKE_SECONDS`` overrides),
    each preceded by an uncounted warm-up of a third of that, at most 2 s.
    """
    if seconds is None:
        # BENCH_INTAKE_SECONDS lengthens a small run: 3 s of a few dozen intakes per door is noisy
        # on a shared machine.
        seconds = float(os.environ.get("BENCH_INTAKE_SECONDS") or (3.0 if ctx.profile == "small" else 10.0))
    warmup = min(2.0, seconds / 3)
    marker = f"bench-intake-{secrets.token_hex(4)}"
    data = IntakeData.load(marker)
    last_pk = Grievance.objects.aggregate(last=Max("pk"))["last"] or 0
    last_outbox = OutboxMessage.objects.aggregate(last=Max("pk"))["last"] or 0
    load_avg = round(os.getloadavg()[0], 2)
    form_clients: list[FormClient] = []
    try:
        with bench_server(workers=workers) as server:
            form_clients += [FormClient(server.port, i, data) for i in range(clients)]
            loads = measure(
                {
                    "minimal": [MinimalClient(server.port, i) for i in range(clients)],
                    "floor": [FloorClient(server.port, i, data) for i in range(clients)],
                    "form": form_clients,
                    "api": [ApiClient(server.port, i, data) for i in range(clients)],
                },
                warmup=warmup,
                seconds=seconds,
            )
    finally:
        sessions = [c.cookies.get(settings.SESSION_COOKIE_NAME) for c in form_clients]
        delete_created(
            marker=marker,
            after_pk=last_pk,
            after_outbox_pk=last_outbox,
            session_keys=[key for key in sessions if key],
        )
    minimal, floor = loads["minimal"], loads["floor"]
    server_note = (
        f"gunicorn {workers} 个 sync worker（同 Dockerfile，DEBUG 关，持久数据库连接），"
        f"{clients} 个并发客户端在本机回环（与服务器共用 {os.cpu_count()} 核），各测 {seconds:g} s（与基准轮流进行）；"
        "限流与防刷上限调到不可达（计数照做）"
    )

    def row(name: str, how: str, load: Load, baseline: Load, baseline_name: str) -> Throughput:
        errors = f"；错误 {load.error_count} 次：{dict(load.errors)}" if load.error_count else ""
        nodb_ratio = round(load.rate / minimal.rate, 3) if minimal.rate else None
        return Throughput(
            name=name,
            rate=load.rate,
            baseline=baseline.rate,
            unit="req/s",
            note=(
                f"{how}；基准：{baseline_name}；对不访问数据库的最小视图（{minimal.rate:.1f} req/s）"
                f"为 {nodb_ratio}×；{server_note}{errors}"
            ),
            extra={
                "errors": load.error_count,
                "clients": clients,
                "workers": workers,
                "seconds": round(load.seconds, 1),
                "requests": load.ok,
                "p95_ms": round(load.p95_ms, 1),
                "baseline_p95_ms": round(baseline.p95_ms, 1),
                "baseline_errors": baseline.error_count,
                # The second reference: Django under the portal's middleware, no database.
                "nodb_rate": round(minimal.rate, 1),
                "nodb_errors": minimal.error_count,
                "ratio_vs_nodb": nodb_ratio,
                # The machine is shared: a busy neighbour shows here before it shows in the rate.
                "load_avg_1m": load_avg,
            },
        )

    floor_name = "同一服务器上只做受理的同样 INSERT 与同样发布的最小视图（目标 ≥0.7×）"
    return [
        row(
            "申诉受理吞吐（公开入口）",
            "扫码表单 POST（CSRF、multipart），302 到受理页才算成功",
            loads["form"],
            floor,
            floor_name,
        ),
        row(
            "申诉受理吞吐（公开 API）",
            "POST /api/v1/grievances/intake/（JSON），201 才算成功",
            loads["api"],
            floor,
            floor_name,
        ),
        row(
            "申诉受理 写入下限视图",
            "同样的 INSERT（取号、诉求、审计、办理记录、发件箱）与提交后发布，无表单、限流、模板",
            floor,
            minimal,
            "不访问数据库的最小视图",
        ),
    ]


def delete_created(*, marker: str, after_pk: int, session_keys: list[str], after_outbox_pk: int | None = None) -> int:
    """Remove what the run left: its cases (with their events and audit-log entries), the
    clients' sessions, the triage tasks queued for the cases and, given ``after_outbox_pk``, the
    outbox rows recorded since. Returns the number of cases."""
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
    if after_outbox_pk is not None:
        OutboxMessage.objects.filter(pk__gt=after_outbox_pk).delete()
    return len(ids)
