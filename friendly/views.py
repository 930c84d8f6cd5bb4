"""Phone pages of the friendly city (no staff login, no app, no CDN — a cheap phone's browser):

* /nx/pass/        the rider's 宁新码: a signed, expiring QR and a short code (phone verified by SMS)
* /nx/g/<key>/     the guard's page for one entrance: type a code, or scan the QR with any camera
* /nx/v/<token>/   what the guard's phone opens from the QR: 有效 / 无效 in one look
* /nx/c/<id>/      a friendly community's published 公约 and its gates
* /nx/merchant/    a merchant claims 爱'新'商家 (reviewed by the street)
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.images import photo_response
from friendly import abuse, passes, services
from friendly.forms import CodeForm, MerchantClaimForm, PhoneForm, TypedCodeForm
from friendly.models import CommunityEntrance, FriendlyCommunity, MerchantClaim
from friendly.selectors import entrance_counts_today, masked_name
from members.phone_identity import (
    PhoneIdentityError,
    current_phone,
    forget_phone,
    otp_request,
    otp_verify,
    remember_phone,
)
from organizations.scope import get_visible_or_404

# The gate's phone remembers its entrance in a signed cookie set by the guard link, so a QR
# opened by the phone's own camera app is counted at that gate.
GATE_COOKIE = "nx_gate"
GATE_COOKIE_SALT = "friendly.gate"
GATE_COOKIE_AGE = 365 * 86400


def _pass_qr_svg(url: str) -> str:
    import io

    import segno

    out = io.BytesIO()
    # Error correction "M" and a 4-module border: reads off a cracked screen in a dim gateway.
    segno.make(url, error="m", micro=False).save(out, kind="svg", scale=6, border=4, xmldecl=False)
    return out.getvalue().decode("utf-8")


# --- rider -----------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def pass_login(request):
    next_url = request.POST.get("next") or request.GET.get("next") or reverse("friendly:pass")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("friendly:pass")
    step = "phone"
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
        phone = form.cleaned_data["phone"]
        try:
            otp_request(phone=phone)
        except PhoneIdentityError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "验证码已发送，5分钟内有效")
        step = "code"
        form = CodeForm(initial={"phone": phone})
    return render(request, "friendly/pass_login.html", {"form": form, "step": step, "next": next_url})


@never_cache
@require_safe
def pass_page(request):
    phone = current_phone(request)
    if phone is None:
        return redirect(f"{reverse('friendly:pass-login')}?{urlencode({'next': request.path})}")
    person = services.worker_for_phone(phone)
    if person is None:
        return render(request, "friendly/pass_unregistered.html", {"reason": "unknown"})
    try:
        rider_pass = services.pass_issue(person=person)
    except ValidationError as exc:
        return render(request, "friendly/pass_unregistered.html", {"reason": "occupation", "message": exc.messages[0]})
    url = passes.verify_url(rider_pass.code)
    return render(
        request,
        "friendly/pass.html",
        {
            "rider_pass": rider_pass,
            "name": masked_name(person.name),
            "occupation": person.get_occupation_display(),
            "platform": person.get_platform_display() if person.platform else "",
            "qr_svg": _pass_qr_svg(url),
            "code_display": f"{rider_pass.code[:4]} {rider_pass.code[4:]}",
        },
    )


@require_POST
def pass_logout(request):
    forget_phone(request)
    return redirect("friendly:pass-login")


# --- guard -----------------------------------------------------------------------------------


def _gate_from_cookie(request) -> CommunityEntrance | None:
    try:
        key = request.get_signed_cookie(GATE_COOKIE, salt=GATE_COOKIE_SALT)
    except (KeyError, signing.BadSignature):
        return None
    return CommunityEntrance.objects.select_related("community").filter(guard_key=key).first()


def _verdict_page(request, verdict, *, status=200):
    rider_pass = verdict.rider_pass
    person = rider_pass.person if rider_pass is not None and verdict.valid else None
    return render(
        request,
        "friendly/verdict.html",
        {
            "verdict": verdict,
            "name": masked_name(person.name) if person else "",
            "occupation": person.get_occupation_display() if person else "",
            "platform": person.get_platform_display() if person and person.platform else "",
            "expires_at": rider_pass.expires_at if person else None,
            "entrance": verdict.entrance,
            "counts": entrance_counts_today(verdict.entrance) if verdict.entrance else None,
        },
        status=status,
    )


@never_cache
@require_safe
def verify(request, token: str):
    """Opened by the guard's camera from the rider's QR."""
    verdict = services.pass_check(token=token, entrance=_gate_from_cookie(request))
    return _verdict_page(request, verdict)


@never_cache
@require_http_methods(["GET", "POST"])
def guard(request, key: str):
    entrance = get_object_or_404(
        CommunityEntrance.objects.select_related("community", "community__territory"), guard_key=key
    )
    form = TypedCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not abuse.allow("typed_code_ip", request):
            form.add_error("code", "输入过于频繁，请十分钟后再试，或请骑手出示二维码扫码核验")
        else:
            verdict = services.pass_check(code=form.cleaned_data["code"], entrance=entrance)
            response = _verdict_page(request, verdict)
            response.set_signed_cookie(
                GATE_COOKIE, key, salt=GATE_COOKIE_SALT, max_age=GATE_COOKIE_AGE, httponly=True, samesite="Lax"
            )
            return response
    response = render(
        request,
        "friendly/guard.html",
        {
            "entrance": entrance,
            "community": entrance.community,
            "form": form,
            "counts": entrance_counts_today(entrance),
        },
        status=429 if form.errors and "频繁" in str(form.errors) else 200,
    )
    response.set_signed_cookie(
        GATE_COOKIE, key, salt=GATE_COOKIE_SALT, max_age=GATE_COOKIE_AGE, httponly=True, samesite="Lax"
    )
    return response


@require_safe
def community_page(request, pk: int):
    community = get_object_or_404(
        FriendlyCommunity.objects.select_related("territory"), pk=pk, status=FriendlyCommunity.Status.PUBLISHED
    )
    return render(
        request,
        "friendly/community.html",
        {"community": community, "entrances": community.entrances.order_by("id")},
    )


# --- merchants -------------------------------------------------------------------------------

SESSION_CLAIM = "friendly_claim"
SHOP_FIELDS = ("merchant_name", "credit_code", "territory", "address", "hours_text")


@never_cache
@require_http_methods(["GET", "POST"])
def merchant_claim(request):
    form = MerchantClaimForm(request.POST or None, request.FILES or None)
    refused = None
    if request.method == "POST" and form.is_valid():
        if not abuse.allow("claim_ip", request):
            refused = "提交过于频繁，请一小时后再试"
        else:
            data = {k: v for k, v in form.cleaned_data.items() if k != "photo"}
            try:
                claim = services.merchant_claim_submit(data=data, photo=form.cleaned_data.get("photo"))
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                request.session[SESSION_CLAIM] = claim.pk
                return redirect("friendly:merchant-done")
    return render(
        request,
        "friendly/merchant_form.html",
        {"form": form, "refused": refused, "shop_fields": [form[name] for name in SHOP_FIELDS]},
        status=429 if refused else 200,
    )


@never_cache
@require_safe
def merchant_done(request):
    pk = request.session.get(SESSION_CLAIM)
    claim = MerchantClaim.objects.filter(pk=pk).select_related("territory").first() if pk else None
    if claim is None:
        return redirect("friendly:merchant")
    return render(request, "friendly/merchant_done.html", {"claim": claim})


@login_required
@require_safe
def merchant_photo(request, pk: int):
    """A claim's shop photo, read through the claim's door (never a /media/ link)."""
    if not request.user.has_perm("friendly.view_merchantclaim"):
        raise Http404
    claim = get_visible_or_404(MerchantClaim.objects.all(), request.user, pk=pk)
    if not claim.photo:
        raise Http404
    return photo_response(claim.photo)
