"""One place for the date rules every door shares (admin, API, staff and phone pages, imports).

A *fact* (a founding, an inspection, a visit, a payment, a meeting) happened: it cannot be dated
after today, nor before the thing it is about existed (a meeting before its organization was
founded, a payment before the member joined). A *range* (a campaign, a term) must end on or after
its start. Models call these from ``clean()`` so every door that validates the model gets the same
Chinese message; services call them before they write.
"""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils import timezone


def _as_date(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


class DateChecks:
    """Collects the date errors of one record, by field, and raises them together."""

    def __init__(self, today: dt.date | None = None):
        self.today = today or timezone.localdate()
        self.errors: dict[str, str] = {}

    def fact(self, field: str, value, label: str, *, not_before=None, subject: str = "") -> DateChecks:
        """``value`` is when ``label`` happened: not after today, not before ``not_before``."""
        day, earliest = _as_date(value), _as_date(not_before)
        if day is None or field in self.errors:
            return self
        if day > self.today:
            self.errors[field] = f"{label}（{day:%Y-%m-%d}）不能晚于今天（{self.today:%Y-%m-%d}）"
        elif earliest is not None and day < earliest:
            self.errors[field] = f"{label}（{day:%Y-%m-%d}）不能早于{subject}（{earliest:%Y-%m-%d}）"
        return self

    def ordered(self, start_field: str, start, end_field: str, end, start_label: str, end_label: str) -> DateChecks:
        """``end`` on or after ``start`` (either may be empty)."""
        first, last = _as_date(start), _as_date(end)
        if first is not None and last is not None and last < first and end_field not in self.errors:
            self.errors[end_field] = f"{end_label}（{last:%Y-%m-%d}）不能早于{start_label}（{first:%Y-%m-%d}）"
        return self

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def check_fact_date(value, *, field: str, label: str, not_before=None, subject: str = "") -> None:
    """Shorthand for one fact date."""
    DateChecks().fact(field, value, label, not_before=not_before, subject=subject).raise_if_any()


# --- codes and places shared by several apps -------------------------------------------------------

# A code printed in a URL or a QR (station codes): letters, digits, "-" and "_" only, so the
# link it makes always resolves ("/" or "?" in a code would make its QR page a 404).
URL_SAFE_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]*$")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Landline: area code 0xx/0xxx, 7-8 digits, optional extension; hotlines 400/800 and 95xxx/12xxx.
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$|^[48]00-?\d{3}-?\d{4}$|^(95|12)\d{3,6}$")


def url_code_error(code: str, label: str = "编码") -> str | None:
    if not URL_SAFE_CODE.match(code or ""):
        return f"{label}“{code}”只能由字母、数字、“-”和“_”组成（会印在二维码链接里）"
    return None


def normalize_contact_phone(value: str | None) -> str:
    """A public contact number folded like a code (full width, spaces); the dash of a landline is kept."""
    from core.text import to_halfwidth

    text = re.sub(r"[\s()（）]", "", to_halfwidth(str(value or "")))
    return text.removeprefix("+86").removeprefix("0086")


def contact_phone_error(value: str) -> str | None:
    """A mobile number or a landline/hotline; anything else would show up as a broken ``tel:`` link."""
    if not value or _MOBILE.match(value) or _LANDLINE.match(value):
        return None
    return f"电话“{value}”格式不正确：应为11位手机号或带区号的座机（如 025-84561234）"


def clean_phone_field(instance, name: str = "phone") -> str | None:
    """Fold a model's contact phone in place (a code: full width, spaces) and return what is wrong
    with it, in Chinese, or None; called from the models' ``clean``."""
    if value := getattr(instance, name):
        setattr(instance, name, normalize_contact_phone(value))
        return contact_phone_error(getattr(instance, name))
    return None


def coordinates_error(lng: float, lat: float, bounds: tuple[float, float, float, float], city: str) -> str | None:
    """(lng, lat) inside the city's box (min_lng, min_lat, max_lng, max_lat), said in Chinese."""
    min_lng, min_lat, max_lng, max_lat = bounds
    if min_lng <= lng <= max_lng and min_lat <= lat <= max_lat:
        return None
    hint = "（经纬度是否填反？）" if min_lng <= lat <= max_lng and min_lat <= lng <= max_lat else ""
    return (
        f"坐标（经度 {lng}，纬度 {lat}）不在{city}范围内{hint}："
        f"经度应在 {min_lng}–{max_lng}，纬度应在 {min_lat}–{max_lat}"
    )
