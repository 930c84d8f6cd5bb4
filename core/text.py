"""Normalising text on the way in: full-width → half-width, trimmed, upper-cased codes."""

from __future__ import annotations

import unicodedata

_DASHES = str.maketrans({"－": "-", "—": "-", "–": "-", "‐": "-", "‑": "-", "−": "-"})


def to_halfwidth(value: str) -> str:
    """NFKC folds full-width ASCII (ＡＢＣ１２３) and the ideographic space into plain ASCII."""
    return unicodedata.normalize("NFKC", value).translate(_DASHES)


def clean_text(value: str | None) -> str:
    if value is None:
        return ""
    return " ".join(to_halfwidth(str(value)).split())


def clean_code(value: str | None) -> str:
    """A code: half-width, upper-case, with all spaces removed."""
    return "".join(clean_text(value).split()).upper()
