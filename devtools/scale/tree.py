"""Materialized paths exactly as django-treebeard writes them (steplen 4, base 36)."""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEPLEN = 4


def segment(position: int) -> str:
    """The path step of the ``position``-th child (1-based)."""
    digits = ""
    n = position
    while n:
        n, rem = divmod(n, 36)
        digits = ALPHABET[rem] + digits
    return digits.rjust(STEPLEN, "0")


def child_path(parent_path: str, position: int) -> str:
    return parent_path + segment(position)
