"""Workers identify themselves on the phone pages by mobile number + a one-time code.

No staff account is involved: a verified phone is remembered in the session for a while, and
pages that show a worker's own records (points, grievance status) ask ``current_phone``.
Codes live in the cache (Redis in production), expire, allow few attempts, and requests are
rate-limited per phone so the SMS gateway cannot be used to spam someone.
"""

from __future__ import annotations

import hmac
import secrets

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from core.sms import send_sms
from core.text import clean_code
from members.validators import normalize_phone

CODE_TTL_SECONDS = 300
MAX_ATTEMPTS = 5
RESEND_INTERVAL_SECONDS = 60
SESSION_KEY = "worker_phone"
SESSION_TTL_SECONDS = 2 * 3600


class PhoneIdentityError(Exception):
    """A message a worker can read: why the code was not sent or not accepted.

    ``retry_after`` is the seconds until a new code may be requested (0 when not throttled),
    so the page can count down instead of leaving the worker waiting for an SMS."""

    def __init__(self, message: str, *, retry_after: int = 0):
        super().__init__(message)
        self.retry_after = retry_after


def _code_key(phone: str) -> str:
    return f"otp:code:{phone}"


def _throttle_key(phone: str) -> str:
    return f"otp:sent:{phone}"


def otp_request(*, phone: str) -> None:
    """Send a 6-digit code to ``phone``; refuses to resend within a minute."""
    phone = normalize_phone(phone)
    now = timezone.now().timestamp()
    if not cache.add(_throttle_key(phone), now, RESEND_INTERVAL_SECONDS):
        sent_at = cache.get(_throttle_key(phone))
        wait = RESEND_INTERVAL_SECONDS
        if isinstance(sent_at, (int, float)) and sent_at > 1:  # older entries held a bare 1
            wait = max(1, min(RESEND_INTERVAL_SECONDS, int(RESEND_INTERVAL_SECONDS - (now - sent_at)) + 1))
        raise PhoneIdentityError(f"验证码发送过于频繁：刚刚已发送，请查看短信；{wait} 秒后可重新获取", retry_after=wait)
    code = f"{secrets.randbelow(1_000_000):06d}"
    cache.set(_code_key(phone), {"code": code, "attempts": 0}, CODE_TTL_SECONDS)
    site = settings.PORTAL_SITE_NAME
    send_sms(phone=phone, text=f"【{site}】您的验证码是 {code}，5分钟内有效。如非本人操作请忽略。")


def otp_verify(*, phone: str, code: str) -> str:
    """Return the normalised phone when ``code`` is right; raise PhoneIdentityError otherwise."""
    phone = normalize_phone(phone)
    entry = cache.get(_code_key(phone))
    if entry is None:
        raise PhoneIdentityError("验证码已过期，请重新获取")
    if entry["attempts"] >= MAX_ATTEMPTS:
        cache.delete(_code_key(phone))
        raise PhoneIdentityError("验证码错误次数过多，请重新获取")
    # The code is a code: folded like every other (a Chinese IME types ６２０１３５), and bytes
    # compared, since compare_digest refuses a str with non-ASCII characters (it was a 500).
    typed = clean_code(code).encode()
    if not hmac.compare_digest(entry["code"].encode(), typed):
        entry["attempts"] += 1
        cache.set(_code_key(phone), entry, CODE_TTL_SECONDS)
        raise PhoneIdentityError("验证码不正确")
    cache.delete(_code_key(phone))
    return phone


def remember_phone(request, phone: str) -> None:
    request.session[SESSION_KEY] = {"phone": phone, "at": timezone.now().timestamp()}
    request.session.set_expiry(SESSION_TTL_SECONDS)


def current_phone(request) -> str | None:
    entry = request.session.get(SESSION_KEY)
    if not entry:
        return None
    if timezone.now().timestamp() - entry["at"] > SESSION_TTL_SECONDS:
        request.session.pop(SESSION_KEY, None)
        return None
    return entry["phone"]


def forget_phone(request) -> None:
    request.session.pop(SESSION_KEY, None)
