"""Worker phone pages: no staff account, the worker proves their phone with a one-time code.

Everything shown is the worker's own: their balance and history, the catalogue they may
redeem from, the tasks they may claim, and the 随手拍 form of the station they scanned.
"""

from __future__ import annotations

import uuid
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.cases import case_tickets
from members.phone_identity import (
    RESEND_INTERVAL_SECONDS,
    PhoneIdentityError,
    current_phone,
    forget_phone,
    otp_request,
    otp_verify,
    remember_phone,
)
from members.validators import normalize_phone, phone_error
from points import selectors
from points.forms import CodeForm, PhoneForm, PhotoReportForm
from points.models import PointAccount, Redemption, RewardNight, TaskClaim, VolunteerTask
from points.services import (
    PointsError,
    photo_report_submit,
    points_redeem,
    points_redemption_cancel,
    task_claim,
    task_withdraw,
)
from stations.models import Station


def _login_url(request) -> str:
    return f"{reverse('points:phone-login')}?{urlencode({'next': request.get_full_path()})}"


def phone_required(view):
    """The worker must have verified their phone; ``request.worker_phone`` is set."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        phone = current_phone(request)
        if phone is None:
            return redirect(_login_url(request))
        request.worker_phone = phone
        request.worker = selectors.person_for_phone(phone)
        return view(request, *args, **kwargs)

    return wrapper


def _unregistered(request):
    return render(request, "points/phone/unregistered.html", {"phone": request.worker_phone}, status=200)


def phone_login(request):
    next_url = request.POST.get("next") or request.GET.get("next") or reverse("points:phone-home")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("points:phone-home")
    step = "phone"
    retry_after, notice = 0, ""
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and "code" in request.POST:
        step = "code"
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                phone = otp_verify(phone=form.cleaned_data["phone"], code=form.cleaned_data["code"])
            except PhoneIdentityError as exc:
                form.add_error("code", str(exc))
            else:
                remember_phone(request, phone)
                return redirect(next_url)
    elif request.method == "POST" and form.is_valid():
        phone = normalize_phone(form.cleaned_data["phone"])
        if phone_error(phone):
            form.add_error("phone", phone_error(phone))
        else:
            try:
                otp_request(phone=phone)
            except PhoneIdentityError as exc:
                if not exc.retry_after:
                    form.add_error("phone", str(exc))
                else:
                    # A code went out moments ago: say so and count down, on the code step.
                    retry_after, notice = exc.retry_after, str(exc)
            else:
                retry_after = RESEND_INTERVAL_SECONDS
                messages.success(request, "验证码已发送，5分钟内有效")
            if not form.errors:
                step = "code"
                form = CodeForm(initial={"phone": phone})
    return render(
        request,
        "points/phone/login.html",
        {"form": form, "step": step, "next": next_url, "retry_after": retry_after, "notice": notice},
    )


@require_POST
def phone_logout(request):
    forget_phone(request)
    return redirect("points:phone-login")


@phone_required
def phone_home(request):
    person = request.worker
    if person is None:
        return _unregistered(request)
    account = PointAccount.objects.filter(person=person).first()
    entries = account.entries.select_related("rule").order_by("-created_at", "-id")[:30] if account else []
    redemptions = (
        Redemption.objects.filter(person=person).select_related("reward", "night").order_by("-requested_at")[:10]
    )
    claims = TaskClaim.objects.filter(person=person).select_related("task").order_by("-claimed_at")[:10]
    expiring = (
        account.lots.filter(remaining__gt=0, expires_at__isnull=False).order_by("expires_at").first()
        if account
        else None
    )
    return render(
        request,
        "points/phone/home.html",
        {
            "person": person,
            "account": account,
            "entries": entries,
            "redemptions": redemptions,
            "claims": claims,
            "expiring": expiring,
        },
    )


def _posted_id(request, name: str) -> int:
    """A posted key, or 0 (matches nothing) when it is not a number: a tampered form is a 404."""
    value = request.POST.get(name) or ""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else 0


@phone_required
def phone_rewards(request):
    person = request.worker
    if person is None:
        return _unregistered(request)
    if request.method == "POST":
        reward = get_object_or_404(selectors.rewards_for_person(person), pk=_posted_id(request, "reward"))
        night_date, night = None, None
        if reward.is_nightly:
            night = RewardNight.objects.filter(reward=reward, pk=_posted_id(request, "night")).first()
            night_date = night.date if night else None
        if request.POST.get("confirm") != "1":
            # Spending points cannot be undone by the worker once fulfilled: one more look first.
            balance = PointAccount.objects.filter(person=person).values_list("balance", flat=True).first() or 0
            return render(
                request,
                "points/phone/redeem_confirm.html",
                {
                    "reward": reward,
                    "night": night if reward.is_nightly else None,
                    "balance": balance,
                    "after": balance - reward.cost,
                    "short": reward.cost - balance,
                    "token": request.POST.get("token", "")[:40],
                },
            )
        try:
            redemption = points_redeem(
                person=person,
                reward=reward,
                night_date=night_date,
                idempotency_key=f"phone-redeem:{person.pk}:{request.POST.get('token', '')[:40]}",
            )
        except PointsError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, f"兑换成功：{redemption.reward.name}，消耗 {redemption.cost} 分，请到领取点出示本页领取"
            )
            return redirect("points:phone-home")
    account = PointAccount.objects.filter(person=person).first()
    rewards = list(selectors.rewards_for_person(person).order_by("sort_order", "cost", "id"))
    nights = {}
    for night in RewardNight.objects.filter(
        reward__in=[r for r in rewards if r.is_nightly], date__gte=timezone.localdate()
    ).order_by("date")[:200]:
        nights.setdefault(night.reward_id, []).append(night)
    for reward in rewards:
        reward.open_nights = [n for n in nights.get(reward.pk, []) if n.left > 0][:14]
    return render(
        request,
        "points/phone/rewards.html",
        {"rewards": rewards, "balance": account.balance if account else 0, "token": uuid.uuid4().hex},
    )


@require_POST
@phone_required
def phone_redemption_cancel(request, pk: int):
    person = request.worker
    if person is None:
        return _unregistered(request)
    redemption = get_object_or_404(Redemption, pk=pk, person=person)
    try:
        points_redemption_cancel(redemption=redemption, actor=None, reason="本人取消")
        messages.success(request, f"已取消，{redemption.cost} 分已退回")
    except PointsError as exc:
        messages.error(request, str(exc))
    return redirect("points:phone-home")


@phone_required
def phone_tasks(request):
    person = request.worker
    if person is None:
        return _unregistered(request)
    if request.method == "POST":
        try:
            if "withdraw" in request.POST:
                claim = get_object_or_404(TaskClaim, pk=request.POST.get("withdraw"), person=person)
                task_withdraw(claim=claim)
                messages.info(request, f"已退出“{claim.task.title}”")
            else:
                task = get_object_or_404(selectors.open_tasks_for_person(person), pk=request.POST.get("task") or 0)
                task_claim(task=task, person=person)
                messages.success(request, f"认领成功：{task.title}。完成后由发布方确认记分")
        except PointsError as exc:
            messages.error(request, str(exc))
        return redirect("points:phone-tasks")
    tasks = list(selectors.open_tasks_for_person(person)[:50])
    mine = dict(TaskClaim.objects.filter(person=person, task__in=tasks).values_list("task_id", "pk") if tasks else [])
    mine_status = dict(TaskClaim.objects.filter(pk__in=mine.values()).values_list("task_id", "status"))
    for task in tasks:
        task.my_claim = mine.get(task.pk)
        task.my_status = mine_status.get(task.pk)
    return render(request, "points/phone/tasks.html", {"tasks": tasks, "kinds": VolunteerTask.Kind})


@phone_required
def phone_report(request, code: str):
    """随手拍 from a station's QR page: photo, what and where; a verified report pays points."""
    station = get_object_or_404(
        Station.objects.exclude(status=Station.Status.CLOSED).select_related("territory"), code=code
    )
    form = PhotoReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            photo_report_submit(
                station=station,
                phone=request.worker_phone,
                kind=data["kind"],
                text=data["text"],
                photo=data["photo"],
                location_text=data["location_text"],
                longitude=data["longitude"],
                latitude=data["latitude"],
            )
        except (PointsError, ValidationError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "已收到您的随手拍，核实后会转交处理" + ("并记积分" if request.worker else ""))
            return redirect("points:phone-report", code=code)
    recent = []
    if request.worker is not None:
        recent = list(request.worker.photo_reports.order_by("-submitted_at")[:5])
        tickets = case_tickets([r.grievance_id for r in recent])
        for r in recent:
            r.ticket = tickets.get(r.grievance_id)
    return render(
        request,
        "points/phone/report.html",
        {"station": station, "form": form, "registered": request.worker is not None, "recent": recent},
    )
