"""Staff pages: award by rule, accounts and reversals, tasks, photo reports, redemptions,
leaderboards. Each page parses input, checks the permission, and calls a service or selector."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from core.cases import case_tickets
from core.exports import export_response, list_export
from core.images import photo_response
from core.masking import mask_phone
from members.models import Person
from members.selectors import phone_search_q
from organizations.models import Body
from organizations.scope import get_visible_or_404, restrict
from points import exports, selectors
from points.forms import AwardForm, ReasonForm, TaskForm
from points.models import HomeStation, PhotoReport, PointAccount, PointEntry, Redemption, TaskClaim, VolunteerTask
from points.services import (
    PointsError,
    account_for,
    cap_room,
    photo_report_reject,
    photo_report_verify,
    points_award,
    points_redemption_cancel,
    points_redemption_fulfil,
    points_reverse,
    task_claim,
    task_close,
    task_confirm,
    task_publish,
)
from stations.models import Station


def _page(request, queryset, per_page=30):
    # No COUNT of the whole scoped table: a page knows only whether there is a next one.
    number = max(int(request.GET.get("page") or 1), 1) if (request.GET.get("page") or "1").isdigit() else 1
    rows = list(queryset[(number - 1) * per_page : number * per_page + 1])
    return {"rows": rows[:per_page], "number": number, "has_next": len(rows) > per_page}


@login_required
def staff_home(request):
    user = request.user
    pending = {}
    if user.has_perm("points.view_photoreport"):
        pending["reports"] = restrict(PhotoReport.objects.filter(status=PhotoReport.Status.SUBMITTED), user)[
            :100
        ].count()
    if user.has_perm("points.view_redemption"):
        pending["redemptions"] = restrict(Redemption.objects.filter(status=Redemption.Status.REQUESTED), user)[
            :100
        ].count()
    if user.has_perm("points.view_taskclaim"):
        pending["claims"] = restrict(TaskClaim.objects.filter(status=TaskClaim.Status.CLAIMED), user)[:100].count()
    return render(request, "points/staff_home.html", {"pending": pending})


def _spent(account, rule) -> bool:
    room, _why = cap_room(account, rule, timezone.now())
    return room is not None and room <= 0


@permission_required("points.add_pointentry", raise_exception=True)
def award(request):
    """Find a person in scope, then award a rule to them (caps and award roles enforced)."""
    user = request.user
    person_id = request.GET.get("person") or request.POST.get("person")
    if not person_id:
        q = (request.GET.get("q") or "").strip()
        people = []
        if q:
            people = list(
                Person.objects.visible_to(user)
                .filter(Q(name__contains=q) | (phone_search_q(q, viewer=user) or Q()))
                .select_related("territory", "home_station_link__station")
                .order_by("name", "id")[:30]
            )
        return render(request, "points/award_find.html", {"q": q, "people": people, "mask_phone": mask_phone})
    person = get_visible_or_404(Person.objects.select_related("territory"), user, pk=person_id)
    rules = [r for r in selectors.rules_for_user(user) if selectors.rule_reaches(r, person)]
    account = account_for(person)
    form = AwardForm(request.POST or None, rules=rules, initial={"token": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        rule = form.rules.get(form.cleaned_data["rule"])
        key = f"staff-award:{form.cleaned_data['token']}"
        recent = None if form.cleaned_data["again"] else selectors.recent_same_award(account, rule)
        if recent is not None and (recent.idempotency_key == key or _spent(account, rule)):
            recent = None  # the same form twice is the ledger's to answer; a spent cap, the service's
        if recent is not None:
            # Back and 确认授予 again, or a second award meant on purpose: the cadre says which.
            who = (recent.actor.get_full_name() or recent.actor.username) if recent.actor else "系统"
            form.add_error(
                "again",
                f"{person.name}在 {timezone.localtime(recent.created_at):%H:%M} 已获得“{rule.name}”"
                f"{recent.delta} 分（{who}授予）。如确需再次发放，请勾选“确认再次发放”后再提交；否则无需操作",
            )
        else:
            try:
                result = points_award(
                    person=person, rule=rule, actor=user, idempotency_key=key, note=form.cleaned_data["note"]
                )
            except PointsError as exc:
                form.add_error("rule", str(exc))
            else:
                if result.created:
                    messages.success(request, f"已为{person.name}记 {result.entry.delta} 分（{rule.name}）")
                else:
                    messages.info(request, "该次授予已记录，重复提交未重复计分")
                return redirect("points:account", pk=account.pk)
    now = timezone.now()
    caps = [(r, cap_room(account, r, now)[0]) for r in rules if r.daily_cap or r.monthly_cap]
    return render(request, "points/award_form.html", {"person": person, "account": account, "form": form, "caps": caps})


@permission_required("points.view_pointaccount", raise_exception=True)
def accounts(request):
    if (exported := list_export(request, "points.accounts")) is not None:
        return exported
    q = (request.GET.get("q") or "").strip()
    qs = exports.accounts_rows(request.user, request.GET)
    return render(request, "points/accounts.html", {"q": q, **_page(request, qs)})


@permission_required("points.view_pointaccount", raise_exception=True)
def account(request, pk: int):
    acct = get_visible_or_404(
        PointAccount.objects.select_related("person__territory", "person__home_station_link__station"),
        request.user,
        pk=pk,
    )
    entries = acct.entries.select_related("rule", "actor", "reversed_by").order_by("-created_at", "-id")
    lots = acct.lots.filter(remaining__gt=0, expires_at__isnull=False).order_by("expires_at")[:10]
    return render(
        request,
        "points/account.html",
        {
            "account": acct,
            "person_phone": mask_phone(acct.person.phone),
            "lots": lots,
            "can_reverse": request.user.has_perm("points.reverse_pointentry"),
            "reason_form": ReasonForm(),
            **_page(request, entries, per_page=50),
        },
    )


@require_POST
@permission_required("points.reverse_pointentry", raise_exception=True)
def reverse_entry(request, pk: int):
    entry = get_visible_or_404(PointEntry.objects.select_related("account"), request.user, pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, "冲正原因：不能为空")
    else:
        try:
            points_reverse(entry=entry, actor=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, f"已冲正 {entry.delta} 分")
        except PointsError as exc:
            messages.error(request, str(exc))
    return redirect("points:account", pk=entry.account_id)


# --- tasks -----------------------------------------------------------------------------------


def _task_form(request, data=None):
    user = request.user
    stations = list(Station.objects.visible_to(user).order_by("name")[:500])
    bodies = list(Body.objects.visible_to(user).order_by("sort_order", "id")[:200])
    return TaskForm(data, rules=selectors.rules_for_user(user), stations=stations, bodies=bodies)


@permission_required("points.view_volunteertask", raise_exception=True)
def tasks(request):
    if (exported := list_export(request, "points.tasks")) is not None:
        return exported
    status = request.GET.get("status") or VolunteerTask.Status.OPEN
    qs = exports.tasks_rows(request.user, request.GET)
    return render(
        request, "points/tasks.html", {"status": status, "statuses": VolunteerTask.Status.choices, **_page(request, qs)}
    )


@permission_required("points.add_volunteertask", raise_exception=True)
def task_new(request):
    form = _task_form(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            task = task_publish(
                actor=request.user,
                kind=data["kind"],
                title=data["title"],
                description=data["description"],
                place=data["place"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                slots=data["slots"],
                points=data["points"],
                rule=form.rules[data["rule"]],
                **form.publisher_kwargs(),
            )
        except PointsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已发布任务“{task.title}”")
            return redirect("points:task", pk=task.pk)
    return render(request, "points/task_form.html", {"form": form})


@permission_required("points.view_volunteertask", raise_exception=True)
def task_detail(request, pk: int):
    task = get_visible_or_404(
        VolunteerTask.objects.select_related("station", "publisher_body", "rule"), request.user, pk=pk
    )
    if request.method == "POST":
        if not request.user.has_perm("points.change_taskclaim"):
            raise Http404
        try:
            if "assign" in request.POST:
                person = get_visible_or_404(Person, request.user, pk=request.POST.get("person") or 0)
                task_claim(task=task, person=person, assigned_by=request.user)
                messages.success(request, f"已指派{person.name}")
            elif "close" in request.POST or "cancel" in request.POST:
                task_close(task=task, actor=request.user, cancel="cancel" in request.POST)
                messages.success(request, "任务已结束" if "close" in request.POST else "任务已取消")
        except PointsError as exc:
            messages.error(request, str(exc))
        return redirect("points:task", pk=task.pk)
    claims = task.claims.select_related("person", "entry").order_by("claimed_at", "id")
    q = (request.GET.get("q") or "").strip()
    candidates = []
    if q:
        candidates = list(Person.objects.visible_to(request.user).filter(name__contains=q).order_by("name")[:20])
    return render(
        request, "points/task_detail.html", {"task": task, "claims": claims, "q": q, "candidates": candidates}
    )


@require_POST
@permission_required("points.change_taskclaim", raise_exception=True)
def claim_confirm(request, pk: int):
    claim = get_visible_or_404(TaskClaim.objects.select_related("task", "person"), request.user, pk=pk)
    completed = request.POST.get("completed") == "1"
    try:
        claim = task_confirm(claim=claim, actor=request.user, completed=completed)
    except PointsError as exc:
        messages.error(request, str(exc))
    else:
        if completed and claim.entry is not None:
            messages.success(request, f"已确认{claim.person.name}完成，记 {claim.entry.delta} 分")
        elif completed:
            messages.warning(request, f"已确认{claim.person.name}完成，但该项目积分已达上限，本次未计分")
        else:
            messages.info(request, f"已记录{claim.person.name}未完成")
    return redirect("points:task", pk=claim.task_id)


# --- photo reports ---------------------------------------------------------------------------


@permission_required("points.view_photoreport", raise_exception=True)
def reports(request):
    if (exported := list_export(request, "points.reports")) is not None:
        return exported
    status = request.GET.get("status") or PhotoReport.Status.SUBMITTED
    qs = exports.reports_rows(request.user, request.GET)
    return render(
        request, "points/reports.html", {"status": status, "statuses": PhotoReport.Status.choices, **_page(request, qs)}
    )


@permission_required("points.view_photoreport", raise_exception=True)
def report_detail(request, pk: int):
    report = get_visible_or_404(PhotoReport.objects.select_related("station", "person", "entry"), request.user, pk=pk)
    if request.method == "POST":
        if not request.user.has_perm("points.change_photoreport"):
            raise Http404
        try:
            if "verify" in request.POST:
                report = photo_report_verify(report=report, actor=request.user)
                paid = f"，记 {report.entry.delta} 分" if report.entry_id else "（上报人未登记或已达上限，未计分）"
                messages.success(request, f"已核实并转为诉求{paid}")
            else:
                photo_report_reject(report=report, actor=request.user, reason=request.POST.get("reason", ""))
                messages.info(request, "已记为不予采纳")
        except PointsError as exc:
            messages.error(request, str(exc))
        return redirect("points:report", pk=report.pk)
    ticket = case_tickets([report.grievance_id]).get(report.grievance_id)
    return render(
        request, "points/report_detail.html", {"report": report, "phone": mask_phone(report.phone), "ticket": ticket}
    )


@login_required
@require_safe
def report_photo(request, pk: int):
    """The photo, only through the scope rule (media files are never served publicly).

    No permission answers 404 like a report outside the scope, so the URL confirms nothing.
    """
    if not request.user.has_perm("points.view_photoreport"):
        raise Http404
    report = get_visible_or_404(PhotoReport, request.user, pk=pk)
    return photo_response(report.photo)


# --- redemptions -----------------------------------------------------------------------------


@permission_required("points.view_redemption", raise_exception=True)
def redemptions(request):
    if (exported := list_export(request, "points.redemptions")) is not None:
        return exported
    status = request.GET.get("status") or Redemption.Status.REQUESTED
    qs = exports.redemptions_rows(request.user, request.GET)
    return render(
        request,
        "points/redemptions.html",
        {"status": status, "statuses": Redemption.Status.choices, **_page(request, qs)},
    )


@require_POST
@permission_required("points.change_redemption", raise_exception=True)
def redemption_decide(request, pk: int):
    redemption = get_visible_or_404(Redemption.objects.select_related("reward", "person"), request.user, pk=pk)
    try:
        if "fulfil" in request.POST:
            points_redemption_fulfil(redemption=redemption, actor=request.user)
            messages.success(request, f"{redemption.person.name}已领取“{redemption.reward.name}”")
        else:
            points_redemption_cancel(redemption=redemption, actor=request.user, reason=request.POST.get("reason", ""))
            messages.info(request, f"已取消，{redemption.cost} 分已退还{redemption.person.name}")
    except PointsError as exc:
        messages.error(request, str(exc))
    return redirect("points:redemptions")


# --- leaderboards ----------------------------------------------------------------------------


@permission_required("points.view_pointentry", raise_exception=True)
def leaderboard(request):
    """One page, one selector: group by person/station/street/district, within a node, over a period."""
    if request.GET.get("format") == "csv":  # the old shortlist link: now the one export path
        params = {k: v for k, v in request.GET.items() if k != "format"}
        return export_response(request, key="points.shortlist", params=params, fmt="csv")
    if (exported := list_export(request, "points.leaderboard")) is not None:
        return exported
    user = request.user
    f = exports.leaderboard_filters(user, request.GET)
    group_by, period, start, end = f["group_by"], f["period"], f["start"], f["end"]
    nodes, within, stations, station, error = f["nodes"], f["within"], f["stations"], f["station"], f["error"]
    rows = selectors.leaderboard(user=user, group_by=group_by, start=start, end=end, within=within, station=station)
    return render(
        request,
        "points/leaderboard.html",
        {
            "rows": rows,
            "group_by": group_by,
            "groups": selectors.GROUPS,
            "period": period,
            "periods": selectors.PERIODS,
            "nodes": nodes,
            "within": within,
            "stations": stations,
            "station": station,
            "start": timezone.localtime(start).date(),
            "end": (timezone.localtime(end) - timedelta(days=1)).date(),
            "error": error,
        },
    )


@permission_required("points.view_homestation", raise_exception=True)
def station_people(request, code: str):
    """The people linked to a station (常驻人员) with their balance, for its manager's phone:
    each row opens the award form, which books points through ``points_award``."""
    user = request.user
    station = get_visible_or_404(Station.objects.all(), user, code=code)
    links = restrict(HomeStation.objects.filter(station=station), user).select_related("person__point_account")
    q = (request.GET.get("q") or "").strip()
    if q:
        # By the masking policy a phone matches whole or by the 4 digits its mask shows.
        links = links.filter(Q(person__name__contains=q) | (phone_search_q(q, "person__phone", viewer=user) or Q()))
    rows = [
        (link.person, mask_phone(link.person.phone), getattr(link.person, "point_account", None))
        for link in links.order_by("person__name", "person_id")[:201]
    ]
    pending_claims = 0
    if user.has_perm("points.view_taskclaim"):
        pending_claims = restrict(
            TaskClaim.objects.filter(status=TaskClaim.Status.CLAIMED, person__home_station_link__station=station), user
        ).count()
    return render(
        request,
        "points/station_people.html",
        {
            "station": station,
            "rows": rows[:200],
            "truncated": len(rows) > 200,
            "q": q,
            "can_award": user.has_perm("points.add_pointentry"),
            "pending_claims": pending_claims,
        },
    )
