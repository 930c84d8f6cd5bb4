"""Excel exports: small lists download at once; big ones become an ExportJob the user watches."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cadence.models import ExportJob
from cadence.services import exports as svc

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@login_required
@require_POST
def export_start(request):
    key = request.POST.get("dataset", "")
    params = {k: request.POST[k] for k in ("provider", "figure", "node") if request.POST.get(k)}
    try:
        if request.POST.get("mode") != "job":
            ready = svc.export_sync(user=request.user, key=key, params=params)
            if ready is not None:
                return xlsx_response(*ready)
        job = svc.export_job_start(owner=request.user, key=key, params=params)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(request.META.get("HTTP_REFERER") or "cadence:exports")
    messages.info(request, f"“{job.title}”数据量较大，已转入后台生成，完成后可在此下载。")
    return redirect("cadence:export-status", pk=job.pk)


@login_required
def export_list(request):
    jobs = ExportJob.objects.filter(owner=request.user)[:50]
    return render(request, "cadence/exports.html", {"jobs": jobs})


@login_required
def export_status(request, pk: int):
    job = get_object_or_404(ExportJob, pk=pk, owner=request.user)
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": job.status,
                "percent": job.percent,
                "done": job.status == "done",
                "error": job.error if job.status == "failed" else "",
            }
        )
    return render(request, "cadence/export_status.html", {"job": job})


@login_required
def export_download(request, pk: int):
    job = get_object_or_404(ExportJob, pk=pk, owner=request.user)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404("文件尚未生成")
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1])
