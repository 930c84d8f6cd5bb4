"""Pages of the survey pipeline: upload, the batch page (progress, counts, diff, errors, apply),
the error report, and the street's inbox of verification tasks. Views parse input, check
permission and scope, and call services."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from core.exports import list_export
from core.queue import enqueue_on_commit
from organizations.scope import get_visible_or_404, restrict
from surveys import pipeline, selectors
from surveys.apply_queue import batch_apply_request
from surveys.exports import TASK_FILTERS, task_rows
from surveys.forms import CorrectionForm, UploadForm
from surveys.models import ImportBatch, RowStatus, StagedRow, VerificationTask
from surveys.reports import error_report
from surveys.services import ApplyMode, batch_create, task_correct, task_decide, tasks_decide, value_mapping_save
from surveys.specs import SPECS
from surveys.templates_xlsx import build_template

ROW_FILTERS = {
    "changes": ("新增与变更", {"status__in": [RowStatus.NEW, RowStatus.CHANGED]}),
    "issues": ("错误与重复", {"status__in": [RowStatus.ERROR, RowStatus.DUPLICATE]}),
    "warnings": ("需人工判断", {"has_warning": True}),
    "unchanged": ("无变化", {"status": RowStatus.UNCHANGED}),
    "all": ("全部", {}),
}


@login_required
@permission_required("surveys.view_importbatch", raise_exception=True)
def batch_list(request):
    batches = restrict(ImportBatch.objects.select_related("territory", "created_by"), request.user)
    page = Paginator(batches, 30).get_page(request.GET.get("page"))
    # An admin changelist's 导入 button lands here with its kind chosen (?kind=units).
    kind = request.GET.get("kind")
    initial = {"kind": kind} if kind in SPECS else {}
    form = UploadForm(initial=initial) if request.user.has_perm("surveys.add_importbatch") else None
    return render(request, "surveys/batch_list.html", {"page": page, "form": form, "templates": _templates()})


def _templates() -> list[tuple[str, str]]:
    return [(kind, spec.label) for kind, spec in SPECS.items()]


@login_required
@permission_required("surveys.add_importbatch", raise_exception=True)
@require_POST
def batch_upload(request):
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        batches = restrict(ImportBatch.objects.select_related("territory", "created_by"), request.user)
        page = Paginator(batches, 30).get_page(1)
        return render(
            request, "surveys/batch_list.html", {"page": page, "form": form, "templates": _templates()}, status=400
        )
    upload = form.cleaned_data["file"]
    suffix = Path(upload.name).suffix.lower()
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        for chunk in upload.chunks():
            tmp.write(chunk)
        tmp.flush()
        try:
            batch = batch_create(
                kind=form.cleaned_data["kind"],
                path=Path(tmp.name),
                file_name=upload.name,
                user=request.user,
                source=form.cleaned_data["source"],
                full_list=form.cleaned_data["full_list"],
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect("surveys:batch-list")
    enqueue_on_commit("surveys.process_batch", batch.pk)
    messages.success(request, f"已上传《{batch.file_name}》，正在读取和比对")
    return redirect("surveys:batch-detail", pk=batch.pk)


def _batch_for(request, pk) -> ImportBatch:
    return get_visible_or_404(
        ImportBatch.objects.select_related("territory", "created_by", "applied_by"), request.user, pk=pk
    )


@login_required
@permission_required("surveys.view_importbatch", raise_exception=True)
def batch_detail(request, pk):
    batch = _batch_for(request, pk)
    show = request.GET.get("show", "changes")
    label, lookup = ROW_FILTERS.get(show, ROW_FILTERS["changes"])
    rows = StagedRow.objects.filter(batch=batch, **lookup).select_related("task").order_by("row_number")
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    # The earlier batch of the same file is named only if the viewer may open it: an officer
    # elsewhere who uploaded the same file learns nothing of it through this page.
    same = (
        restrict(ImportBatch.objects.filter(kind=batch.kind, file_hash=batch.file_hash, pk__lt=batch.pk), request.user)
        .exclude(status=ImportBatch.Status.FAILED)
        .order_by("-pk")
        .first()
    )
    missing = pipeline.missing_from_source(batch)[:100] if batch.full_list and not batch.is_running else []
    return render(
        request,
        "surveys/batch_detail.html",
        {
            "batch": batch,
            "counts": batch.counts or {},
            "page": page,
            "rows": [selectors.row_view(batch, row) for row in page.object_list],
            "show": show,
            "show_label": label,
            "filters": [(key, value[0]) for key, value in ROW_FILTERS.items()],
            "same_as": same,
            "missing": missing,
            "task_counts": selectors.task_counts(batch),
            "can_apply": request.user.has_perm("surveys.apply_importbatch")
            and batch.status in (ImportBatch.Status.REVIEW, ImportBatch.Status.PARTIAL),
            "unknown_columns": [c for c in batch.columns if not c["field"]],
            "unmapped": selectors.unmapped_values(batch),
            "can_map": request.user.has_perm("surveys.add_valuemapping")
            and batch.status in (ImportBatch.Status.REVIEW, ImportBatch.Status.PARTIAL),
        },
    )


@login_required
@permission_required("surveys.add_valuemapping", raise_exception=True)
@require_POST
def batch_mapping(request, pk):
    batch = _batch_for(request, pk)
    field, value, target = (request.POST.get(k, "") for k in ("field", "value", "target"))
    try:
        screened = value_mapping_save(batch=batch, field=field, value=value, target=target, actor=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        source = batch.source or "本来源"
        messages.success(request, f"已设置对应：“{value}”（{source}今后的文件同样适用），重新比对了{screened}行")
    return redirect("surveys:batch-detail", pk=batch.pk)


@login_required
@permission_required("surveys.view_importbatch", raise_exception=True)
@require_GET
def template_download(request, kind):
    if kind not in SPECS:
        raise Http404
    return FileResponse(
        build_template(kind),
        as_attachment=True,
        filename=f"{SPECS[kind].label}导入模板.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@never_cache
@login_required
@permission_required("surveys.view_importbatch", raise_exception=True)
@require_GET
def batch_progress(request, pk):
    batch = _batch_for(request, pk)
    return JsonResponse(
        {
            "status": batch.status,
            "status_display": batch.get_status_display(),
            "progress": batch.progress,
            "running": batch.is_busy,
            "message": batch.message,
        }
    )


@login_required
@permission_required("surveys.view_importbatch", raise_exception=True)
@require_GET
def batch_errors(request, pk):
    batch = _batch_for(request, pk)
    stem = Path(batch.file_name).stem
    return FileResponse(
        error_report(batch, request.user),
        as_attachment=True,
        filename=f"{stem}_问题清单_批次{batch.pk}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
@permission_required("surveys.apply_importbatch", raise_exception=True)
@require_POST
def batch_apply_view(request, pk):
    batch = _batch_for(request, pk)
    mode = ApplyMode.CLEAN if request.POST.get("mode") == ApplyMode.CLEAN else ApplyMode.VERIFIED
    try:
        batch_apply_request(batch=batch, actor=request.user, mode=mode)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.info(request, "已开始写入：在一个事务中完成，要么全部写入、要么一条不写；完成后本页自动刷新显示结果")
    return redirect("surveys:batch-detail", pk=batch.pk)


# --- the street's inbox (铁脚板) ---------------------------------------------------------------


@login_required
@permission_required("surveys.view_verificationtask", raise_exception=True)
def task_list(request):
    if (exported := list_export(request, "surveys.tasks")) is not None:
        return exported
    show = request.GET.get("show", "pending")
    tasks = task_rows(request.user, show)
    page = Paginator(tasks, 50).get_page(request.GET.get("page"))
    items = [{"task": task, "row": selectors.row_view(task.batch, task.row)} for task in page.object_list]
    return render(
        request,
        "surveys/task_list.html",
        {
            "page": page,
            "items": items,
            "show": show,
            "filters": [(k, v[0]) for k, v in TASK_FILTERS.items()],
            "bulk": request.user.has_perm("surveys.change_verificationtask")
            and any(item["task"].status == VerificationTask.Status.PENDING for item in items),
        },
    )


@login_required
@require_POST
@permission_required("surveys.change_verificationtask", raise_exception=True)
def task_bulk(request):
    """The ticked rows of the street's list confirmed, or rejected with one reason."""
    decision = request.POST.get("decision", "")
    if decision not in (VerificationTask.Status.CONFIRMED, VerificationTask.Status.REJECTED):
        raise Http404
    ids = [int(v) for v in request.POST.getlist("task") if v.isascii() and v.isdigit()]
    back = redirect(reverse("surveys:task-list"))
    if not ids:
        messages.error(request, "请先勾选要处理的任务")
        return back
    try:
        decided = tasks_decide(
            tasks=VerificationTask.objects.visible_to(request.user).filter(pk__in=ids),
            actor=request.user,
            decision=decision,
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return back
    if decided:
        messages.success(request, f"{decided} 条任务已{VerificationTask.Status(decision).label}")
    else:
        messages.info(request, "所选任务都已处理，未作更改")
    return back


@login_required
@permission_required("surveys.view_verificationtask", raise_exception=True)
def task_detail(request, pk):
    task = get_visible_or_404(
        VerificationTask.objects.select_related("batch__territory", "row", "territory"), request.user, pk=pk
    )
    form = CorrectionForm(row=task.row, batch=task.batch)
    decide_errors: list[str] = []
    if request.method == "POST":
        if not request.user.has_perm("surveys.change_verificationtask"):
            raise PermissionDenied
        action = request.POST.get("action")
        note = request.POST.get("note", "")
        try:
            if action in ("confirmed", "rejected"):
                task_decide(task=task, actor=request.user, decision=action, note=note)
                messages.success(request, f"第{task.row.row_number}行：{VerificationTask.Status(action).label}")
                return redirect(reverse("surveys:task-list"))
            if action == "corrected":
                form = CorrectionForm(request.POST, row=task.row, batch=task.batch)
                if form.is_valid():
                    changes = form.changes(task.row, task.batch)
                    if not changes:
                        form.add_error(None, "没有修改任何内容；如信息无误，请点“核实无误”")
                    else:
                        task_correct(task=task, actor=request.user, changes=changes, note=form.cleaned_data["note"])
                        messages.success(request, f"第{task.row.row_number}行已更正")
                        return redirect("surveys:task-list")
        except ValidationError as exc:
            if not form.is_bound:
                decide_errors = exc.messages
            elif hasattr(exc, "error_dict"):
                for name, errors in exc.message_dict.items():
                    target = f"f_{name}" if f"f_{name}" in form.fields else ("note" if name == "note" else None)
                    for message in errors:
                        form.add_error(target, message)
            else:
                form.add_error(None, "；".join(exc.messages))
    return render(
        request,
        "surveys/task_detail.html",
        {"task": task, "row": selectors.row_view(task.batch, task.row), "form": form, "decide_errors": decide_errors},
        status=400 if form.errors or decide_errors else 200,
    )
