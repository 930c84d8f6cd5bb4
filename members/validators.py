"""Validation and normalisation of personal identifiers."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from django.core.exceptions import ValidationError

from core.text import to_halfwidth

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


# --- ID numbers (居民身份证号码, GB 11643-1999) -------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
# Spreadsheets store a long digit string as a float: 3.20104199001011E+17 has lost its tail.
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$")


def normalize_id_number(value) -> str:
    """Half-width, no spaces, upper-case X. Numbers (from a spreadsheet cell) become digits.

    Nothing is guessed: a value that lost digits stays short so ``id_number_error`` names it.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # 320104199001011234.0 cannot be held exactly by a float: keep the shape the
        # spreadsheet showed so the message explains what happened.
        return f"{value:.15G}"
    text = "".join(to_halfwidth(str(value)).split()).upper()
    if text.startswith("'"):
        text = text[1:]  # Excel's "store as text" prefix
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    return text


def id_check_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def id_number_error(value) -> str | None:
    """Why ``value`` is not a valid 18-character ID number, in words a clerk understands; or None."""
    text = normalize_id_number(value)
    if not text:
        return "身份证号为空"
    if _SCIENTIFIC.match(text):
        return (
            f"身份证号“{text}”是科学计数法，说明表格把它当作数字保存、末几位已丢失；"
            "请把该列设为“文本”格式后重新填写完整的18位号码"
        )
    if text.isdigit() and len(text) in (15, 16, 17):
        if len(text) == 15:
            return "身份证号为15位旧号码，请填写18位号码"
        return f"身份证号只有{len(text)}位：可能被表格当作数字保存而丢失了末位（或末位的X），请填写完整的18位号码"
    if len(text) != 18:
        return f"身份证号应为18位，实际为{len(text)}位"
    if not _ID_SHAPE.match(text):
        return "身份证号前17位应为数字，末位为数字或X"
    if text[:2] not in _PROVINCE_CODES:
        return f"身份证号前两位“{text[:2]}”不是有效的省级行政区划代码"
    if not is_known_county(text[:6]):
        return f"身份证号前六位“{text[:6]}”不是有效的县级行政区划代码"
    try:
        birth = date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return f"身份证号中的出生日期“{text[6:14]}”不是有效日期"
    if birth.year < 1900 or birth > date.today():
        return f"身份证号中的出生日期“{text[6:14]}”不合理"
    expected = id_check_char(text[:17])
    if text[17] != expected:
        return f"身份证号校验位错误：按前17位计算，末位应为“{expected}”，填写的是“{text[17]}”"
    return None


def id_number_facts(id_number: str) -> tuple[date, str]:
    """(birth date, gender "M"/"F") encoded in a valid ID number: the 17th digit odd = male."""
    birth = date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    return birth, "M" if int(id_number[16]) % 2 else "F"


def id_number_consistency_errors(id_number: str, *, birth_date=None, gender: str = "") -> dict[str, str]:
    """Cross-check a valid ID number with a separately given birth date and gender."""
    errors: dict[str, str] = {}
    birth, id_gender = id_number_facts(id_number)
    if birth_date and birth_date != birth:
        errors["birth_date"] = f"出生日期{birth_date:%Y-%m-%d}与身份证号中的{birth:%Y-%m-%d}不一致"
    if gender and gender != id_gender:
        labels = {"M": "男", "F": "女"}
        errors["gender"] = f"性别“{labels.get(gender, gender)}”与身份证号（第17位表示{labels[id_gender]}）不一致"
    return errors


def validate_id_number(value) -> None:
    error = id_number_error(value)
    if error:
        raise ValidationError(error, code="id_number")


# Residence permits for Hong Kong, Macao and Taiwan residents (港澳台居民居住证, 2018) use
# 810000 / 820000 / 830000 as their address code; 71 is Taiwan's own province code.
PERMIT_ADDRESS_CODES = frozenset({"810000", "820000", "830000", "710000"})


@lru_cache(maxsize=4096)
def is_known_county(code: str) -> bool:
    """GB 11643's address code: a county-level code from the GB/T 2260 table — any period's,
    since a code keeps being valid on the numbers issued while it existed (python-stdnum's
    bundled table; stdnum itself also demands the county existed in the birth year, which is
    wrong for people registered after their county was created)."""
    if code in PERMIT_ADDRESS_CODES:
        return True
    if code.endswith("0000"):
        return False  # a province is not an address code
    from stdnum import numdb

    return any("county" in props for _part, props in numdb.get("cn/loc").info(code)[1:])


_PROVINCE_CODES = frozenset(
    {
        *("11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37"),
        *("41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64"),
        *("65", "71", "81", "82", "83"),
    }
)


# --- names --------------------------------------------------------------------------------

# Minority and foreign names are written with the middle dot; people type it many ways.
_DOT_VARIANTS = str.maketrans({"•": "·", "・": "·", "．": "·", "‧": "·", "∙": "·", "⋅": "·"})
_NAME = re.compile(r"^[\u3400-\u9fffA-Za-z][\u3400-\u9fffA-Za-z· ]*[\u3400-\u9fffA-Za-z]$|^[\u3400-\u9fff]$")


def normalize_name(value) -> str:
    if value is None:
        return ""
    text = str(value).translate(_DOT_VARIANTS)
    text = " ".join(to_halfwidth(text).split())
    # NFKC maps the middle dot to itself, but folds "．" to ".", so fold again.
    text = text.replace(".", "·")
    return re.sub(r"\s*·\s*", "·", text)


def name_error(value: str) -> str | None:
    if not value:
        return "姓名为空"
    if len(value) > 64:
        return "姓名过长（最多64个字）"
    if "··" in value or not _NAME.match(value):
        return "姓名只能包含汉字、字母和间隔号“·”（如 买买提·艾力）"
    return None


def name_initials(value: str) -> str:
    """Pinyin initials for search: 张三 → zs, 买买提·艾力 → mmtal. Letters keep their first letter."""
    from pypinyin import Style, lazy_pinyin

    parts = lazy_pinyin(value.replace("·", ""), style=Style.FIRST_LETTER, errors="ignore")
    return "".join(part[:1] for part in parts if part).lower()[:32]
