"""Cell values as departments send them → clean Python values, or a Chinese reason why not.

Every parser takes the raw cell (str, int, float, date, datetime or None as calamine/csv give it)
and returns ``(value, error)``: exactly one of them is meaningful. ``None`` means an empty cell.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from core.text import clean_code, clean_line, clean_text, to_halfwidth

Parsed = tuple[object, str | None]

# Excel's day zero; 60 is the phantom 1900-02-29, so serials from 61 on are off by one from 1899-12-31.
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SERIAL_MIN, _SERIAL_MAX = 1, 2958465  # 1900-01-01 … 9999-12-31


def is_blank(raw) -> bool:
    if raw is None:
        return True
    if not isinstance(raw, str):
        return False
    if raw.isascii():  # the common case, without NFKC: blank means only white space
        return not raw or raw.isspace()
    return not clean_text(raw)


def cell_text(raw) -> str:
    """How the user saw the cell, for the error report and messages."""
    if type(raw) is str:
        return raw
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e15:
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.strftime("%Y-%m-%d %H:%M") if (raw.hour or raw.minute) else raw.strftime("%Y-%m-%d")
    if isinstance(raw, dt.date):
        return raw.isoformat()
    return str(raw)


def parse_text(raw) -> Parsed:
    """Prose (a name, an address) is kept as typed: full-width brackets and Chinese punctuation stay.
    Only outer spaces, control characters and line breaks inside one cell go (``clean_line``)."""
    if raw is None:
        return None, None
    return clean_line(cell_text(raw)) or None, None


def same_text(a, b) -> bool:
    """Two spellings of one text (“乙公司（更名）” and “乙公司(更名)”, extra spaces): not a change."""
    return isinstance(a, str) and isinstance(b, str) and clean_text(a) == clean_text(b)


def parse_code(raw) -> Parsed:
    """An identifier code: half-width, upper-case, no spaces. Numbers must still be whole."""
    if is_blank(raw):
        return None, None
    if isinstance(raw, float):
        if not raw.is_integer() or abs(raw) >= 1e15:
            return None, "编码以数字形式存储，位数已丢失，请将该列设为文本后重新导出"
        raw = int(raw)
    return clean_code(str(raw)), None


_INT_RE = re.compile(r"^[约]?\s*(-?\d[\d,]*)(?:\.0+)?\s*(?:人|名|个|家|户|位|余人|余|多人|多)?$")


def parse_int(raw) -> Parsed:
    """'12人', '1,200', '１２', 12.0 → int. '约30人' is accepted (the number is what was counted)."""
    if is_blank(raw):
        return None, None
    if isinstance(raw, bool):
        return None, "应为整数"
    if isinstance(raw, int):
        return raw, None
    if isinstance(raw, float):
        if raw.is_integer():
            return int(raw), None
        return None, f"应为整数，实际为 {cell_text(raw)}"
    text = "".join(clean_text(str(raw)).split())
    match = _INT_RE.match(text)
    if not match:
        return None, f"应为整数，无法识别“{clean_text(str(raw))}”"
    return int(match.group(1).replace(",", "")), None


def parse_nonnegative_int(raw) -> Parsed:
    value, error = parse_int(raw)
    if error is None and value is not None and value < 0:
        return None, "不能为负数"
    return value, error


def parse_decimal(raw) -> Parsed:
    if is_blank(raw):
        return None, None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw), None
    text = "".join(clean_text(str(raw)).split()).rstrip("°")
    try:
        return Decimal(text), None
    except InvalidOperation:
        return None, f"应为数字，无法识别“{clean_text(str(raw))}”"


_DATE_PATTERNS = (
    # 2023-05-03, 2023/5/3, 2023.5.3, 2023年5月3日 (日 optional)
    re.compile(r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?(?:[ T].*)?$"),
    # 2023.5, 2023-05, 2023年5月 → the first of the month
    re.compile(r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*月?$"),
    # 20230503
    re.compile(r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
)


def _excel_serial(serial: float) -> Parsed:
    if not (_SERIAL_MIN <= serial <= _SERIAL_MAX) or not float(serial).is_integer():
        return None, f"无法识别的日期“{cell_text(serial)}”"
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial)), None


def parse_date(raw) -> Parsed:
    """ISO, '2023.5', '2023年5月', '2023/5/3', '20230503', Excel serials (as numbers or text)."""
    if is_blank(raw):
        return None, None
    if isinstance(raw, dt.datetime):
        return raw.date(), None
    if isinstance(raw, dt.date):
        return raw, None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return _excel_serial(float(raw))
    text = to_halfwidth(str(raw)).strip()
    if re.fullmatch(r"\d{5}(?:\.0+)?", text):  # a serial that travelled through CSV as text
        return _excel_serial(float(text))
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            parts = match.groupdict()
            year, month, day = int(parts["y"]), int(parts["m"]), int(parts.get("d") or 1)
            try:
                return dt.date(year, month, day), None
            except ValueError:
                return None, f"日期不存在：“{text}”"
    return None, f"无法识别的日期“{text}”（可用 2023-05-01、2023.5、2023年5月 等格式）"


def parse_choice(choices: dict[str, str]):
    """A parser mapping labels (and codes) to stored values; unknown labels are errors."""
    lookup: dict[str, str] = {}
    for value, label in choices.items():
        lookup[clean_text(value).lower()] = value
        lookup[clean_text(label).lower()] = value

    def parse(raw) -> Parsed:
        if is_blank(raw):
            return None, None
        key = clean_text(cell_text(raw)).lower()
        if key in lookup:
            return lookup[key], None
        shown = "、".join(sorted(set(choices.values())))
        return None, f"无法识别“{clean_text(cell_text(raw))}”，可选：{shown}"

    return parse
