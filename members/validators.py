"""Validation and normalisation of personal identifiers."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

from organizations.textnorm import to_halfwidth

_PHONE = re.compile(r"^1[3-9]\d{9}$")


def normalize_phone(value: str | None) -> str:
    """Mainland mobile numbers: full-width digits, spaces, dashes and +86 are accepted on input."""
    if value is None:
        return ""
    digits = re.sub(r"[\s\-()]", "", to_halfwidth(str(value)))
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    return digits


def phone_error(value: str) -> str | None:
    if not _PHONE.match(value):
        return "手机号应为11位大陆手机号码"
    return None


def validate_phone(value: str) -> None:
    error = phone_error(normalize_phone(value))
    if error:
        raise ValidationError(error, code="phone")
