"""宁新码 tokens: what the rider's QR carries.

The QR holds a URL ending in ``TimestampSigner(salt).sign(code)``: the pass's short code, the
time it was signed and an HMAC under ``SECRET_KEY``. A guard's phone opening the URL learns
within one request whether the signature is ours (not forged), whether the token is younger
than ``FRIENDLY_PASS_TTL_HOURS`` (a screenshot stops working), and — from the pass row — whether
the pass has expired or been revoked. The same short code can be typed when the camera fails;
typed codes are rate-limited because they carry no signature.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "friendly.rider-pass"
# No 0/O, 1/I/L: the code is read aloud and typed on a cheap phone by a guard.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


class BadToken(Exception):
    """The token is not ours (forged, truncated)."""


class StaleToken(Exception):
    """Ours, but signed longer ago than the pass lifetime: a screenshot or an old page."""


def ttl_seconds() -> int:
    return int(settings.FRIENDLY_PASS_TTL_HOURS) * 3600


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(value: str) -> str:
    from core.text import clean_code

    return clean_code(value).replace("-", "")


def sign(code: str) -> str:
    return signing.TimestampSigner(salt=SALT).sign(code)


def read(token: str) -> str:
    """The pass code inside ``token``; raises BadToken or StaleToken."""
    try:
        return signing.TimestampSigner(salt=SALT).unsign(token, max_age=ttl_seconds())
    except signing.SignatureExpired as exc:
        raise StaleToken from exc
    except signing.BadSignature as exc:
        raise BadToken from exc


def verify_url(code: str) -> str:
    """Absolute URL a guard's phone opens from the QR (on ``PORTAL_PUBLIC_BASE_URL``, the address
    phones reach, not the host name the rider happened to use)."""
    base = settings.PORTAL_PUBLIC_BASE_URL.rstrip("/")
    return base + reverse("friendly:verify", kwargs={"token": sign(code)})
