"""The one export path: a registry of exportable lists, and the service that writes them.

Each app registers its lists (``register``) from its own module; admin changelists are
exportable through ``core.admin_export`` and appear here as ``admin:<app>.<model>``. A list is
re-read through the scope of the user who asked, with the filters they were looking at:

* small lists (up to ``EXPORT_SYNC_LIMIT`` rows) are written at once and downloaded;
* bigger ones become an ``ExportJob`` row run by Celery, with progress and a download link.

The core floor knows no domain app: where a list sits in the hierarchy ("范围") is told by a
labeller the hierarchy app installs (``set_scope_labeller``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import models
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from core.excel import (
    CSV_CONTENT_TYPE,
    PROGRESS_EVERY,
    XLSX_CONTENT_TYPE,
    Column,
    Sheet,
    safe_filename,
    subtitle_for,
    write_csv,
    write_xlsx,
)
from core.models import ExportJob
from core.queue import enqueue_on_commit

FORMATS = ("xlsx", "csv")


@dataclass
class Export:
    """What one export writes: a title, the columns, and the rows (a queryset or a list)."""

    title: str
    columns: Sequence[Column]
    rows: object
    scope: str = ""

    def count(self, limit: int | None = None) -> int:
        """Rows to write; with ``limit``, counting stops just past it (a cheap "too many?")."""
        rows = self.rows
        if isinstance(rows, models.QuerySet):
            return rows[: limit + 1].count() if limit is not None else rows.count()
        if hasattr(rows, "__len__"):
            return len(rows)
        return rows.count()  # a lazy row source over a queryset

    def iterate(self):
        rows = self.rows
        if isinstance(rows, models.QuerySet):
            return rows.iterator(chunk_size=PROGRESS_EVERY)
        return iter(rows)


@dataclass
class ExportSource:
    """A registered list. ``build(user, params)`` checks permission (``PermissionDenied``) or the
    filters (``ValidationError``) and returns the ``Export`` the user is looking at."""

    key: str
    label: str
    build: Callable[[object, dict], Export]


_SOURCES: dict[str, ExportSource] = {}
_resolvers: list[Callable[[str], ExportSource | None]] = []
_scope_labeller: Callable[[object], str] = lambda user: ""  # noqa: E731 - replaced at startup


def register(key: str, label: str):
    """Decorator: ``@register("points.leaderboard", "积分排行榜") def build(user, params): ...``"""

    def wrap(build: Callable[[object, dict], Export]):
        _SOURCES[key] = ExportSource(key, label, build)
        return build

    return wrap


def add_resolver(resolver: Callable[[str], ExportSource | None]) -> None:
    """A resolver answers keys it knows (``admin:…``) without registering each one up front."""
    _resolvers.append(resolver)


def set_scope_labeller(labeller: Callable[[object], str]) -> None:
    global _scope_labeller
    _scope_labeller = labeller


def registered() -> dict[str, ExportSource]:
    return dict(_SOURCES)


def source(key: str) -> ExportSource:
    found = _SOURCES.get(key)
    for resolver in _resolvers:
        if found is not None:
            break
        found = resolver(key)
    if found is None:
        raise ValidationError(f"未知的导出数据集 {key}")
    return found


def sync_limit() -> int:
    return settings.EXPORT_SYNC_LIMIT


def _write(export: Export, fmt: str, user, rows=None, progress=None) -> tuple[str, bytes, str]:
    sheet = Sheet(
        title=export.title,
        columns=export.columns,
        rows=export.iterate() if rows is None else rows,
        subtitle=subtitle_for(scope=export.scope or _scope_labeller(user), user=user),
    )
    if fmt == "csv":
        return safe_filename(export.title, "csv"), write_csv(sheet, progress=progress), CSV_CONTENT_TYPE
    return safe_filename(export.title, "xlsx"), write_xlsx(sheet, progress=progress), XLSX_CONTENT_TYPE


def export_build(*, user, key: str, params: dict) -> Export:
    return source(key).build(user, dict(params))


def export_sync(*, user, key: str, params: dict, fmt: str = "xlsx") -> tuple[str, bytes, str] | None:
    """(filename, content, content type) when the list is small enough to write now; ``None``
    means it is big and must run as a job."""
    export = export_build(user=user, key=key, params=params)
    if export.count(limit=sync_limit()) > sync_limit():
        return None
    return _write(export, fmt, user)


def export_job_start(*, owner, key: str, params: dict, fmt: str = "xlsx") -> ExportJob:
    export = export_build(user=owner, key=key, params=params)  # refuses before anything is written
    job = ExportJob.objects.create(owner=owner, dataset=key, params=params, format=fmt, title=export.title[:150])
    enqueue_on_commit("core.export_job_run", job.pk)
    return job


def export_job_run(*, job_id: int) -> None:
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.PENDING).update(
        status=ExportJob.Status.RUNNING
    )
    if not claimed:
        return  # someone else runs it, or it already ran
    job = ExportJob.objects.get(pk=job_id)
    user = get_user_model().objects.get(pk=job.owner_id)
    try:
        export = export_build(user=user, key=job.dataset, params=job.params)
        total = export.count()
        ExportJob.objects.filter(pk=job.pk).update(total_rows=total)

        def progress(done: int) -> None:
            ExportJob.objects.filter(pk=job.pk).update(done_rows=done)

        filename, content, _ = _write(export, job.format, user, progress=progress)
        job.refresh_from_db()
        job.file.save(filename, ContentFile(content), save=False)
        job.status = ExportJob.Status.DONE
        job.done_rows = total
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "status", "done_rows", "finished_at"])
    except Exception as exc:
        message = "；".join(exc.messages) if isinstance(exc, ValidationError) else "导出失败，请稍后重试或联系管理员"
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=message[:2000], finished_at=timezone.now()
        )
        if not isinstance(exc, (ValidationError, PermissionDenied)):
            raise


def file_response(filename: str, content: bytes, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def export_response(request, *, key: str, params: dict, fmt: str = "xlsx", force_job: bool = False):
    """The file when small, else a redirect to the job's progress page. Bad filters or a refused
    permission come back as a message on the page the user came from."""
    from django.contrib import messages

    if fmt not in FORMATS:
        fmt = "xlsx"
    try:
        if not force_job:
            ready = export_sync(user=request.user, key=key, params=params, fmt=fmt)
            if ready is not None:
                return file_response(*ready)
        job = export_job_start(owner=request.user, key=key, params=params, fmt=fmt)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(request.META.get("HTTP_REFERER") or "exports:list")
    messages.info(request, f"“{job.title}”数据量较大，已转入后台生成，完成后可在此下载。")
    return redirect("exports:status", pk=job.pk)


def list_export(request, key: str):
    """For a staff list view: ``?export=xlsx`` / ``?export=csv`` answers with the file (or the
    job); without it, ``None`` and the view renders its page. The other query parameters are
    the list's own filters, passed on so the export holds the rows on screen."""
    fmt = request.GET.get("export")
    if fmt not in FORMATS:
        return None
    params = {k: v for k, v in request.GET.items() if k not in ("export", "page")}
    return export_response(request, key=key, params=params, fmt=fmt)
