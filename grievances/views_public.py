"""Public pages (no login): submit a case (general, per station, per campaign) and follow it.

Protected by CSRF, a blocklist and cache-based rate limits per address and per phone
(``grievances.abuse``). Status is shown to whoever knows the ticket *and* the phone's last four
digits; the tickets a browser submitted or verified are remembered for rating and reopening in a
signed cookie (``TICKETS_COOKIE``: unforgeable without the secret key, as the session cookie is a
bearer token too), so the public pages write no session row — an intake is its case's INSERTs.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.http import client_ip
from grievances import abuse, services
from grievances.forms import (
    PublicIntakeForm,
    RateForm,
    ReopenForm,
    StationIntakeForm,
    StatusLookupForm,
    SupplementForm,
)
from grievances.models import Campaign, Channel, Grievance
from grievances.selectors import intake_station, public_status
from members.validators import normalize_phone
from stations.models import Station

TICKETS_COOKIE = "grv_tickets"
TICKETS_SALT = "grievances.public.tickets"
KEEP_TICKETS = 10
# The same form sent again from the same phone within this long (browser back and 提交 again,
# a second tap while the page loads) shows the case already taken instead of taking a second:
# the cookie keeps a digest of what was sent last, so this costs no query.
RESENT_WITHIN_SECONDS = 600
_PARSED = "_grv_tickets"  # the cookie as read, kept on the request


def _tickets(request) -> dict:
    """{"tickets": [...], "last": ticket submitted last, "sent": digest and time of the form
    sent last} from the signed cookie, or empty; read once a request (an intake asks twice)."""
    cached = getattr(request, _PARSED, None)
    if cached is not None:
        return dict(cached)
    value = request.COOKIES.get(TICKETS_COOKIE)
    try:
        data = signing.loads(value, salt=TICKETS_SALT, max_age=settings.SESSION_COOKIE_AGE) if value else {}
    except signing.BadSignature:  # also an expired one
        data = {}
    data = data if isinstance(data, dict) else {}
    setattr(request, _PARSED, data)
    return dict(data)


def _sent_digest(channel: str, station, campaign, data: dict) -> str:
    """What identifies one submission of the form: where it came in and what it says."""
    chosen = [data.get("territory"), data.get("category")]
    parts = [channel, station.pk if station else "", campaign.pk if campaign else ""]
    parts += [getattr(value, "pk", "") for value in chosen]
    parts += [data["text"], data["contact_phone"], data["contact_name"], data["is_anonymous"]]
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:32]


def _already_sent(request, digest: str) -> bool:
    """Whether this browser sent the same form a moment ago (its case is the ``last`` ticket)."""
    data = _tickets(request)
    sent = data.get("sent") or {}
    fresh = time.time() - float(sent.get("at") or 0) < RESENT_WITHIN_SECONDS
    return bool(data.get("last")) and sent.get("digest") == digest and fresh


def _remember(request, response, ticket: str, *, submitted: bool = False, digest: str = ""):
    """Add ``ticket`` to the tickets this browser may see (the last ``KEEP_TICKETS``)."""
    data = _tickets(request)
    tickets = [t for t in data.get("tickets", []) if t != ticket][-(KEEP_TICKETS - 1) :]
    sent = {"digest": digest, "at": int(time.time())} if digest else data.get("sent")
    data = {"tickets": [*tickets, ticket], "last": ticket if submitted else data.get("last", ""), "sent": sent}
    response.set_cookie(
        TICKETS_COOKIE,
        signing.dumps(data, salt=TICKETS_SALT, compress=True),
        max_age=settings.SESSION_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _intake(request, *, channel: str, station=None, campaign=None, heading: str, blocked=None, known_category=None):
    form = (StationIntakeForm if station is not None else PublicIntakeForm)(
        request.POST or None,
        request.FILES or None,
        station=station,
        campaign=campaign,
        known_category=known_category,
    )
    refused = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        digest = "" if data["photos"] else _sent_digest(channel, station, campaign, data)
        if digest and _already_sent(request, digest):
            return redirect(f"{reverse('grievances:submitted')}?again=1")
        try:
            abuse.check_submit(request, data["contact_phone"], blocked=blocked)
            grievance = services.grievance_create(
                channel=channel,
                text=data["text"],
                territory=station.territory if station else data["territory"],
                category=data.get("category"),
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
            response = redirect("grievances:submitted")
            return _remember(request, response, grievance.ticket, submitted=True, digest=digest)
    status = 429 if refused else 200
    return render(
        request,
        "grievances/public_form.html",
        {"form": form, "station": station, "campaign": campaign, "heading": heading, "refused": refused},
        status=status,
    )


# The intake's own transaction is the only one (no request-wide one, no savepoint pair): the
# look-ups and limits before it run on their own, and the publish follows its commit.
@transaction.non_atomic_requests
@never_cache
@require_http_methods(["GET", "POST"])
def general_new(request):
    return _intake(request, channel=Channel.WEB, heading="提交诉求")


@transaction.non_atomic_requests
@never_cache
@require_http_methods(["GET", "POST"])
def station_new(request, code: str):
    if request.method != "POST":
        station = get_object_or_404(Station.objects.select_related("territory"), code=code.upper())
        return _intake(request, channel=Channel.STATION_QR, station=station, heading=f"{station.name} · 提交诉求")
    # One statement: the station, the blocklist's answer for this address and phone, and the
    # chosen active category (the form and the service take it from there).
    phone = normalize_phone(request.POST.get("contact_phone", ""))
    category = request.POST.get("category", "")
    category_pk = int(category) if category.isascii() and category.isdigit() else None
    found = intake_station(code, ip=client_ip(request), phone=phone, category_pk=category_pk)
    if found is None:
        raise Http404("驿站不存在")
    return _intake(
        request,
        channel=Channel.STATION_QR,
        station=found.station,
        heading=f"{found.station.name} · 提交诉求",
        blocked=(phone, found.blocked),
        known_category=found.category,
    )


@transaction.non_atomic_requests
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
    ticket = _tickets(request).get("last")
    if not ticket:
        return redirect("grievances:new")
    again = request.GET.get("again") == "1"
    return render(request, "grievances/public_done.html", {"ticket": ticket, "again": again})


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
                return _remember(request, redirect("grievances:status", ticket=grievance.ticket), grievance.ticket)
    return render(
        request, "grievances/public_lookup.html", {"form": form, "refused": refused}, status=429 if refused else 200
    )


def _verified(request, ticket: str) -> Grievance | None:
    if ticket not in _tickets(request).get("tickets", []):
        return None
    return Grievance.objects.filter(ticket=ticket).select_related("category", "territory", "station").first()


@never_cache
@require_http_methods(["GET", "POST"])
def status(request, ticket: str):
    grievance = _verified(request, ticket)
    if grievance is None:
        return redirect("grievances:lookup")
    action = request.POST.get("action")
    rate_form = RateForm(request.POST if action == "rate" else None, prefix="rate")
    reopen_form = ReopenForm(request.POST if action == "reopen" else None, prefix="reopen")
    supplement_form = SupplementForm(request.POST if action == "supplement" else None, prefix="supplement")
    message = None
    if request.method == "POST":
        form = {"rate": rate_form, "supplement": supplement_form}.get(action, reopen_form)
        if form.is_valid():
            try:
                if form is supplement_form:
                    abuse.check_supplement(grievance.ticket)
                    services.grievance_supplement(grievance=grievance, text=form.cleaned_data["text"])
                    message = "补充内容已送达承办人员"
                elif form is rate_form:
                    services.grievance_rate(
                        grievance=grievance, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
                    )
                    message = "感谢您的评价！"
                else:
                    services.grievance_reopen(grievance=grievance, reason=form.cleaned_data["reason"])
                    message = "已提交重新办理申请，工作人员会尽快联系您"
            except abuse.Refused as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                grievance.refresh_from_db()
                rate_form, reopen_form = RateForm(prefix="rate"), ReopenForm(prefix="reopen")
                supplement_form = SupplementForm(prefix="supplement")
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
            "supplement_form": supplement_form,
            "message": message,
        },
    )
