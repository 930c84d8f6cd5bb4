"""周例会 pages: a street cadre opens, fills and submits the week's report in a few minutes;
the district sees who is late and reviews or returns reports."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cadence.models import WeeklyReport, WeeklyReportAttachment
from cadence.nodes import home_nodes
from cadence.services import weekly as svc
from cadence.services.weekly_figures import FLOWS
from cadence.views.dashboard import weekly_grid
from organizations.models import StaffPost, Territory
from organizations.scope import get_visible_or_404, restrict


class WeeklyReportForm(forms.ModelForm):
    class Meta:
        model = WeeklyReport
        fields = svc.TEXT_FIELDS
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in svc.TEXT_FIELDS}


def my_streets(user):
    return Territory.objects.filter(
        posts__user=user, posts__is_active=True, posts__role=StaffPost.Role.STREET
    ).order_by("path")


@login_required
def weekly_list(request):
    if not request.user.has_perm("cadence.view_weeklyreport"):
        raise PermissionDenied
    reports = restrict(WeeklyReport.objects.select_related("street"), request.user)
    status = request.GET.get("status")
    if status in WeeklyReport.Status.values:
        reports = reports.filter(status=status)
    if request.GET.get("late"):
        reports = reports.filter(due_at__lt=timezone.now()).exclude(
            status__in=[WeeklyReport.Status.SUBMITTED, WeeklyReport.Status.REVIEWED]
        )
    page = Paginator(reports, 30).get_page(request.GET.get("page"))
    homes = [n for n in home_nodes(request.user) if n.territory is not None]
    grids = [(n, weekly_grid(request.user, n)) for n in homes]
    iso_year, iso_week = svc.iso_week_of(timezone.localdate())
    return render(
        request,
        "cadence/weekly_list.html",
        {
            "page": page,
            "grids": [(n, g) for n, g in grids if g],
            "streets": my_streets(request.user),
            "current_week": f"{iso_year}年第{iso_week}周",
            "statuses": WeeklyReport.Status.choices,
            "now": timezone.now(),
            "can_review": request.user.has_perm("cadence.review_weeklyreport"),
        },
    )


@login_required
@require_POST
def weekly_open(request):
    """A street cadre opens (or finds) this week's report of one of their streets."""
    streets = my_streets(request.user)
    chosen = request.POST.get("street", "")
    if chosen and not chosen.isdigit():
        raise Http404
    street = streets.filter(pk=chosen).first() if chosen else streets.first()
    if street is None or not request.user.has_perm("cadence.add_weeklyreport"):
        raise Http404
    iso_year, iso_week = svc.iso_week_of(timezone.localdate())
    report = svc.weekly_report_open(street=street, iso_year=iso_year, iso_week=iso_week, actor=request.user)
    return redirect("cadence:weekly-detail", pk=report.pk)


def _figure_rows(report: WeeklyReport) -> list[dict]:
    """One row per figure: the week's value and, for flows, the month-to-date beside it."""
    from cadence.metrics import PROVIDERS

    month = report.month_figures or {}
    rows = []
    for name, values in (report.figures or {}).items():
        prov = PROVIDERS.get(name)
        if prov is None or not isinstance(values, dict):
            continue
        for fig in prov.figures:
            if fig.key in values:
                value = values[fig.key]
                mtd = month.get(name) if isinstance(month.get(name), dict) else {}
                flow = fig.key in FLOWS.get(name, ())
                rows.append(
                    {
                        "group": prov.label.replace("（本月）", ""),
                        "label": fig.label.removeprefix("本月"),
                        "value": "—" if value is None else value,
                        # Flows get their month-to-date ("—" on reports filed before it was kept);
                        # stocks show "当前".
                        "month": (mtd.get(fig.key) if mtd.get(fig.key) is not None else "—") if flow else "",
                        "unit": fig.unit,
                    }
                )
    return rows


def _error_summary(form) -> list[dict]:
    """Every error of the form, for the summary at the top, linked to its field."""
    summary = [{"field": None, "label": "", "message": e} for e in form.non_field_errors()]
    for name, errors in form.errors.items():
        if name in form.fields:
            for error in errors:
                summary.append({"field": form[name].id_for_label, "label": form.fields[name].label, "message": error})
    return summary


@login_required
def weekly_detail(request, pk: int):
    report = get_visible_or_404(WeeklyReport.objects.select_related("street"), request.user, pk=pk)
    can_file = svc.can_file(request.user, report) and report.is_editable
    if request.method == "GET" and can_file:
        # The cadre sees the figures as they are now, and when they were taken.
        report = svc.weekly_report_refresh_figures(report=report)
    form = WeeklyReportForm(instance=report)
    draft_saved = False  # the text went into the draft even though the upload was refused
    if request.method == "POST":
        if not svc.can_file(request.user, report):
            raise PermissionDenied
        if not report.is_editable:
            # A tab opened before the report was filed (or back after 提交报告): the cadre may
            # file, the report may no longer change. Say so rather than answer 无权访问.
            messages.error(request, f"{report} 当前状态为“{report.get_status_display()}”，不能修改")
            return redirect("cadence:weekly-detail", pk=report.pk)
        form = WeeklyReportForm(request.POST, instance=report)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if "attach" in request.POST:
                    # Uploading keeps what was typed: the text is saved as a draft first.
                    svc.weekly_report_save(report=report, actor=request.user, data=data)
                    draft_saved = True
                    upload = request.FILES.get("file")
                    if upload is None:
                        raise ValidationError({"file": "请选择要上传的附件"})
                    svc.weekly_report_attach(report=report, actor=request.user, upload=upload)
                    messages.success(request, f"附件“{upload.name}”已上传，已填写的内容已保存为草稿。")
                elif "submit" in request.POST:
                    svc.weekly_report_submit(report=report, actor=request.user, data=data)
                    messages.success(request, f"{report.week_label}周例会报告已提交，等待区委两新工委审阅。")
                else:
                    svc.weekly_report_save(report=report, actor=request.user, data=data)
                    messages.success(request, "草稿已保存。")
                return redirect("cadence:weekly-detail", pk=report.pk)
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errors in exc.message_dict.items():
                        if field == "file":
                            form.file_errors = errors
                        else:
                            form.add_error(field if field in form.fields else None, errors)
                else:
                    form.add_error(None, exc.messages)
        report.refresh_from_db()
    file_errors = getattr(form, "file_errors", [])
    summary = _error_summary(form) + [{"field": "attachment-file", "label": "附件", "message": e} for e in file_errors]
    return render(
        request,
        "cadence/weekly_detail.html",
        {
            "report": report,
            "form": form,
            "error_summary": summary,
            "draft_saved": draft_saved and not form.errors,
            "file_errors": file_errors,
            "can_file": can_file,
            "can_review": svc.can_review(request.user, report) and report.status == WeeklyReport.Status.SUBMITTED,
            "figure_rows": _figure_rows(report),
            "events": report.events.select_related("actor"),
            "attachments": report.attachments.all(),
            "late": report.is_late(),
        },
    )


@login_required
@require_POST
def weekly_review(request, pk: int):
    report = get_visible_or_404(WeeklyReport.objects.select_related("street"), request.user, pk=pk)
    if not svc.can_review(request.user, report):
        raise PermissionDenied
    approve = request.POST.get("decision") == "approve"
    try:
        svc.weekly_report_review(
            report=report, actor=request.user, approve=approve, comment=request.POST.get("review_comment", "")
        )
        messages.success(request, "已审阅通过。" if approve else "已退回街道修改。")
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("cadence:weekly-detail", pk=report.pk)


@login_required
@require_POST
def weekly_attach(request, pk: int):
    report = get_visible_or_404(WeeklyReport.objects.select_related("street"), request.user, pk=pk)
    if not svc.can_file(request.user, report):
        raise PermissionDenied
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "请选择要上传的附件")
    else:
        try:
            svc.weekly_report_attach(report=report, actor=request.user, upload=upload)
            messages.success(request, f"附件“{upload.name}”已上传。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
    return redirect("cadence:weekly-detail", pk=report.pk)


@login_required
def weekly_attachment(request, pk: int):
    attachment = get_visible_or_404(WeeklyReportAttachment.objects.all(), request.user, pk=pk)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)
