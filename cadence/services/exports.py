"""Excel exports of every list: small ones stream at once, big ones run in Celery as an
``ExportJob`` with progress and a download link. Rows are always read through the scope of the
user who asked (re-read when the job runs, so a post revoked meanwhile no longer counts)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from cadence.metrics import PROVIDERS, Column, Lens
from cadence.models import (
    AssessmentResult,
    ExportJob,
    KeyTask,
    RectificationItem,
    SecretaryProject,
    WeeklyReport,
)
from cadence.nodes import Node, node_visible
from core.excel import neutralize_formula
from core.queue import enqueue_on_commit
from organizations.scope import restrict, scope_for

PROGRESS_EVERY = 200
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")


def sync_limit() -> int:
    return settings.CADENCE_EXPORT_SYNC_LIMIT


@dataclass
class Dataset:
    title: str
    columns: list[Column]
    rows: Callable[[object], models.QuerySet]  # user -> scoped queryset


def _local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%d %H:%M") if dt else ""


STATIC_DATASETS: dict[str, Callable[[dict], Dataset]] = {
    "weekly_reports": lambda p: Dataset(
        "周例会报告",
        [
            Column("街道", lambda r: r.street.full_name),
            Column("周次", lambda r: r.week_label),
            Column("状态", lambda r: r.get_status_display()),
            Column("截止时间", lambda r: _local(r.due_at)),
            Column("提交时间", lambda r: _local(r.submitted_at)),
            Column("本周工作", lambda r: r.work_done),
            Column("存在问题", lambda r: r.problems),
            Column("需协调事项", lambda r: r.help_needed),
            Column("下周计划", lambda r: r.next_week_plan),
            Column("审阅意见", lambda r: r.review_comment),
        ],
        lambda user: restrict(WeeklyReport.objects.select_related("street"), user).order_by(
            "-iso_year", "-iso_week", "street__path"
        ),
    ),
    "key_tasks": lambda p: Dataset(
        "重点任务",
        PROVIDERS["key_tasks"].columns,
        lambda user: restrict(KeyTask.objects.select_related("plan", "lead_body"), user).order_by(
            "plan__year_start", "number"
        ),
    ),
    "rectification_items": lambda p: Dataset(
        "整改事项",
        [
            Column("清单", lambda i: i.rectification.title),
            Column("责任辖区", lambda i: i.rectification.territory.name),
            Column("序号", lambda i: i.number),
            Column("问题", lambda i: i.problem),
            Column("整改措施", lambda i: i.measure),
            Column("责任人/单位", lambda i: i.responsible),
            Column("时限", lambda i: i.due_date.isoformat() if i.due_date else ""),
            Column("状态", lambda i: i.get_status_display()),
            Column("销号说明", lambda i: i.closing_note),
        ],
        lambda user: restrict(RectificationItem.objects.select_related("rectification__territory"), user).order_by(
            "rectification_id", "number"
        ),
    ),
    "assessment_results": lambda p: Dataset(
        "覆盖质量考核结果",
        [
            Column("年度", lambda r: r.scheme.year),
            Column("区", lambda r: r.district.name),
            Column("得分", lambda r: float(r.score)),
            Column(
                "分项",
                lambda r: "；".join(f"{b['label']} {b['points']}/{b['weight']}" for b in r.breakdown),
            ),
        ],
        lambda user: restrict(AssessmentResult.objects.select_related("scheme", "district"), user).order_by(
            "-scheme__year", "-score"
        ),
    ),
    "secretary_projects": lambda p: Dataset(
        "书记项目",
        [
            Column("年度", lambda s: s.year),
            Column("项目", lambda s: s.title),
            Column("书记", lambda s: s.secretary),
            Column("党组织", lambda s: str(s.organization)),
            Column("属地", lambda s: s.territory.name),
            Column("状态", lambda s: s.get_status_display()),
            Column("验收意见", lambda s: s.acceptance_comment),
        ],
        lambda user: restrict(SecretaryProject.objects.select_related("organization", "territory"), user).order_by(
            "-year", "id"
        ),
    ),
}


def drill_dataset(params: dict) -> Dataset:
    prov = PROVIDERS.get(params.get("provider", ""))
    fig = prov.figure(params.get("figure", "")) if prov else None
    if fig is None or fig.drill is None:
        raise ValidationError("该数据项没有明细清单")
    node = Node.parse(params["node"]) if params.get("node") else None
    if params.get("node") and node is None:
        raise ValidationError(f"找不到节点 {params['node']}")

    def rows(user):
        if prov.perm and not user.has_perm(prov.perm):
            raise ValidationError("您没有查看该明细的权限")
        if node is not None and not node_visible(user, node):
            raise ValidationError("节点不在您的管辖范围内")
        return fig.drill(node.lens if node is not None else Lens(scope_for(user)))

    where = f"{node.label} · " if node else ""
    return Dataset(f"{where}{prov.label} · {fig.label}", prov.columns, rows)


def dataset(key: str, params: dict) -> Dataset:
    if key == "drill":
        return drill_dataset(params)
    if key not in STATIC_DATASETS:
        raise ValidationError(f"未知的导出数据集 {key}")
    return STATIC_DATASETS[key](params)


def write_workbook(
    *,
    title: str,
    columns: list[Column],
    rows: Iterable,
    subtitle: str = "",
    progress: Callable[[int], None] | None = None,
) -> bytes:
    """A write-only workbook as officials expect it: a title line, a subtitle (scope, time),
    a bold header and one row per record. Text cells are formula-neutralized."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31].replace("/", "-") or "Sheet1")
    for index in range(len(columns)):
        ws.column_dimensions[chr(ord("A") + min(index, 25))].width = 18
    cell = WriteOnlyCell(ws, value=title)
    cell.font = Font(size=14, bold=True)
    ws.append([cell])
    ws.append([subtitle or f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}"])
    header = []
    for column in columns:
        c = WriteOnlyCell(ws, value=column.header)
        c.font = Font(bold=True)
        c.fill = HEADER_FILL
        c.border = BORDER
        c.alignment = Alignment(horizontal="center")
        header.append(c)
    ws.append(header)
    for written, obj in enumerate(rows, start=1):
        ws.append([neutralize_formula(col.value(obj)) for col in columns])
        if progress and written % PROGRESS_EVERY == 0:
            progress(written)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def export_sync(*, user, key: str, params: dict) -> tuple[str, bytes] | None:
    """(filename, content) when the list is small enough to write now; ``None`` means start a job."""
    ds = dataset(key, params)
    rows = list(ds.rows(user)[: sync_limit() + 1])
    if len(rows) > sync_limit():
        return None
    return filename_for(ds.title), write_workbook(title=ds.title, columns=ds.columns, rows=rows)


def filename_for(title: str) -> str:
    safe = "".join(ch for ch in title if ch not in '\\/:*?"<>|').replace(" ", "")
    return f"{safe}-{timezone.localtime():%Y%m%d%H%M}.xlsx"


def export_job_start(*, owner, key: str, params: dict) -> ExportJob:
    ds = dataset(key, params)  # validates before anything is written
    job = ExportJob.objects.create(owner=owner, dataset=key, params=params, title=ds.title)
    enqueue_on_commit("cadence.export_job_run", job.pk)
    return job


def export_job_run(*, job_id: int) -> None:
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.PENDING).update(
        status=ExportJob.Status.RUNNING
    )
    if not claimed:
        return  # someone else runs it, or it already ran
    job = ExportJob.objects.select_related("owner").get(pk=job_id)
    user = get_user_model().objects.get(pk=job.owner_id)
    try:
        ds = dataset(job.dataset, job.params)
        queryset = ds.rows(user)
        total = queryset.count()
        ExportJob.objects.filter(pk=job.pk).update(total_rows=total)

        def progress(done: int) -> None:
            ExportJob.objects.filter(pk=job.pk).update(done_rows=done)

        content = write_workbook(
            title=ds.title,
            columns=ds.columns,
            rows=queryset.iterator(chunk_size=PROGRESS_EVERY),
            progress=progress,
        )
        job.refresh_from_db()
        job.file.save(filename_for(ds.title), ContentFile(content), save=False)
        job.status = ExportJob.Status.DONE
        job.done_rows = total
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "status", "done_rows", "finished_at"])
    except Exception as exc:
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
