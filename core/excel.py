"""Spreadsheet exports that are safe to open: no formula injection, sensible formatting."""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize_formula(value):
    """Prefix a text cell that Excel would run as a formula (CVE-style CSV injection).

    Numbers stay numbers: only *strings* starting with = + - @ TAB CR are escaped.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
