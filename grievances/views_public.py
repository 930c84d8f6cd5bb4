"""Public pages (no login): submit a case (general, per station, per campaign) and follow it.

Protected by CSRF, a blocklist and cache-based rate limits per address and per phone
(``grievances.abuse``). Status is shown to whoever knows the ticket *and* the phone's last four
digits; the verified tickets are remembered in the session for rating and reopening.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from grievances import abuse, services
from grievances.forms import PublicIntakeForm, RateForm, ReopenForm, StatusLookupForm
from grievances.models import Campaign, Channel, Grievance
from grievances.selectors import public_status
from stations.models import Station

SESSION_TICKETS = "grievance_tickets"
SESSION_LAST = "grievance_last_ticket"


def _remember(request, ticket: str) -> None:
    tickets = [t for t in request.session.get(SESSION_TICKETS, []) if t != ticket][-9:]
    request.session[SESSION_TICKETS] = [*tickets, ticket]


def _intake(request, *, channel: str, station=None, campaign=None, heading: str):
    form = PublicIntakeForm(request.POST or None, request.FILES or None, station=station, campaign=campaign)
    refused = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            abuse.check_submit(request, data["contact_phone"])
            grievance = services.grievance_create(
                channel=channel,
                text=data["text"],
                territory=station.territory if station else data["territory"],
                category_code=data["category"].code if data.get("category") else None,
                station=station,
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                is_anonymous=data["is_anonymous"],
                photos=data["photos"],
                campaign=campaign,
                receipt_sms=True,
            )
        except abuse.Refused as exc:
            refused = str(exc)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            request.session[SESSION_LAST] = grievance.ticket
            _remember(request, grievance.ticket)
            return redirect("grievances:submitted")
    status = 429 if refused else 200
    return render(
        request,
        "grievances/public_form.html",
        {"form": form, "station": station, "campaign": campaign, "heading": heading, "refused": refused},
        status=status,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def general_new(request):
    return _intake(request, channel=Channel.WEB, heading="提交诉求")


@never_cache
@require_http_methods(["GET", "POST"])
def station_new(request, code: str):
    station = get_object_or_404(Station.objects.select_related("territory"), code=code.upper())
    return _intake(request, channel=Channel.STATION_QR, station=station, heading=f"{station.name} · 提交诉求")


@never_cache
@require_http_methods(["GET", "POST"])
def campaign_new(request, code: str):
    campaign = get_object_or_404(Campaign.objects.select_related("territory"), code=code)
    today = timezone.localdate()
    if not campaign.starts_on <= today <= campaign.ends_on:
        return render(request, "grievances/public_closed.html", {"campaign": campaign}, status=410)
    return _intake(request, channel=Channel.CAMPAIGN, campaign=campaign, heading=campaign.title)


@never_cache
def submitted(request):
    ticket = request.session.get(SESSION_LAST)
    if not ticket:
        return redirect("grievances:new")
    return render(request, "grievances/public_done.html", {"ticket": ticket})


@never_cache
@require_http_methods(["GET", "POST"])
def status_lookup(request):
    form = StatusLookupForm(request.POST or None)
    refused = None
    if request.method == "POST" and form.is_valid():
        try:
            abuse.check_lookup(request, form.cleaned_data["ticket"])
        except abuse.Refused as exc:
            refused = str(exc)
        else:
            grievance = public_status(ticket=form.cleaned_data["ticket"], phone_tail=form.cleaned_data["phone_tail"])
            if grievance is None:
                # One message for both cases: the page must not confirm that a ticket exists.
                form.add_error(None, "未找到与受理编号和手机尾号相符的诉求，请核对后重试")
            else:
                _remember(request, grievance.ticket)
                return redirect("grievances:status", ticket=grievance.ticket)
    return render(
        request, "grievances/public_lookup.html", {"form": form, "refused": refused}, status=429 if refused else 200
    )


def _verified(request, ticket: str) -> Grievance | None:
    if ticket not in request.session.get(SESSION_TICKETS, []):
        return None
    return Grievance.objects.filter(ticket=ticket).select_related("category", "territory", "station").first()


@never_cache
@require_http_methods(["GET", "POST"])
def status(request, ticket: str):
    grievance = _verified(request, ticket)
    if grievance is None:
        return redirect("grievances:lookup")
    rate_form = RateForm(request.POST if request.POST.get("action") == "rate" else None, prefix="rate")
    reopen_form = ReopenForm(request.POST if request.POST.get("action") == "reopen" else None, prefix="reopen")
    message = None
    if request.method == "POST":
        form = rate_form if request.POST.get("action") == "rate" else reopen_form
        if form.is_valid():
            try:
                if form is rate_form:
                    services.grievance_rate(
                        grievance=grievance, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
                    )
                    message = "感谢您的评价！"
                else:
                    services.grievance_reopen(grievance=grievance, reason=form.cleaned_data["reason"])
                    message = "已提交重新办理申请，工作人员会尽快联系您"
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                grievance.refresh_from_db()
                rate_form, reopen_form = RateForm(prefix="rate"), ReopenForm(prefix="reopen")
    window_open = (
        grievance.state == Grievance.State.RESOLVED
        and grievance.resolved_at is not None
        and timezone.now() - grievance.resolved_at <= services.reopen_window()
    )
    return render(
        request,
        "grievances/public_status.html",
        {
            "g": grievance,
            "events": grievance.events.filter(is_public=True).order_by("at", "id"),
            "can_rate": services.can_rate(grievance),
            "can_reopen": window_open,
            "rate_form": rate_form,
            "reopen_form": reopen_form,
            "message": message,
        },
    )
