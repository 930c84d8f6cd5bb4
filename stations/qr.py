"""宁新码: the QR code printed at each station, pointing at its public phone page."""

from __future__ import annotations

from io import BytesIO

import segno
from django.conf import settings
from django.urls import reverse


def public_url(station) -> str:
    """Absolute URL of the station's phone page, built on ``PORTAL_PUBLIC_BASE_URL``.

    The QR is printed and stays on a wall for years, so it must not depend on the host name a
    staff member happened to use when downloading it.
    """
    base = settings.PORTAL_PUBLIC_BASE_URL.rstrip("/")
    return base + reverse("station-phone", kwargs={"code": station.code})


def _qr(station):
    # Error correction "M" survives a scuffed sticker while keeping modules large enough
    # for cheap phone cameras.
    return segno.make(public_url(station), error="m", micro=False)


def qr_png(station, *, scale: int = 10) -> bytes:
    out = BytesIO()
    _qr(station).save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def qr_svg(station, *, scale: int = 10, inline: bool = False) -> str:
    out = BytesIO()
    _qr(station).save(out, kind="svg", scale=scale, border=4, xmldecl=not inline)
    return out.getvalue().decode("utf-8")
