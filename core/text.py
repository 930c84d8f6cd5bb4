"""Text on the way in: codes are folded, prose is kept as typed.

Codes (ID numbers, credit codes, phones, ticket numbers, station codes) are natural keys: the same
code typed in full width, lower case or with spaces must be the same key, so they are folded
(``clean_code``). Prose (grievance text, replies, resolutions, names, addresses) is a record of
what someone wrote: Chinese punctuation (，（）), full-width characters and line breaks are kept
(``clean_prose`` / ``clean_line``); only invisible control characters and the outer whitespace go.
``clean_text`` folds like a code but keeps inner single spaces: use it only to *match* typed
labels (column headers, choice labels, aliases), never to store prose.
"""

from __future__ import annotations

import re
import unicodedata

_DASHES = str.maketrans({"－": "-", "—": "-", "–": "-", "‐": "-", "‑": "-", "−": "-"})
# C0/C1 control characters except TAB and LF; they are never meant (pasted from Word, Excel).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\ufeff]")
_LINE_SPACE = re.compile(r"[ \t]*\n[ \t\n]*")


def to_halfwidth(value: str) -> str:
    """NFKC folds full-width ASCII (ＡＢＣ１２３) and the ideographic space into plain ASCII."""
    if value.isascii():
        return value  # ASCII is its own NFKC form and holds none of the dashes: most cells
    return unicodedata.normalize("NFKC", value).translate(_DASHES)


def clean_text(value: str | None) -> str:
    """A label folded for matching (header, choice label, alias): never stored as prose."""
    if value is None:
        return ""
    return " ".join(to_halfwidth(str(value)).split())


def clean_code(value: str | None) -> str:
    """A code: half-width, upper-case, with all spaces removed."""
    return "".join(clean_text(value).split()).upper()


def clean_prose(value: str | None) -> str:
    """Multi-line prose as typed: line breaks (CRLF → LF), punctuation and full width kept."""
    if value is None:
        return ""
    text = str(value)
    if text.isprintable():
        # No line break and no control character (all are unprintable): only the outer spaces
        # go. Most cells of an import are such, and this skips two regular expressions each.
        return text.strip()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip()


def clean_line(value: str | None) -> str:
    """One-line prose (a name, a title) as typed: outer spaces trimmed, line breaks become a space."""
    text = clean_prose(value)
    return _LINE_SPACE.sub(" ", text) if "\n" in text else text
