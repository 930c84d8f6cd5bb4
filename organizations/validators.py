"""Checksums of the national codes the portal relies on."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from core.text import clean_code

# GB 32100-2015: 统一社会信用代码. 31 characters (no I, O, S, V, Z); the 18th is a mod-31 check.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


# GB 32100-2015 表1 (with the later additions A and N): registering authority → the entity
# types it may register. The first character must be an authority, the second one of its types.
CREDIT_CODE_AUTHORITIES: dict[str, tuple[str, str]] = {
    "1": ("机构编制", "1239"),
    "2": ("外交", "19"),
    "3": ("司法行政", "123459"),
    "4": ("文化", "19"),
    "5": ("民政", "1239"),
    "6": ("旅游", "129"),
    "7": ("宗教", "129"),
    "8": ("工会", "19"),
    "9": ("工商（市场监管）", "123"),
    "A": ("中央军委改革和编制办公室", "19"),
    "N": ("农业", "1239"),
    "Y": ("其他", "1"),
}


def normalize_credit_code(value: str | None) -> str:
    return clean_code(value)


def credit_code_check_char(first17: str) -> str:
    total = sum(CREDIT_CODE_ALPHABET.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def credit_code_error(value: str) -> str | None:
    """Why ``value`` is not a valid credit code, or None. Expects a normalised value."""
    if len(value) != 18:
        return f"统一社会信用代码应为18位，实际{len(value)}位"
    bad = sorted({ch for ch in value if ch not in CREDIT_CODE_ALPHABET})
    if bad:
        return f"统一社会信用代码含非法字符：{''.join(bad)}"
    authority = CREDIT_CODE_AUTHORITIES.get(value[0])
    if authority is None:
        return f"统一社会信用代码第1位“{value[0]}”不是登记管理部门代码"
    if value[1] not in authority[1]:
        return f"统一社会信用代码第2位“{value[1]}”不是{authority[0]}部门登记的机构类别代码"
    if not value[2:8].isdigit():
        return "统一社会信用代码第3-8位应为行政区划代码（数字）"
    if credit_code_check_char(value[:17]) != value[17]:
        return "统一社会信用代码校验位错误"
    return None


def validate_credit_code(value: str) -> None:
    error = credit_code_error(normalize_credit_code(value))
    if error:
        raise ValidationError(error, code="credit_code")
