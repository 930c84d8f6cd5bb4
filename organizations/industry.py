"""GB/T 4754-2017 国民经济行业分类 (门类 and 大类) and the new-sector categories mapped onto it.

The portal's own categories (``Unit.Industry``: 快递物流, 网约配送, 网约车 …) are what Party-building
work is organised by (行业党委); the national classification is what departments' lists are coded
in. Each category names the 大类 (or 门类) it falls under and the words departments use for it
(快递, 物业, 直播电商 …). ``match_industry`` reads a cell the way an officer would: the category's
label, its code, an alias, a GB/T code or name, and failing those a close guess to suggest.

The table is vendored data (``data/industry/``, see SOURCE.md there), read once per process.
"""

from __future__ import annotations

import csv
import difflib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from core.text import clean_code, clean_text

DATA = Path(__file__).resolve().parent / "data" / "industry" / "gbt4754_2017.csv"


@dataclass(frozen=True)
class Division:
    code: str  # "G" for a 门类, "60" for a 大类
    name: str
    level: str  # 门类 / 大类
    section: str  # the 门类 letter

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}" if self.level == "门类" else f"{self.section}{self.code} {self.name}"


@cache
def classification() -> dict[str, Division]:
    with open(DATA, encoding="utf-8", newline="") as fh:
        return {row["code"]: Division(**row) for row in csv.DictReader(fh)}


def sections() -> list[Division]:
    return [d for d in classification().values() if d.level == "门类"]


def divisions() -> list[Division]:
    return [d for d in classification().values() if d.level == "大类"]


@dataclass(frozen=True)
class Category:
    value: str  # Unit.Industry value
    gbt: str  # the 大类 (or 门类) it maps onto; "" for 其他
    aliases: tuple[str, ...] = ()
    # The category a bare GB/T code or name of ``gbt`` means (互联网 for 64, not 网络直播与电商).
    generic: bool = False


# Why each code: 快递服务 6020 ⊂ 60 邮政业; 外卖送餐服务 6242 ⊂ 62 餐饮业; 网约车 is 出租车客运 5412 and
# 互联网货运 is 道路货物运输 543, both ⊂ 54 道路运输业; 律师 7231 and 会计审计 7241 ⊂ 72 商务服务业;
# 物业管理 7020 ⊂ 70; live-streaming platforms and MCNs are 互联网信息服务 ⊂ 64.
CATEGORIES: tuple[Category, ...] = (
    Category(
        "express",
        "60",
        ("快递", "快递业", "快递服务", "快递行业", "寄递", "寄递物流", "邮政快递", "物流快递", "快递物流业", "快递员"),
        True,
    ),
    Category(
        "delivery",
        "62",
        ("外卖", "外卖配送", "网约配送员", "即时配送", "外卖送餐", "骑手", "外卖骑手", "同城配送", "外卖/网约配送"),
    ),
    Category("ride_hailing", "54", ("网约车", "网约车平台", "出租车", "网络预约出租汽车", "网约车司机", "出行服务")),
    Category("freight", "54", ("网络货运", "互联网货运平台", "货运", "货车司机", "道路货运", "货拉拉")),
    Category(
        "live_streaming", "64", ("直播电商", "直播", "网络直播", "电商", "电子商务", "网红直播", "主播", "直播带货")
    ),
    Category("internet", "64", ("互联网企业", "互联网服务", "互联网行业", "平台经济"), True),
    Category("law", "72", ("律师事务所", "律所", "法律服务", "律师行业")),
    Category("accounting", "72", ("会计", "审计", "会计师事务所", "会计审计服务", "税务师事务所", "财税服务")),
    Category("education", "83", ("教育", "民办学校", "培训机构", "教育培训", "校外培训", "民办培训"), True),
    Category("property", "70", ("物业", "物业管理", "物业公司", "物业服务企业"), True),
    Category("manufacturing", "C", ("制造", "工业", "生产制造"), True),
    Category("software", "65", ("软件", "信息服务", "信息技术", "软件开发", "IT"), True),
    Category("retail", "F", ("商贸", "零售", "批发", "批发零售", "商业", "贸易"), True),
    Category("catering", "H", ("餐饮", "住宿", "酒店", "餐饮业", "住宿餐饮"), True),
    Category("finance", "J", ("金融业", "银行", "保险", "证券"), True),
    Category("social_service", "85", ("社会组织", "社会工作", "社工", "公益"), True),
    Category("other", "", ("其它", "其他行业")),
)


@dataclass(frozen=True)
class Match:
    value: str | None  # Unit.Industry value, None when nothing matched
    gbt: str = ""  # the GB/T code the cell named (a code or name of the classification)
    suggestion: str | None = None  # a close category when nothing matched exactly


def _key(text: str) -> str:
    return clean_text(text).lower().replace(" ", "")


@cache
def _lookup() -> tuple[dict[str, str], dict[str, str]]:
    """(cell key → category value, cell key → GB/T code)."""
    from organizations.models import Unit

    labels = dict(Unit.Industry.choices)
    by_text: dict[str, str] = {}
    for category in CATEGORIES:
        by_text[_key(category.value)] = category.value
        by_text[_key(labels[category.value])] = category.value
        for alias in category.aliases:
            by_text.setdefault(_key(alias), category.value)
    gbt: dict[str, str] = {}
    for division in classification().values():
        gbt[_key(division.name)] = division.code
        gbt[_key(division.code)] = division.code
        if division.level == "大类":
            gbt[_key(division.section + division.code)] = division.code
    return by_text, gbt


def category_for_gbt(code: str) -> str:
    """The category a GB/T code means: the generic category of that 大类, else of its 门类, else 其他.
    A 大类 two categories share (54: 网约车 and 互联网货运) is 其他 — the code itself is kept."""
    division = classification().get(code)
    if division is None:
        return "other"
    for wanted in (division.code, division.section):
        generic = [c.value for c in CATEGORIES if c.gbt == wanted and c.generic]
        if generic:
            return generic[0]
    return "other"


def match_industry(text: str) -> Match:
    key = _key(text)
    if not key:
        return Match(None)
    by_text, gbt = _lookup()
    if key in by_text:
        return Match(by_text[key])
    code = gbt.get(key) or gbt.get(_key(clean_code(text)))
    if code:
        return Match(category_for_gbt(code), gbt=code)
    candidates = [*by_text, *gbt]
    close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.5)
    if not close:
        # Department words are often a category word plus 行业/企业/公司/服务 around it.
        close = [c for c in by_text if len(c) >= 2 and c in key][:1]
    if close:
        hit = close[0]
        return Match(None, suggestion=by_text[hit] if hit in by_text else category_for_gbt(gbt[hit]))
    return Match(None)


def gbt_label(code: str) -> str:
    division = classification().get(code)
    return division.label if division else code
