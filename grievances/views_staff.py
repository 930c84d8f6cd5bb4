"""Staff pages: the handler inbox, a case with its timeline and actions, intake on behalf of a
worker (hotline), metrics, governance projects and campaign summaries. Everything reads through
the scope rule; a case outside it answers 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from core.exports import export_response, list_export
from core.images import photo_response
from core.masking import mask_phone
from grievances import inbox as inbox_filters
from grievances import services
from grievances.forms import (
    DuplicateForm,
    ExtensionForm,
    MilestoneForm,
    ProjectCloseForm,
    ProjectProgressForm,
    RecategorizeForm,
    StaffIntakeForm,
    TextActionForm,
    TransferForm,
)
from grievances.models import (
    Campaign,
    Category,
    ExtensionRequest,
    GovernanceProject,
    Grievance,
    GrievancePhoto,
    Notice,
)
from grievances.selectors import SOLVED_STATES, grievance_metrics, grievances_for, is_handler, submitter_for
from members.selectors import can_view_full_identity
from organizations.models import Territory
from organizations.scope import get_visible_or_404, restrict


def _viewer(view):
    return login_required(permission_required("grievances.view_grievance", raise_exception=True)(view))


@_viewer
def inbox_view(request):
    if (exported := list_export(request, "grievances.inbox")) is not None:
        return exported
    now = timezone.now()
    filters = inbox_filters.parse(request.user, request.GET)
    rows, number, has_next = inbox_filters.page_of(
        inbox_filters.search(request.user, filters, now=now), request.GET.get("page")
    )
    notices = list(Notice.objects.filter(recipient=request.user, read_at__isnull=True).select_related("grievance")[:20])
    pending_extensions = []
    if request.user.has_perm("grievances.approve_extension"):
        visible = grievances_for(request.user).values("pk")
        pending_extensions = list(
            ExtensionRequest.objects.filter(status="pending", grievance__in=visible)
            .exclude(requested_by=request.user)
            .select_related("grievance", "requested_by")[:50]
        )
    full_phone = can_view_full_identity(request.user)
    for g in rows:
        g.phone_shown = g.submitter_phone if full_phone else mask_phone(g.submitter_phone)
    return render(
        request,
        "grievances/inbox.html",
        {
            "rows": rows,
            "number": number,
            "has_next": has_next,
            "f": filters,
            "tab": filters.tab,
            "tabs": inbox_filters.TABS,
            "states": [("open", "全部未结"), *Grievance.State.choices],
            "due_choices": [1, 3, 7, 15, 30],
            "categories": Category.objects.filter(is_active=True).order_by("sort_order", "id"),
            "streets": inbox_filters.streets_for(request.user),
            "notices": notices,
            "now": now,
            "pending_extensions": pending_extensions,
        },
    )


@login_required
@require_safe
def photo_view(request, ticket: str, pk: int):
    """A case photo, read through the door of its case (media files are never linked directly).

    No permission answers 404 like a case outside the scope, so the URL confirms nothing.
    """
    if not request.user.has_perm("grievances.view_grievance"):
        raise Http404
    grievance = get_visible_or_404(Grievance.objects.all(), request.user, ticket=ticket)
    photo = get_object_or_404(GrievancePhoto, grievance=grievance, pk=pk)
    return photo_response(photo.image)


@_viewer
def detail_view(request, ticket: str):
    grievance = get_visible_or_404(grievances_for(request.user), request.user, ticket=ticket)
    services.notices_mark_read(user=request.user, grievance=grievance)
    handler = is_handler(request.user, grievance) and request.user.has_perm("grievances.handle_grievance")
    transfer_form = TransferForm()
    transfer_form.fields["body"].queryset = services.transfer_targets(grievance)
    return render(
        request,
        "grievances/detail.html",
        {
            "g": grievance,
            "submitter": submitter_for(request.user, grievance),
            "events": grievance.events.select_related("actor"),
            "photos": grievance.photos.all(),
            "co_bodies": grievance.co_bodies.all(),
            # Duplicates filed in another street are that street's records: not even their tickets.
            "duplicates": restrict(grievance.duplicates.all(), request.user),
            "suspected_master": restrict(Grievance.objects.filter(pk=grievance.suspected_duplicate_of_id), request.user)
            .only("ticket")
            .first(),
            "master": restrict(Grievance.objects.filter(pk=grievance.duplicate_of_id), request.user)
            .only("ticket")
            .first(),
            "extensions": grievance.extensions.select_related("requested_by", "decided_by"),
            "handler": handler,
            "allowed": services.ALLOWED[grievance.state],
            # Three text boxes on one page: each its own id and label (办结 was an unlabeled "内容").
            "reply_form": TextActionForm(auto_id="reply_%s", label="答复内容"),
            "resolve_form": TextActionForm(auto_id="resolve_%s", label="办理结果（提交人可见）"),
            "reject_form": TextActionForm(auto_id="reject_%s", label="不予受理原因"),
            "transfer_form": transfer_form,
            "extension_form": ExtensionForm(),
            "duplicate_form": DuplicateForm(
                initial={"master": grievance.suspected_duplicate_of.ticket}
                if grievance.suspected_duplicate_of_id
                and restrict(Grievance.objects.filter(pk=grievance.suspected_duplicate_of_id), request.user).exists()
                else None
            ),
            "recategorize_form": RecategorizeForm(initial={"category": grievance.category_id}),
            "now": timezone.now(),
        },
    )


@require_POST
@_viewer
def action_view(request, ticket: str, action: str):
    grievance = get_visible_or_404(grievances_for(request.user), request.user, ticket=ticket)
    if not (is_handler(request.user, grievance) and request.user.has_perm("grievances.handle_grievance")):
        raise PermissionDenied("您可以查看该诉求，但不负责办理")
    user = request.user
    expected = request.POST.get("state") or None
    try:
        # A page opened before someone else's change must not act on what it shows.
        services.check_version(grievance, request.POST.get("version"))
        if action == "accept":
            services.grievance_accept(grievance=grievance, actor=user)
            done = "已受理"
        elif action == "reply":
            form = _valid(TextActionForm(request.POST))
            services.grievance_reply(grievance=grievance, actor=user, text=form.cleaned_data["text"])
            done = "已答复提交人"
        elif action == "resolve":
            form = _valid(TextActionForm(request.POST))
            services.grievance_resolve(
                grievance=grievance, actor=user, resolution=form.cleaned_data["text"], expected=expected
            )
            done = "已办结，系统将向提交人回访"
        elif action == "reject":
            form = _valid(TextActionForm(request.POST))
            services.grievance_reject(grievance=grievance, actor=user, reason=form.cleaned_data["text"])
            done = "已不予受理"
        elif action == "transfer":
            form = TransferForm(request.POST)
            form.fields["body"].queryset = services.transfer_targets(grievance)
            _valid(form)
            services.grievance_transfer(
                grievance=grievance, actor=user, body=form.cleaned_data["body"], note=form.cleaned_data["text"]
            )
            done = "已转办"
        elif action == "extension":
            form = _valid(ExtensionForm(request.POST))
            services.extension_request(grievance=grievance, actor=user, **form.cleaned_data)
            done = "延期申请已提交，待审批"
        elif action == "duplicate":
            form = _valid(DuplicateForm(request.POST))
            master = grievances_for(user).filter(ticket=form.cleaned_data["master"]).first()
            if master is None:
                raise ValidationError({"master": f"找不到受理编号为 {form.cleaned_data['master']} 的诉求"})
            services.grievance_mark_duplicate(grievance=grievance, master=master, actor=user)
            done = f"已标记为 {master.ticket} 的重复件"
        elif action == "recategorize":
            form = _valid(RecategorizeForm(request.POST))
            services.grievance_recategorize(grievance=grievance, category=form.cleaned_data["category"], actor=user)
            done = "已改分类并重新分办"
        else:
            raise Http404
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"{grievance.ticket}：{done}")
    return redirect("grievances:detail", ticket=grievance.ticket)


def _valid(form):
    if not form.is_valid():
        errors = {f: [str(e) for e in errs] for f, errs in form.errors.items()}
        labelled = [
            f"{form.fields[f].label if f in form.fields else ''}：{'；'.join(errs)}".lstrip("：")
            for f, errs in errors.items()
        ]
        raise ValidationError(labelled)
    return form


@require_POST
@login_required
@permission_required("grievances.approve_extension", raise_exception=True)
def extension_decide_view(request, pk: int):
    visible = grievances_for(request.user).values("pk")
    extension = ExtensionRequest.objects.filter(pk=pk, grievance__in=visible).select_related("grievance").first()
    if extension is None:
        raise Http404
    try:
        services.extension_decide(extension=extension, actor=request.user, approve=request.POST.get("approve") == "1")
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"{extension.grievance.ticket} 的延期申请已审批")
    return redirect(request.POST.get("next") or "grievances:inbox")


@login_required
@permission_required("grievances.add_grievance", raise_exception=True)
def staff_new_view(request):
    territories = restrict(Territory.objects.filter(level=Territory.Level.STREET), request.user)
    form = StaffIntakeForm(request.POST or None, request.FILES or None, territories=territories)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            grievance = services.grievance_create(
                channel=data["channel"],
                text=data["text"],
                territory=data["territory"],
                category_code=data["category"].code if data.get("category") else None,
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                is_anonymous=data["is_anonymous"],
                priority=data["priority"],
                photos=data["photos"],
                actor=request.user,
                receipt_sms=True,
            )
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, f"已录入诉求 {grievance.ticket}，系统正在分办")
            return redirect("grievances:detail", ticket=grievance.ticket)
    return render(request, "grievances/staff_new.html", {"form": form})


@_viewer
def metrics_view(request):
    if (exported := list_export(request, "grievances.metrics")) is not None:
        return exported
    territory = None
    code = request.GET.get("territory")
    if code:
        territory = restrict(Territory.objects.all(), request.user).filter(code=code).first()
    days = request.GET.get("days", "180")
    days = int(days) if days.isdigit() and 0 < int(days) <= 3660 else 180
    since = timezone.now() - timezone.timedelta(days=days)
    metrics = grievance_metrics(user=request.user, since=since, territory=territory)
    by_category = (
        grievances_for(request.user)
        .filter(submitted_at__gte=since)
        .values("category__name")
        .annotate(n=Count("id"))
        .order_by("-n")[:12]
    )
    return render(
        request,
        "grievances/metrics.html",
        {"m": metrics, "days": days, "territory": territory, "by_category": by_category},
    )


def _projects_for(user):
    return restrict(GovernanceProject.objects.all(), user).select_related("category", "territory", "owner")


@login_required
@permission_required("grievances.view_governanceproject", raise_exception=True)
def projects_view(request):
    if (exported := list_export(request, "grievances.projects")) is not None:
        return exported
    projects = _projects_for(request.user).annotate(cases=Count("grievances"))[:200]
    return render(request, "grievances/projects.html", {"projects": projects})


@login_required
@permission_required("grievances.view_governanceproject", raise_exception=True)
def project_view(request, pk: int):
    project = get_visible_or_404(_projects_for(request.user), request.user, pk=pk)
    can_edit = request.user.has_perm("grievances.change_governanceproject")
    progress_form = ProjectProgressForm(
        request.POST if request.POST.get("action") == "progress" else None,
        initial={
            "status": project.status,
            "progress": project.progress,
            "owner_name": project.owner_name,
            "owner": project.owner_id,
        },
    )
    milestone_form = MilestoneForm(request.POST if request.POST.get("action") == "milestone" else None)
    close_form = ProjectCloseForm(request.POST if request.POST.get("action") == "close" else None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "progress" and progress_form.is_valid():
                services.project_update(project=project, **progress_form.cleaned_data)
                messages.success(request, "项目进度已更新")
                return redirect("grievances:project", pk=project.pk)
            if action == "milestone" and milestone_form.is_valid():
                services.milestone_add(project=project, **milestone_form.cleaned_data)
                messages.success(request, "已添加项目节点")
                return redirect("grievances:project", pk=project.pk)
            if action == "milestone_done":
                milestone = project.milestones.filter(pk=request.POST.get("milestone")).first()
                if milestone is None:
                    raise Http404
                services.milestone_done(milestone=milestone)
                return redirect("grievances:project", pk=project.pk)
            if action == "close" and close_form.is_valid():
                count = services.project_close(
                    project=project, actor=request.user, explanation=close_form.cleaned_data["explanation"]
                )
                messages.success(request, f"项目已完成，{count} 件关联诉求已统一答复办结")
                return redirect("grievances:project", pk=project.pk)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
    return render(
        request,
        "grievances/project.html",
        {
            "p": project,
            "cases": grievances_for(request.user).filter(project=project),
            "milestones": project.milestones.all(),
            "can_edit": can_edit and project.status not in ("done", "dismissed"),
            "progress_form": progress_form,
            "milestone_form": milestone_form,
            "close_form": close_form,
        },
    )


@_viewer
def campaign_summary_view(request, code: str):
    if request.GET.get("export"):
        fmt = request.GET["export"]
        return export_response(request, key="grievances.campaign", params={"code": code}, fmt=fmt)
    campaign = get_visible_or_404(Campaign.objects.select_related("territory"), request.user, code=code)
    cases = grievances_for(request.user).filter(campaign=campaign)
    return render(
        request,
        "grievances/campaign.html",
        {
            "c": campaign,
            "total": cases.count(),
            "by_category": cases.values("category__name").annotate(n=Count("id")).order_by("-n"),
            "by_state": [
                (Grievance.State(r["state"]).label, r["n"])
                for r in cases.values("state").annotate(n=Count("id")).order_by("-n")
            ],
            "by_street": cases.values("owner_territory__name").annotate(n=Count("id")).order_by("-n")[:20],
            "solved": cases.filter(state__in=SOLVED_STATES).count(),
            "satisfaction": cases.aggregate(avg=Avg("rating"), n=Count("rating")),
        },
    )
