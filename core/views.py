"""The export pages every list links to: start, watch a big export's progress, download it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST

from core import exports
from core.models import ExportJob

START_PARAMS = ("dataset", "mode", "format", "csrfmiddlewaretoken")


@login_required
@require_POST
def export_start(request):
    """A form's POST: ``dataset`` names the registered list, the other fields are its filters."""
    params = {k: v for k, v in request.POST.items() if k not in START_PARAMS and v}
    return exports.export_response(
        request,
        key=request.POST.get("dataset", ""),
        params=params,
        fmt=request.POST.get("format", "xlsx"),
        force_job=request.POST.get("mode") == "job",
    )


@login_required
def export_list(request):
    jobs = ExportJob.objects.filter(owner=request.user)[:50]
    return render(request, "core/exports.html", {"jobs": jobs})


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
    return render(request, "core/export_status.html", {"job": job})


@login_required
def export_download(request, pk: int):
    job = get_object_or_404(ExportJob, pk=pk, owner=request.user)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404("文件尚未生成")
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file.name.rsplit("/", 1)[-1])
