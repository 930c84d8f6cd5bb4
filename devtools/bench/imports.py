"""The import case of `make bench`: a generated units workbook through the whole 双线摸排 pipeline
(取数 → 比对 → 筛核 → 分解 → apply), beside the same file through a plain django-import-export
``ModelResource``, both measured in the same run against the same database.

Each import runs in a fresh Python process (``python -c`` that sets Django up and calls one
function of this module), so its peak memory is its own: the child reports ``VmHWM`` from
``/proc/self/status``. Neither ``tracemalloc`` (blind to native allocations: the XML parser's,
calamine's, psycopg's) nor the parent's ``RUSAGE_CHILDREN`` (Linux carries the pre-``exec`` RSS of the
forked parent into the child's ``ru_maxrss``) measures that honestly. The child times the import
itself, so interpreter and Django start-up are not charged to either side.

The workbook's credit codes all carry "A" as the first character of the organisation code, which
the scale generator (digits only) never produces, so every unit a run creates is found again by
that prefix and deleted; batches, staged rows, tasks, lineage and the baseline's audit entries go
too, and the database is left as it was found.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from import_export import fields, resources, widgets

from core.text import clean_text
from devtools.bench import import_floor
from devtools.bench.harness import Throughput, database_url
from devtools.bench.import_floor import FLOOR_READERS, cpu_extra, cpu_note, with_cpu
from organizations.models import Territory, Unit
from organizations.validators import normalize_credit_code
from surveys.fixtures import credit_code, make_units_workbook
from surveys.models import ImportBatch, Lineage, StagedRow, VerificationTask

# Rows of the two workbooks per profile: memory is compared between them, speed taken at the first.
SIZES = {"small": (2_000, 6_000), "city": (100_000, 300_000), "megacity": (100_000, 300_000)}
# The plain import ran at 160–250 rows/s on the 2-core bench machine: 7–10 minutes for the 100k
# file, on top of the pipeline's runs. Past this many rows it gets the first rows of the same
# workbook (same seed, same codes) instead, its rate is those rows over its own time, and the note
# says so with the whole file's time at that rate. Its cost per row does not fall with size (one
# lookup, one save and one audit entry per row, and a result kept per row), so the slice does not
# flatter the pipeline.
BASELINE_MAX_ROWS = 20_000
SOURCE = "make bench"
# 31**8 is the weight of the first of the nine organisation-code characters: 10 makes it "A".
SEQ_START = 10 * 31**8
CODE_PREFIX = credit_code(SEQ_START)[:9]  # "91320104A"
CHILD_TIMEOUT = 3_600

_CHILD_BOOT = (
    "import os, sys, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'portal.settings'); django.setup(); "
    "from devtools.bench.imports import child_main; child_main(sys.argv[1:])"
)


# --- the plain django-import-export import (the baseline) -------------------------------------


class _ChoiceWidget(widgets.Widget):
    """A choice by its code or its Chinese label ("餐饮住宿" or "catering")."""

    def __init__(self, choices, *, default: str = ""):
        super().__init__()
        self.choices = [(str(v), str(label)) for v, label in choices]
        self.default = default

    def clean(self, value, row=None, **kwargs):
        text = clean_text(value)
        if not text:
            return self.default
        for code, label in self.choices:
            if text in (code, label):
                return code
        raise ValueError(f"“{text}”不是可选值")


class _StreetWidget(widgets.ForeignKeyWidget):
    """A street by its name (community and grid names could repeat a street's)."""

    def get_queryset(self, value, row, *args, **kwargs):
        return Territory.objects.filter(level=Territory.Level.STREET)


class SurveyUnitResource(resources.ModelResource):
    """What a developer writes to load this workbook with django-import-export: the file's headers
    mapped to ``Unit`` fields with stock widgets (and the project's choice widget for labels), and
    the least cleaning that lets the quirky cells through — codes trimmed and upper-cased, "12人"
    read as 12. Everything else is the library's default path: one lookup per row by credit code,
    one per street, ``save()`` per row (with its auditlog entry, as any ``Unit`` save here has)."""

    credit_code = fields.Field(attribute="credit_code", column_name="信用代码")
    name = fields.Field(attribute="name", column_name="企业名称")
    territory = fields.Field(attribute="territory", column_name="街道", widget=_StreetWidget(Territory, field="name"))
    industry = fields.Field(
        attribute="industry", column_name="行业", widget=_ChoiceWidget(Unit.Industry.choices, default="other")
    )
    employee_count = fields.Field(attribute="employee_count", column_name="从业人数", widget=widgets.IntegerWidget())
    new_employment_worker_count = fields.Field(
        attribute="new_employment_worker_count", column_name="新就业群体人数", widget=widgets.IntegerWidget()
    )
    address = fields.Field(attribute="address", column_name="单位地址")
    legal_representative = fields.Field(attribute="legal_representative", column_name="法人")

    class Meta:
        model = Unit
        import_id_fields = ["credit_code"]
        fields = [
            "credit_code",
            "name",
            "territory",
            "industry",
            "employee_count",
            "new_employment_worker_count",
            "address",
            "legal_representative",
        ]

    def init_instance(self, row=None):
        return Unit(kind=Unit.Kind.ENTERPRISE)

    def before_import_row(self, row, **kwargs):
        row["信用代码"] = normalize_credit_code(row["信用代码"])
        row["企业名称"] = clean_text(row["企业名称"])
        for column in ("从业人数", "新就业群体人数"):
            if isinstance(row[column], str):
                row[column] = row[column].strip().removesuffix("人")


def _baseline(path: Path, header_row: int) -> dict:
    import tablib

    started = time.perf_counter()
    with open(path, "rb") as fh:
        loaded = tablib.Dataset().load(fh, format="xlsx", skip_lines=header_row - 1)
    # The totals row and the blank rows under the table have no credit code: not data.
    code = loaded.headers.index("信用代码")
    dataset = tablib.Dataset(*(row for row in loaded if row[code] not in (None, "")), headers=loaded.headers)
    result = SurveyUnitResource().import_data(dataset, dry_run=False)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": len(dataset), **{f"totals_{k}": v for k, v in result.totals.items()}}


# --- the readers: the survey reader beside the two libraries ---------------------------------

# What reading the sheet costs with each candidate, alone (no header search, no checks): every
# row's cell values materialised, as the pipeline's first step needs them.
READERS = ("surveys", "calamine", "openpyxl")


def _filled(cells) -> bool:
    return any(cell not in (None, "") for cell in cells)


def _read_all(reader: str, path: Path) -> int:
    """Rows with at least one value: each reader pads or drops blank rows its own way."""
    rows = 0
    if reader == "surveys":  # the bounded streaming reader the survey uploads go through
        from surveys.readers import open_table

        for _number, cells in open_table(path).rows():
            rows += _filled(cells)
    elif reader == "calamine":  # loads the whole sheet (Rust), then hands rows over
        from python_calamine import CalamineWorkbook

        for cells in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows():
            rows += _filled(cells)
    else:  # openpyxl's read-only (streaming) mode
        from openpyxl import load_workbook

        workbook = load_workbook(path, read_only=True, data_only=True)
        for cells in workbook.worksheets[0].iter_rows(values_only=True):
            rows += _filled(cells)
        workbook.close()
    return rows


def _reader(reader: str, path: Path) -> dict:
    started = time.perf_counter()
    rows = _read_all(reader, path)
    return {"seconds": time.perf_counter() - started, "rows": rows}


def reader_cases(small: Path, large: Path, file_rows: tuple[int, int]) -> list[Throughput]:
    """Each reader in its own child, on both workbooks: rows/s on the first (ratio to the survey
    reader's), and peak memory at both sizes (flat or growing with the file)."""
    runs = {
        (reader, size): _run_child(["reader", reader, str(path)], small.parent)
        for reader in READERS
        for size, path in zip(file_rows, (small, large), strict=True)
    }
    first, second = file_rows
    ours = runs[("surveys", first)]
    ours_rate = ours["rows"] / ours["seconds"]
    results = []
    for reader in READERS:
        one, two = runs[(reader, first)], runs[(reader, second)]
        growth = two["peak_mb"] / one["peak_mb"]
        results.append(
            Throughput(
                name=f"读表 {reader} {_label(first)}行（对 surveys 流式读取器）",
                rate=one["rows"] / one["seconds"],
                baseline=ours_rate,
                unit="rows/s",
                note=(
                    f"同一工作簿只读不处理；峰值内存 {_label(first)}行 {one['peak_mb']:.0f} MB、"
                    f"{_label(second)}行 {two['peak_mb']:.0f} MB（×{growth:.2f}）；"
                    f"{_label(second)}行 {two['seconds']:.1f}s"
                ),
                extra={
                    "reader": reader,
                    "rows": one["rows"],
                    "seconds": round(one["seconds"], 2),
                    f"seconds_{_label(second)}": round(two["seconds"], 2),
                    f"peak_mb_{_label(first)}": round(one["peak_mb"], 1),
                    f"peak_mb_{_label(second)}": round(two["peak_mb"], 1),
                    "peak_growth": round(growth, 2),
                },
            )
        )
    return results


# --- the pipeline -----------------------------------------------------------------------------


def _pipeline(path: Path) -> dict:
    from surveys.services import ApplyMode, import_file

    started = time.perf_counter()
    _outcome, report = import_file(kind="units", path=path, source=SOURCE, apply=ApplyMode.CLEAN)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        **{k: report[k] for k in ("batch", "rows", "created", "updated", "status")},
        "errors": len(report["errors"]),
        "duplicates": len(report["duplicates"]),
    }


# --- child processes --------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    """The high-water resident set of this process since its ``exec``."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def child_main(argv: list[str]) -> None:
    """Entry point of a child process: ``pipeline PATH``, ``baseline PATH HEADER_ROW``,
    ``floor PATH HEADER_ROW [READER]`` or ``reader NAME PATH``."""
    mode, path = argv[0], Path(argv[-1] if argv[0] == "reader" else argv[1])
    if mode == "reader":
        result = _reader(argv[1], path)
    elif mode == "pipeline":
        result = with_cpu(_pipeline, path)
    elif mode == "floor":
        result = with_cpu(import_floor.floor, path, int(argv[2]), argv[3] if len(argv) > 3 else "calamine")
    else:
        result = _baseline(path, int(argv[2]))
    result["peak_mb"] = _peak_rss_mb()
    sys.stdout.write("\n" + json.dumps(result) + "\n")


def _run_child(args: list[str], media_root: Path) -> dict:
    # DEBUG off as in production (and as `bench` sets it): on, Django keeps the last 9,000 SQL
    # statements of the process, which shows up as memory that grows with the file.
    env = {**os.environ, "DATABASE_URL": database_url(), "MEDIA_ROOT": str(media_root), "DEBUG": "false"}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD_BOOT, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"import child {args[0]} failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- clean-up ---------------------------------------------------------------------------------


def scale_places() -> list[tuple[str, str]]:
    """(district name, street name) of every street, as a department would write them."""
    steplen = Territory.steplen
    districts = dict(Territory.objects.filter(level=Territory.Level.DISTRICT).values_list("path", "name"))
    streets = Territory.objects.filter(level=Territory.Level.STREET).order_by("path").values_list("path", "name")
    places = [(districts[path[: 2 * steplen]], name) for path, name in streets if path[: 2 * steplen] in districts]
    if not places:
        raise RuntimeError("no streets: generate a scale profile first")
    return places


def bench_units():
    return Unit.objects.filter(credit_code__startswith=CODE_PREFIX)


def cleanup(audit_mark: int) -> None:
    """Delete what the runs created. Raw DELETEs: an ORM delete of units would write an audit entry
    per unit, and one of batches would load every staged row to cascade."""
    batches = list(ImportBatch.objects.filter(source=SOURCE, created_by__isnull=True).values_list("pk", flat=True))
    # Unit saves of the baseline and the batches' status changes are audited.
    audited = [ContentType.objects.get_for_model(model).pk for model in (Unit, ImportBatch)]
    q = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        if batches:
            for model in (Lineage, VerificationTask, StagedRow):
                cursor.execute(f"DELETE FROM {q(model._meta.db_table)} WHERE batch_id = ANY(%s)", [batches])
            cursor.execute(f"DELETE FROM {q(ImportBatch._meta.db_table)} WHERE id = ANY(%s)", [batches])
        cursor.execute(
            f"DELETE FROM {q(LogEntry._meta.db_table)} WHERE id > %s AND content_type_id = ANY(%s)",
            [audit_mark, audited],
        )
        cursor.execute(f"DELETE FROM {q(Unit._meta.db_table)} WHERE credit_code LIKE %s", [CODE_PREFIX + "%"])


# --- the case ---------------------------------------------------------------------------------


def _label(rows: int) -> str:
    return f"{rows // 1000}k" if rows % 1000 == 0 else str(rows)


@dataclass
class _Run:
    rows: int
    expected: int  # rows the pipeline must create: all but bad checksums and in-file duplicates
    result: dict

    @property
    def rate(self) -> float:
        return self.rows / self.result["seconds"]


def import_cases(ctx) -> list[Throughput]:
    small, large = SIZES.get(ctx.profile, SIZES["city"])
    places = scale_places()
    # Clean-up deletes by code prefix and batch source: refuse to start where that would take
    # away rows this run did not make.
    if bench_units().exists() or ImportBatch.objects.filter(source=SOURCE, created_by__isnull=True).exists():
        raise RuntimeError(f"units with codes {CODE_PREFIX}… or “{SOURCE}” batches exist already")
    audit_mark = LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    runs: dict[int, _Run] = {}
    with tempfile.TemporaryDirectory(prefix="bench-imports-") as tmp:
        folder = Path(tmp)
        media = folder / "media"
        try:
            info = make_units_workbook(folder / f"units-{small}.xlsx", small, places=places, start_seq=SEQ_START)
            runs[small] = _pipeline_run(info, small, media)
            # A department's real file mostly re-reports units on record: the same size, its
            # first 30% the last 30% of the units just created, the rest new.
            overlap = small * 3 // 10
            mixed_info = make_units_workbook(
                folder / f"units-mixed-{small}.xlsx", small, places=places, start_seq=SEQ_START + small - overlap
            )
            mixed = _run_child(["pipeline", str(mixed_info.path)], media)
            mixed["status"] = ImportBatch.objects.get(pk=mixed["batch"]).status
            if mixed["status"] != ImportBatch.Status.APPLIED:
                raise RuntimeError(f"pipeline on the mixed file: {mixed}")
            cleanup(audit_mark)
            floors = {
                reader: _run_child(["floor", str(info.path), str(info.header_row), reader], media)
                for reader in FLOOR_READERS
            }
            large_info = make_units_workbook(folder / f"units-{large}.xlsx", large, places=places, start_seq=SEQ_START)
            runs[large] = _pipeline_run(large_info, large, media)
            cleanup(audit_mark)
            readers = reader_cases(info.path, large_info.path, (small, large))
            large_info.path.unlink()
            # The same seed and codes: a shorter workbook is the first rows of the longer one.
            baseline_rows = min(small, BASELINE_MAX_ROWS)
            path = folder / f"units-{baseline_rows}.xlsx"
            if baseline_rows < small:
                make_units_workbook(path, baseline_rows, places=places, start_seq=SEQ_START)
            baseline = _run_child(["baseline", str(path), str(info.header_row)], media)
            # An error row makes import_data roll the whole import back: count what really landed.
            baseline["units_written"] = bench_units().count()
            if baseline["totals_error"] or not baseline["units_written"]:
                raise RuntimeError(f"baseline import failed: {baseline}")
        finally:
            cleanup(audit_mark)
    mixed_run = _Run(small, 0, mixed)
    return (
        _results(runs[small], runs[large], baseline, small)
        + _floor_results(runs[small], mixed_run, floors, overlap, baseline["rows"] / baseline["seconds"])
        + readers
    )


def _pipeline_run(info, rows: int, media: Path) -> _Run:
    result = _run_child(["pipeline", str(info.path)], media)
    run = _Run(rows, rows - len(info.bad_checksum_rows) - len(info.duplicate_rows), result)
    result["status"] = ImportBatch.objects.get(pk=result["batch"]).status
    if result["status"] != ImportBatch.Status.APPLIED or result["created"] != run.expected:
        raise RuntimeError(f"pipeline at {rows} rows: {result}, expected {run.expected} created")
    return run


_FLOOR_LABELS = {
    "calamine": "python-calamine 读表（整表入内存）",
    "surveys": "项目流式读取器读表（内存不随文件增长，上传走此读取器）",
}


def _floor_results(new: _Run, mixed: _Run, floors: dict[str, dict], overlap: int, base_rate: float) -> list[Throughput]:
    rates = {reader: floor["rows"] / floor["seconds"] for reader, floor in floors.items()}
    goal = "目标：≥ 下限的 1/3（即 ≤3× 下限耗时）"
    results = [
        Throughput(
            name=f"导入 覆盖单位 {_label(new.rows)}行 对 解析+COPY 下限（{reader}）",
            rate=new.rate,
            baseline=rates[reader],
            unit="rows/s",
            note=(
                f"下限：{_FLOOR_LABELS[reader]}＋COPY 全部列（文本）入临时表，同一文件 {floor['seconds']:.1f}s；{goal}"
                + cpu_note(new.result, floor)
            ),
            extra={
                "reader": reader,
                "floor_rows": floor["rows"],
                "floor_seconds": round(floor["seconds"], 2),
                **cpu_extra(new.result, floor),
            },
        )
        for reader, floor in floors.items()
    ]
    floor_ratios = "、".join(f"{reader} {mixed.rate / rate:.2f}" for reader, rate in rates.items())
    results.append(
        Throughput(
            name=f"导入 覆盖单位 {_label(mixed.rows)}行（{_label(overlap)}行已在库＋其余新增）",
            rate=mixed.rate,
            baseline=base_rate,
            unit="rows/s",
            note=(
                f"已在库单位重复上报的现实文件；新增{mixed.result['created']}、更新{mixed.result['updated']}；"
                f"基线同上 ModelResource；对解析+COPY 下限 {floor_ratios}"
            ),
            extra={
                "rows": mixed.rows,
                "on_record": overlap,
                "created": mixed.result["created"],
                "updated": mixed.result["updated"],
                "seconds": round(mixed.result["seconds"], 2),
                **{f"floor_ratio_{reader}": round(mixed.rate / rate, 2) for reader, rate in rates.items()},
                "peak_mb": round(mixed.result["peak_mb"], 1),
            },
        )
    )
    return results


def _results(first: _Run, second: _Run, baseline: dict, file_rows: int) -> list[Throughput]:
    base_rate = baseline["rows"] / baseline["seconds"]
    sliced = baseline["rows"] < file_rows
    note = (
        f"{_label(first.rows)}行含标题行、全角/小写代码、“12人”、多种日期、约1%校验位错误、约0.5%文件内重复；"
        f"管道 {first.result['seconds']:.1f}s 新增{first.result['created']}；"
        f"基线 django-import-export ModelResource {baseline['seconds']:.1f}s "
        + (
            f"（同一文件的前{_label(baseline['rows'])}行：按此速率整份需约{file_rows / base_rate / 60:.0f}分钟）"
            if sliced
            else "（同一文件）"
        )
    )
    peak_small, peak_large = first.result["peak_mb"], second.result["peak_mb"]
    growth = peak_large / peak_small
    flat = growth <= 1.15
    memory_note = (
        f"峰值内存（子进程RSS）{_label(first.rows)}行 {peak_small:.0f} MB、{_label(second.rows)}行 "
        f"{peak_large:.0f} MB（×{growth:.2f}，{'基本持平' if flat else '随文件增大'}）"
    )
    peaks = {
        f"peak_mb_{_label(first.rows)}": round(peak_small, 1),
        f"peak_mb_{_label(second.rows)}": round(peak_large, 1),
    }
    return [
        Throughput(
            name=f"导入 覆盖单位 {_label(first.rows)}行（取数→比对→筛核→分解→应用）",
            rate=first.rate,
            baseline=base_rate,
            unit="rows/s",
            note=note,
            extra={
                "rows": first.rows,
                "created": first.result["created"],
                "seconds": round(first.result["seconds"], 2),
                "baseline_rows": baseline["rows"],
                "baseline_seconds": round(baseline["seconds"], 2),
                "baseline_units_written": baseline["units_written"],
                "baseline_peak_mb": round(baseline["peak_mb"], 1),
                **peaks,
            },
        ),
        Throughput(
            name=f"导入 覆盖单位 {_label(second.rows)}行（内存随文件大小）",
            rate=second.rate,
            baseline=None,
            unit="rows/s",
            note=memory_note,
            extra={
                "rows": second.rows,
                "created": second.result["created"],
                "seconds": round(second.result["seconds"], 2),
                **peaks,
                "peak_growth": round(growth, 2),
                "memory_flat": flat,
            },
        ),
    ]
