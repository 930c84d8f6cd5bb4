"""Masking sensitive personal data for viewers who do not need the full value."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    """3201**********123X: region prefix and the last four stay, the birth date does not."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


def mask_phone(value: str | None) -> str:
    """138****1234."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"
