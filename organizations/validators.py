"""Checksums of the national codes the portal relies on."""

from __future__ import annotations

import re
from operator import mul

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


_CREDIT_CODE_VALUE = {ch: i for i, ch in enumerate(CREDIT_CODE_ALPHABET)}


def credit_code_check_char(first17: str) -> str:
    if len(first17) != len(CREDIT_CODE_WEIGHTS):
        raise ValueError(f"17 characters expected, got {len(first17)}")
    try:
        # map/mul rather than a generator: checked once per row of an import of 100k units.
        total = sum(map(mul, map(_CREDIT_CODE_VALUE.__getitem__, first17), CREDIT_CODE_WEIGHTS))
    except KeyError as exc:
        raise ValueError(f"not a credit-code character: {exc.args[0]!r}") from None
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def credit_code_error(value: str) -> str | None:
    """Why ``value`` is not a valid credit code, or None. Expects a normalised value."""
    if len(value) != 18:
        return f"统一社会信用代码应为18位，实际{len(value)}位"
    bad = sorted(set(value) - _CREDIT_CODE_VALUE.keys())
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


# --- 统计用区划代码 (statistical division codes) ---------------------------------------------------
# 12 digits: 2 province, 2 city, 2 county (区/县), 3 town (街道/镇), 3 village (社区/村). A city or
# district may also carry its 6-digit GB/T 2260 code (the 12-digit form with the trailing zeros
# cut). A grid (网格) has no national code: the portal writes its community's code + "G" + two
# digits. The checks read the structure only, never a list of known codes, so the official table
# loads through the same door as the demo.
LEVEL_ORDER = ("city", "district", "street", "community", "grid")
LEVEL_LABELS = {"city": "市", "district": "区（县）", "street": "街道/镇", "community": "社区/村", "grid": "网格"}
# How many leading digits of the 12-digit form identify a node of each level.
LEVEL_PREFIX = {"city": 4, "district": 6, "street": 9, "community": 12}
_GRID_CODE = re.compile(r"^(\d{12})G(\d{2})$")


def territory_code_level(code: str) -> tuple[str | None, str | None]:
    """The level a code's structure says it is, or (None, the reason it is not a division code)."""
    grid = _GRID_CODE.match(code)
    if grid:
        base_level, error = territory_code_level(grid.group(1))
        if error or base_level != "community":
            return None, f"网格代码“{code}”应为所在社区的12位代码加 G 和两位序号"
        return "grid", None
    if not code.isdigit() or len(code) not in (6, 12):
        return None, f"区划代码“{code}”应为6位（市、区）或12位数字（统计用区划代码），网格为社区代码加 G 和两位序号"
    full = code.ljust(12, "0")
    province, city, county, town, village = full[:2], full[2:4], full[4:6], full[6:9], full[9:12]
    if province == "00":
        return None, f"区划代码“{code}”的省级部分（前2位）不能为00"
    if city == "00":
        return None, f"区划代码“{code}”是省级代码，本平台从市级开始"
    if village != "000":
        return "community", None
    if town != "000":
        return "street", None
    if county != "00":
        return "district", None
    return "city", None


def _twelve(code: str) -> str:
    return code.ljust(12, "0") if code.isdigit() else code


def territory_code_errors(*, code: str, level: str, parent_code: str | None, parent_level: str | None) -> dict:
    """Why ``code`` at ``level`` cannot sit under the parent (code, level); empty when it can."""
    found, error = territory_code_level(code)
    if error:
        return {"code": error}
    if found != level:
        return {
            "level": f"代码“{code}”按结构是{LEVEL_LABELS[found]}级，与所选层级“{LEVEL_LABELS.get(level, level)}”不一致"
        }
    if parent_code is None:
        if level != "city":
            return {"code": f"{LEVEL_LABELS[level]}须放在上级辖区之下"}
        return {}
    if parent_level not in LEVEL_ORDER or LEVEL_ORDER.index(parent_level) >= LEVEL_ORDER.index(level):
        return {
            "level": f"{LEVEL_LABELS[level]}不能放在{LEVEL_LABELS.get(parent_level, parent_level)}“{parent_code}”之下"
        }
    if level == "grid":
        if not code.startswith(parent_code):
            return {"code": f"网格代码“{code}”应以所在社区代码“{parent_code}”开头"}
        return {}
    prefix = _twelve(parent_code)[: LEVEL_PREFIX[parent_level]]
    if not _twelve(code).startswith(prefix):
        return {"code": f"代码“{code}”不在上级辖区“{parent_code}”之内（应以“{prefix}”开头）"}
    return {}


def validate_territory_placement(*, code: str, level: str, parent) -> None:
    errors = territory_code_errors(
        code=code,
        level=level,
        parent_code=parent.code if parent is not None else None,
        parent_level=parent.level if parent is not None else None,
    )
    if errors:
        raise ValidationError(errors)


def validate_industry_code(value: str) -> None:
    from organizations.industry import classification

    if value and value not in classification():
        raise ValidationError(f"“{value}”不是 GB/T 4754-2017 的门类或大类代码")
