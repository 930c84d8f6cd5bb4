"""Key tasks, rectification lists, secretary projects and assessment pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from cadence.kpis import available_kpis
from cadence.models import (
    AssessmentResult,
    KeyTask,
    KeyTaskUpdate,
    Milestone,
    RectificationItem,
    RectificationList,
    ScoringScheme,
    SecretaryProject,
    WorkPlan,
)
from cadence.services import keytasks as svc
from organizations.scope import get_visible_or_404, restrict


def _need(user, perm: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied


def _error(request, exc: ValidationError) -> None:
    messages.error(request, "；".join(exc.messages))


@login_required
def key_task_list(request):
    _need(request.user, "cadence.view_keytask")
    plans = restrict(WorkPlan.objects.select_related("parent"), request.user).order_by("year_start", "kind")
    tasks = restrict(KeyTask.objects.select_related("plan", "lead_body"), request.user).prefetch_related(
        "supporting_bodies"
    )
    plan_id = request.GET.get("plan")
    if plan_id and plan_id.isdigit():
        tasks = tasks.filter(plan_id=plan_id)
    return render(
        request,
        "cadence/key_tasks.html",
        {"plans": plans, "tasks": tasks.order_by("plan__year_start", "number"), "today": timezone.localdate()},
    )


@login_required
def key_task_detail(request, pk: int):
    _need(request.user, "cadence.view_keytask")
    task = get_visible_or_404(KeyTask.objects.select_related("plan__parent", "lead_body"), request.user, pk=pk)
    can_update = request.user.has_perm("cadence.add_keytaskupdate")
    if request.method == "POST":
        if not can_update:
            raise PermissionDenied
        try:
            if request.POST.get("milestone"):
                milestone = get_visible_or_404(
                    Milestone.objects.filter(task=task), request.user, pk=request.POST["milestone"]
                )
                svc.milestone_complete(milestone=milestone, actor=request.user)
                messages.success(request, f"里程碑“{milestone.title}”已完成。")
            else:
                progress = request.POST.get("progress", "")
                if not progress.strip().isdigit():
                    raise ValidationError({"progress": "进度请填写 0–100 的整数"})
                svc.key_task_report_progress(
                    task=task,
                    actor=request.user,
                    status=request.POST.get("status", ""),
                    progress=int(progress),
                    text=request.POST.get("text", ""),
                    evidence=request.FILES.get("evidence"),
                )
                messages.success(request, "进展已报送。")
            return redirect("cadence:key-task-detail", pk=task.pk)
        except ValidationError as exc:
            _error(request, exc)
    return render(
        request,
        "cadence/key_task_detail.html",
        {
            "task": task,
            "milestones": task.milestones.all(),
            "updates": task.updates.select_related("author"),
            "statuses": KeyTask.Status.choices,
            "can_update": can_update,
            "today": timezone.localdate(),
        },
    )


@login_required
def key_task_evidence(request, pk: int):
    """佐证材料, read through the door of its task (media files are never linked directly)."""
    _need(request.user, "cadence.view_keytaskupdate")
    update = get_visible_or_404(KeyTaskUpdate.objects.exclude(evidence=""), request.user, pk=pk)
    return FileResponse(
        update.evidence.open("rb"), as_attachment=True, filename=update.evidence.name.rsplit("/", 1)[-1]
    )


@login_required
def rectification_list(request):
    _need(request.user, "cadence.view_rectificationlist")
    lists = restrict(RectificationList.objects.select_related("territory"), request.user)
    rows = []
    for rl in lists:
        items = list(rl.items.all())
        closed = sum(1 for i in items if i.status == RectificationItem.Status.CLOSED)
        rows.append({"list": rl, "total": len(items), "closed": closed})
    return render(request, "cadence/rectification_list.html", {"rows": rows})


@login_required
def rectification_detail(request, pk: int):
    _need(request.user, "cadence.view_rectificationlist")
    rl = get_visible_or_404(RectificationList.objects.select_related("territory"), request.user, pk=pk)
    can_close = request.user.has_perm("cadence.change_rectificationitem")
    if request.method == "POST":
        if not can_close:
            raise PermissionDenied
        item = get_visible_or_404(
            RectificationItem.objects.filter(rectification=rl), request.user, pk=request.POST.get("item")
        )
        try:
            svc.rectification_item_close(item=item, actor=request.user, note=request.POST.get("closing_note", ""))
            messages.success(request, f"第{item.number}项已销号。")
            return redirect("cadence:rectification-detail", pk=rl.pk)
        except ValidationError as exc:
            _error(request, exc)
    items = list(rl.items.select_related("closed_by"))
    return render(
        request,
        "cadence/rectification_detail.html",
        {
            "rl": rl,
            "items": items,
            "can_close": can_close,
            "open_count": sum(1 for i in items if i.status == "open"),
            "today": timezone.localdate(),
        },
    )


@login_required
def secretary_projects(request):
    _need(request.user, "cadence.view_secretaryproject")
    projects = restrict(SecretaryProject.objects.select_related("organization", "territory"), request.user)
    can_accept = request.user.has_perm("cadence.accept_secretaryproject")
    if request.method == "POST":
        project = get_visible_or_404(projects, request.user, pk=request.POST.get("project"))
        try:
            if request.POST.get("action") == "submit":
                _need(request.user, "cadence.change_secretaryproject")
                svc.secretary_project_submit(project=project, actor=request.user)
                messages.success(request, f"“{project.title}”已申请验收。")
            else:
                if not can_accept:
                    raise PermissionDenied
                svc.secretary_project_accept(
                    project=project,
                    actor=request.user,
                    passed=request.POST.get("action") == "accept",
                    comment=request.POST.get("acceptance_comment", ""),
                )
                messages.success(request, f"“{project.title}”验收结果已记录。")
            return redirect("cadence:secretary-projects")
        except ValidationError as exc:
            _error(request, exc)
    return render(
        request,
        "cadence/secretary_projects.html",
        {
            "projects": projects.order_by("-year", "territory__path", "id"),
            "can_accept": can_accept,
            "can_submit": request.user.has_perm("cadence.change_secretaryproject"),
        },
    )


@login_required
def assessment(request):
    _need(request.user, "cadence.view_assessmentresult")
    schemes = list(ScoringScheme.objects.prefetch_related("criteria"))
    scheme = next((s for s in schemes if str(s.pk) == request.GET.get("scheme")), schemes[0] if schemes else None)
    if request.method == "POST":
        _need(request.user, "cadence.change_scoringscheme")
        scheme = next((s for s in schemes if str(s.pk) == request.POST.get("scheme")), None)
        if scheme is None:
            messages.error(request, "请选择考核方案")
        else:
            try:
                results = svc.assessment_compute(scheme=scheme)
                messages.success(request, f"已按“{scheme.name}”计算 {len(results)} 个区的得分。")
            except ValidationError as exc:
                _error(request, exc)
        return redirect(f"{request.path}?scheme={scheme.pk if scheme else ''}")
    results = (
        restrict(AssessmentResult.objects.select_related("district"), request.user).filter(scheme=scheme)
        if scheme
        else []
    )
    kpis = {k.key: k for k in available_kpis()}
    return render(
        request,
        "cadence/assessment.html",
        {
            "schemes": schemes,
            "scheme": scheme,
            "results": results,
            "kpis": kpis,
            "can_compute": request.user.has_perm("cadence.change_scoringscheme"),
        },
    )
