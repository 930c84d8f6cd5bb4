"""Timing primitives.

A case times what the server does for one request (Django's test client, in process: no
network, no browser) and, in the same run, its **SQL floor**: the essential query of that page
executed directly through the database cursor. The ratio page/floor says how much the portal
adds on top of the unavoidable database work.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext


@dataclass
class Stats:
    samples: list[float] = field(default_factory=list)

    @property
    def median_ms(self) -> float:
        return statistics.median(self.samples) * 1000 if self.samples else 0.0

    @property
    def p95_ms(self) -> float:
        if not self.samples:
            return 0.0
        ordered = sorted(self.samples)
        index = min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))
        return ordered[index] * 1000


def measure(fn: Callable[[], object], *, iterations: int, warmup: int = 2) -> Stats:
    for _ in range(warmup):
        fn()
    stats = Stats()
    for _ in range(iterations):
        started = time.perf_counter()
        fn()
        stats.samples.append(time.perf_counter() - started)
    return stats


def measure_pair(
    page: Callable[[], object], floor: Callable[[], object], *, iterations: int, warmup: int = 2
) -> tuple[Stats, Stats]:
    """Time ``page`` and its ``floor`` interleaved, one of each per round, alternating which goes
    first: on a shared machine a burst of someone else's load then falls on both sides alike
    instead of on whichever ran during it."""
    for _ in range(warmup):
        page()
        floor()
    page_stats, floor_stats = Stats(), Stats()
    for i in range(iterations):
        order = ((page, page_stats), (floor, floor_stats))
        for fn, stats in order if i % 2 == 0 else reversed(order):
            started = time.perf_counter()
            fn()
            stats.samples.append(time.perf_counter() - started)
    return page_stats, floor_stats


def run_sql(sql: str, params=None) -> Callable[[], list]:
    def floor():
        with connection.cursor() as cursor:
            # Captured SQL already has its parameters inlined; executing it without params
            # keeps psycopg from reading LIKE's % signs as placeholders.
            if params:
                cursor.execute(sql, params)
            else:
                cursor.execute(sql)
            return cursor.fetchall()

    return floor


def main_query_of(fn: Callable[[], object], table: str) -> str:
    """The SQL of the heaviest statement ``fn`` runs against ``table`` (its essential query).

    Captured from the real request so the floor is exactly what the page asked the database,
    minus everything Django does around it.
    """
    reset_queries()  # the query log is a bounded deque; a full one yields empty captures
    with CaptureQueriesContext(connection) as ctx:
        fn()
    candidates = [q for q in ctx.captured_queries if f'FROM "{table}"' in q["sql"] and "LIMIT" in q["sql"]]
    if not candidates:
        candidates = [q for q in ctx.captured_queries if f'"{table}"' in q["sql"]]
    if not candidates:
        raise RuntimeError(f"no query against {table} captured")
    return max(candidates, key=lambda q: float(q["time"]))["sql"]


@dataclass
class Result:
    name: str
    page: Stats
    floor: Stats | None
    queries: int
    note: str = ""
    # A second floor for reference (e.g. a dashboard's own statements replayed), in ms.
    replay_ms: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.floor is None or not self.floor.median_ms:
            return None
        return self.page.median_ms / self.floor.median_ms

    def as_dict(self) -> dict:
        return {
            "case": self.name,
            "median_ms": round(self.page.median_ms, 2),
            "p95_ms": round(self.page.p95_ms, 2),
            "floor_median_ms": round(self.floor.median_ms, 2) if self.floor else None,
            "floor_p95_ms": round(self.floor.p95_ms, 2) if self.floor else None,
            "ratio": round(self.ratio, 2) if self.ratio is not None else None,
            "queries": self.queries,
            "replay_floor_ms": round(self.replay_ms, 2) if self.replay_ms is not None else None,
            "note": self.note,
        }


@dataclass
class Throughput:
    """A rate (higher is better) beside the same rate of its baseline, measured in the same run:
    requests/s against a minimal view, rows/s against a plain django-import-export import,
    entries/s against the bare INSERTs."""

    name: str
    rate: float
    baseline: float | None
    unit: str
    note: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if not self.baseline:
            return None
        return self.rate / self.baseline

    def as_dict(self) -> dict:
        return {
            "case": self.name,
            "rate": round(self.rate, 1),
            "baseline_rate": round(self.baseline, 1) if self.baseline else None,
            "unit": self.unit,
            "ratio": round(self.ratio, 2) if self.ratio is not None else None,
            "note": self.note,
            **self.extra,
        }


def database_url() -> str:
    """DATABASE_URL of the database this process uses, for a child process (the bench server, an
    import) to write where this process reads; under pytest, the test database."""
    if connection.vendor != "postgresql":
        raise RuntimeError("the benchmarks run on PostgreSQL only")
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"], safe="")
    host = quote(s["HOST"] or "", safe="")  # a socket directory is percent-encoded
    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgres://{auth}@{host}{port}/{quote(s['NAME'], safe='')}"
