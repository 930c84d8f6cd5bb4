"""The import bench's floor and its CPU accounting (see ``devtools.bench.imports``).

The floor is what loading a file costs at the least: a reader gives the sheet's rows and one COPY
writes them as text into a scratch table. Beside wall time each run of the floor and of the
pipeline reports the CPU its own process and its database server process spent: on the bench's
two cores, their sum halved is the least wall time the same work could take, however well the two
overlapped — the ratio to the floor no overlap of reading and writing can beat."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.db import connection, transaction

FLOOR_READERS = ("calamine", "surveys")


def _floor_rows(reader: str, path: Path):
    """The sheet's rows, each a list of cell values, as ``reader`` gives them."""
    if reader == "calamine":  # loads the whole sheet (Rust), then hands rows over
        from python_calamine import CalamineWorkbook

        return iter(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows())
    from surveys.readers import open_table  # the bounded streaming reader uploads go through

    return (cells for _number, cells in open_table(path).rows())


def floor(path: Path, header_row: int, reader: str = "calamine") -> dict:
    """What loading the file costs at the least: a reader gives the sheet's rows, and the data
    rows (every column, as text) go to a scratch table through one COPY. No checks, no lookups:
    the pipeline's ratio to this is what reading, checking and recording each row adds.

    Two readers: python-calamine, the fastest there is but whole-sheet in memory, and the
    project's own streaming reader, the one a bounded import can use (its memory stays flat)."""
    started = time.perf_counter()
    rows = _floor_rows(reader, path)
    header = []
    for _ in range(header_row):
        header = next(rows)
    width = len(header)
    columns = ", ".join(f"c{i} text" for i in range(width))
    copied = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMP TABLE bench_import_floor ({columns}) ON COMMIT DROP")
        with cursor.copy(f"COPY bench_import_floor ({', '.join(f'c{i}' for i in range(width))}) FROM STDIN") as copy:
            for cells in rows:
                if len(cells) < 3 or cells[2] in (None, ""):
                    continue  # the totals row and the blank rows have no credit code
                copy.write_row([None if c in (None, "") else str(c) for c in cells[:width]])
                copied += 1
    return {"seconds": time.perf_counter() - started, "rows": copied}


# --- CPU ---------------------------------------------------------------------------------------


def _backend_pid() -> int | None:
    """The process id of this connection's database server process (PostgreSQL), else None."""
    connection.ensure_connection()
    return connection.connection.info.backend_pid if connection.vendor == "postgresql" else None


def _server_cpu(pid: int | None) -> float | None:
    """CPU seconds database server process ``pid`` has used, when the server runs on this machine
    (``/proc`` of its backend); None elsewhere. Parallel workers a statement starts are processes
    of their own and not counted."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def with_cpu(measure, *args) -> dict:
    """``measure(*args)``'s result with the CPU seconds spent meanwhile by this process and by
    its database server process: on two cores, their sum halved is the least wall time the same
    work could take, however well the two overlapped."""
    backend = _backend_pid()
    server = _server_cpu(backend)
    started = time.process_time()
    result = measure(*args)
    result["cpu_s"] = time.process_time() - started
    # A run that reconnected has another server process: its CPU is not comparable.
    after = _server_cpu(backend) if _backend_pid() == backend else None
    result["server_cpu_s"] = after - server if server is not None and after is not None else None
    return result


def _two_core_bound(result: dict) -> float | None:
    """The least wall time of a run's work on two cores: its CPU and its database server's, halved."""
    if result.get("server_cpu_s") is None:
        return None
    return max((result["cpu_s"] + result["server_cpu_s"]) / 2, result["cpu_s"], result["server_cpu_s"])


def cpu_note(run: dict, floor_run: dict) -> str:
    bound = _two_core_bound(run)
    if bound is None:
        return ""
    return (
        f"；CPU：导入进程 {run['cpu_s']:.1f}s＋数据库 {run['server_cpu_s']:.1f}s（下限 {floor_run['cpu_s']:.1f}s＋"
        f"{floor_run['server_cpu_s']:.1f}s），两核上无论怎样并行也至少 {bound:.1f}s，"
        f"即下限的 {bound / floor_run['seconds']:.1f}×"
    )


def cpu_extra(run: dict, floor_run: dict) -> dict:
    bound = _two_core_bound(run)
    if bound is None:
        return {}
    return {
        "cpu_s": round(run["cpu_s"], 2),
        "server_cpu_s": round(run["server_cpu_s"], 2),
        "floor_cpu_s": round(floor_run["cpu_s"], 2),
        "floor_server_cpu_s": round(floor_run["server_cpu_s"], 2),
        "two_core_bound_s": round(bound, 2),
        "two_core_bound_ratio": round(bound / floor_run["seconds"], 2),
    }
