"""THE masking policy: what of a sensitive value a viewer without the full-identity right sees.

One policy for lists, detail pages, the API, exports, the audit log, error messages and search,
chosen so that nothing shown anywhere can be combined back into the full value:

* an ID number shows its first 6 (the county of registration) and last 2 characters; the 8
  birth-date digits and the first two of the sequence stay hidden. The birth date is never
  shown beside it — only the birth year or the age (``birth_year``/``age_on``) — so with the
  check digit there remain about 36,600 candidates (366 days × 100 sequences ÷ 11 ≈ 3,300
  consistent ones), not the 10 that "first 4 + last 4 + full birth date" left;
* a phone shows 3 + 4 (138****1234); search by its tail takes exactly those 4 digits, so no
  search reveals a hidden digit;
* an ID number is searched only in full (exact match), never by a part;
* a duplicate outside the viewer's scope is reported without a name (``DUPLICATE_ELSEWHERE``).
"""

from __future__ import annotations

import re
from datetime import date

ID_KEEP_HEAD = 6
ID_KEEP_TAIL = 2
PHONE_TAIL_DIGITS = 4
DUPLICATE_ELSEWHERE = "该身份证号已在其他辖区登记，请联系上级党组织核实"

_PHONE_TAIL = re.compile(rf"^[0-9]{{{PHONE_TAIL_DIGITS}}}$")
_ID_LIKE = re.compile(r"^[0-9]{15}$|^[0-9]{17}[0-9Xx]$")
_PHONE_LIKE = re.compile(r"^\+?[0-9][0-9\- ]{6,19}$")
_ISO_DATE = re.compile(r"^(\d{4})-\d{2}-\d{2}")


def mask_id_number(value: str | None) -> str:
    """320104**********1X."""
    if not value:
        return ""
    if len(value) < ID_KEEP_HEAD + ID_KEEP_TAIL + 6:
        return "*" * len(value)
    hidden = len(value) - ID_KEEP_HEAD - ID_KEEP_TAIL
    return f"{value[:ID_KEEP_HEAD]}{'*' * hidden}{value[-ID_KEEP_TAIL:]}"


def mask_phone(value: str | None) -> str:
    """138****1234."""
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def birth_year(value: date | None) -> int | None:
    """What a masked view shows instead of a birth date."""
    return value.year if value else None


def age_on(value: date | None, on: date) -> int | None:
    if value is None:
        return None
    return on.year - value.year - ((on.month, on.day) < (value.month, value.day))


def is_phone_tail(term: str) -> bool:
    """A phone search by tail takes exactly the digits the masked phone shows."""
    return bool(_PHONE_TAIL.match(term))


def mask_for_audit(value) -> str:
    """``AUDITLOG_MASK_CALLABLE``: the audit trail masks by the same policy as the lists (auditlog's
    own default shows the last half of the value — 9 characters of an ID number)."""
    text = "" if value is None else str(value)
    if not text or text == "None":
        return text
    if _ID_LIKE.match(text):
        return mask_id_number(text)
    date_match = _ISO_DATE.match(text)
    if date_match:
        return f"{date_match.group(1)}-**-**"
    if _PHONE_LIKE.match(text):
        return mask_phone(text)
    return "*" * len(text)
