"""What each kind of survey file holds, as data: a ``KindSpec`` per kind names the natural key,
the columns (field, label, parser, model attribute), the checks and how a row is written.

Adding a column to a kind is adding a ``FieldSpec``; a field declared ``optional=True`` is used
only when the model has it, so a spec may run ahead of a model being extended.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist

from core.text import clean_text
from organizations.validators import credit_code_error, normalize_credit_code
from surveys import normalize as n
from surveys.choices import ChoiceParser, IndustryParser, parse_industry_code

# Nanjing's extent with a margin (GCJ-02 and WGS-84 differ by far less than the margin).
HEAD_COUNT_JUMP_RATIO = 0.5
HEAD_COUNT_JUMP_MIN = 20


def city_bounds() -> tuple[float, float, float, float]:
    return settings.PORTAL_CITY_BOUNDS


@dataclass(frozen=True)
class FieldSpec:
    name: str  # key of the parsed row; the model attribute unless ``attr`` says otherwise
    label: str  # the canonical header (always recognised)
    aliases: tuple[str, ...] = ()  # seeded into the editable alias table
    parse: Callable = n.parse_text
    attr: str | None = ""  # model attribute written on apply; None → a helper column only
    optional: bool = False  # used only when the model has ``attr``
    ref: tuple[str, str] | None = None  # ("app.Model", "lookup field"): the cell is a code of another record
    ref_missing: str = "warning"  # unknown reference: "warning" (left empty) or "error"
    max_length: int | None = None
    create_only: bool = False  # written when a record is created, never compared or updated
    memo: bool = False  # the parser is pure and the column holds few distinct words: parse each once

    @property
    def choice(self) -> ChoiceParser | None:
        return self.parse if isinstance(self.parse, ChoiceParser) else None

    @property
    def model_attr(self) -> str | None:
        if self.attr is None:
            return None
        return self.attr or self.name


Issue = dict  # {"field": name, "message": str, "severity": "error"|"warning"}


def error(name: str, message: str) -> Issue:
    return {"field": name, "message": message, "severity": "error"}


def warning(name: str, message: str) -> Issue:
    return {"field": name, "message": message, "severity": "warning"}


_PLAIN = frozenset({str, int, bool, float, type(None)})


def jsonable(value):
    if type(value) in _PLAIN:  # most values: one set lookup instead of three isinstance calls
        return value
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@dataclass
class KindSpec:
    kind: str
    label: str
    model_label: str
    key: str  # FieldSpec name holding the natural key
    key_attr: str  # model attribute of the natural key
    fields: list[FieldSpec]
    required_for_new: tuple[str, ...] = ()  # model attributes a new record must have
    defaults: dict = field(default_factory=dict)  # model attributes of a new record when absent
    check_key: Callable[[str], str | None] | None = None
    row_checks: list[Callable] = field(default_factory=list)  # (spec, parsed, values, ctx) → issues
    change_checks: list[Callable] = field(default_factory=list)  # (spec, values, before, ctx) → issues
    bulk: bool = False  # apply with bulk_create/bulk_update (no per-object save() or audit signals)
    create: Callable | None = None  # (spec, values) → saved instance, for models that need more than save()
    territory_path: str = "territory"  # ORM path to the placing territory (missing-from-source scope)
    # Attributes kept in a linked model, not a column of this one (an ORM path such as
    # "home_station_link__station_id", which compare reads with .values()): each maps to the
    # service writing a chunk of them, called with [(record pk, value), ...] after the records.
    links: dict[str, Callable] = field(default_factory=dict)
    # A column that also fills another attribute (所属行业 given as a GB/T name fills its code).
    implied: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Attributes a new record may lack in the file: filled with a placeholder and a warning, for
    # the street to confirm on site, instead of refusing the row.
    placeholders: dict[str, str] = field(default_factory=dict)

    @cached_property
    def model(self):
        return apps.get_model(self.model_label)

    def has_attr(self, attr: str) -> bool:
        try:
            self.model._meta.get_field(attr.removesuffix("_id"))
        except FieldDoesNotExist:
            return False
        return True

    @cached_property
    def active_fields(self) -> list[FieldSpec]:
        return [f for f in self.fields if not (f.optional and not self.has_attr(f.model_attr or f.name))]

    @cached_property
    def event_attrs(self) -> frozenset[str]:
        """The model's lifecycle fields (``EVENT_FIELDS``: an organization's kind, territory and
        co-management). A file sets them on a record it creates; on an existing record they
        change only through their service, which records the event and checks the rule."""
        names = getattr(self.model, "EVENT_FIELDS", ())
        return frozenset(names) | frozenset(f"{name}_id" for name in names)

    def compared_attrs(self, present: set[str]) -> list[str]:
        """Model attributes compared and written for a file with the ``present`` fields: a column
        the file does not have never blanks what the portal holds."""
        attrs = [f.model_attr for f in self.active_fields if f.model_attr and not f.create_only and f.name in present]
        for name, extra in self.implied.items():
            if name in present:
                attrs.extend(a for a in extra if a not in attrs and self.has_attr(a))
        if {"district", "street"} & present:
            attrs.append("territory_id")
        return [attr for attr in attrs if attr not in self.event_attrs]

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    def choices_label(self, attr: str, value) -> str:
        try:
            model_field = self.model._meta.get_field(attr.removesuffix("_id"))
        except FieldDoesNotExist:
            return "" if value is None else str(value)
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value if value not in (None, "") else "（空）"))
        if value in (None, ""):
            return "（空）"
        return str(value)


# --- shared parsers and checks -----------------------------------------------------------------


def _choices(model_label: str, attr: str, extra: dict[str, str] | None = None) -> ChoiceParser:
    return ChoiceParser(model_label, attr, extra)


def parse_credit_code(raw):
    value, err = n.parse_code(raw)
    if err:
        return None, "统一社会信用代码以数字形式存储，位数已丢失，请将该列设为文本后重新导出"
    return (normalize_credit_code(value) if value else None), None


def parse_gender(raw):
    if n.is_blank(raw):
        return None, None
    text = clean_text(n.cell_text(raw))
    mapping = {"男": "M", "女": "F", "M": "M", "F": "F", "男性": "M", "女性": "F"}
    if text.upper() in mapping or text in mapping:
        return mapping.get(text, mapping.get(text.upper())), None
    return None, f"性别应为“男”或“女”，实际为“{text}”"


def parse_coordinate(raw):
    value, err = n.parse_decimal(raw)
    if err or value is None:
        return value, err
    return value.quantize(Decimal("0.000001")), None


def parse_phone(raw):
    from members.validators import normalize_phone, phone_error

    if n.is_blank(raw):
        return None, None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    value = normalize_phone(str(raw))
    return (None, phone_error(value)) if phone_error(value) else (value, None)


def parse_person_name(raw):
    from members.validators import name_error, normalize_name

    if n.is_blank(raw):
        return None, None
    value = normalize_name(n.cell_text(raw))
    err = name_error(value)
    return (None, err) if err else (value, None)


def parse_id_number(raw):
    """ID numbers must arrive as text: a number cell has already lost digits (Excel keeps 15)."""
    from members.validators import id_number_error, normalize_id_number

    if n.is_blank(raw):
        return None, None
    value = normalize_id_number(raw)
    err = id_number_error(raw)
    if err is None and isinstance(raw, float):
        err = "身份证号以数字形式存储，末尾数位可能已丢失；请将该列设为文本格式后重新填写"
    return (None, err) if err else (value, None)


def check_coordinates(spec, parsed, values, ctx) -> list[Issue]:
    lng, lat = parsed.get("longitude"), parsed.get("latitude")
    if lng is None and lat is None:
        return []
    if (lng is None) != (lat is None):
        return [error("latitude" if lat is None else "longitude", "经度和纬度须同时填写")]
    lng_min, lat_min, lng_max, lat_max = city_bounds()
    if lng_min <= lat <= lng_max and lat_min <= lng <= lat_max:
        return [error("longitude", f"经纬度可能填反：经度 {lng}、纬度 {lat}")]
    if not (lng_min <= lng <= lng_max and lat_min <= lat <= lat_max):
        return [error("longitude", f"坐标（{lng}, {lat}）不在本市范围内")]
    return []


def check_not_future(*names: str):
    def check(spec, parsed, values, ctx) -> list[Issue]:
        today = dt.date.today()
        issues = []
        for name in names:
            value = parsed.get(name)
            if isinstance(value, dt.date) and value > today:
                issues.append(error(name, f"日期 {value:%Y-%m-%d} 晚于今天，不可能"))
            elif isinstance(value, dt.date) and value.year < 1900:
                issues.append(error(name, f"日期 {value:%Y-%m-%d} 早于1900年，不可能"))
        return issues

    return check


def industry_code_from_name(spec, parsed, values, ctx) -> list[Issue]:
    """所属行业 written as a GB/T code or name keeps that code (unless a code column says more)."""
    gbt = getattr(parsed.get("industry"), "gbt", "")
    if gbt and "industry_code" not in values and spec.has_attr("industry_code"):
        values["industry_code"] = gbt
    return []


def check_district_change(spec, values, before, ctx) -> list[Issue]:
    new, old = values.get("territory_id"), before.get("territory_id")
    if not new or not old or new == old:
        return []
    old_district, new_district = ctx.territories.district_of(old), ctx.territories.district_of(new)
    if old_district and new_district and old_district["id"] != new_district["id"]:
        return [warning("district", f"属地由{old_district['name']}变为{new_district['name']}，跨区变更请核实")]
    return []


def check_head_count_jump(*attrs: str):
    def check(spec, values, before, ctx) -> list[Issue]:
        issues = []
        for attr in attrs:
            new, old = values.get(attr), before.get(attr)
            if new is None or not old:
                continue
            if abs(new - old) >= max(HEAD_COUNT_JUMP_MIN, old * HEAD_COUNT_JUMP_RATIO):
                verbose = spec.model._meta.get_field(attr).verbose_name
                issues.append(warning(attr, f"{verbose}由{old}变为{new}，变化过大，请核实"))
        return issues

    return check


def check_id_consistency(spec, parsed, values, ctx) -> list[Issue]:
    from members.validators import id_number_consistency_errors, id_number_facts

    id_number = parsed.get("id_number")
    if not id_number:
        return []
    issues = [
        error(name, message)
        for name, message in id_number_consistency_errors(
            id_number, birth_date=parsed.get("birth_date"), gender=parsed.get("gender") or ""
        ).items()
    ]
    if not issues:
        birth, gender = id_number_facts(id_number)
        # A blank 性别/出生日期 cell (None or "") is filled from the ID like a missing column.
        if not values.get("birth_date"):
            values["birth_date"] = birth.isoformat()
        if not values.get("gender"):
            values["gender"] = gender
    return issues


# --- apply hooks ------------------------------------------------------------------------------


def create_organization(spec, values):
    from core.tree import add_node
    from organizations.models import PartyOrganization

    values = dict(values)
    parent_id = values.pop("parent_id", None)
    parent = PartyOrganization.objects.get(pk=parent_id) if parent_id else None
    return add_node(PartyOrganization, parent, **values)


# --- the kinds --------------------------------------------------------------------------------

DISTRICT = FieldSpec("district", "所属区", ("区", "所在区", "行政区", "区县", "所属区县", "区域", "辖区"), attr=None)
STREET = FieldSpec(
    "street", "所属街道", ("街道", "所在街道", "街道(镇)", "街镇", "所属街镇", "街道/镇", "乡镇街道"), attr=None
)

UNITS = KindSpec(
    kind="units",
    label="覆盖单位",
    model_label="organizations.Unit",
    key="credit_code",
    key_attr="credit_code",
    check_key=credit_code_error,
    bulk=True,
    required_for_new=("name", "territory_id"),
    defaults={"kind": "enterprise"},
    fields=[
        FieldSpec("name", "单位名称", ("企业名称", "名称", "单位全称", "企业(单位)名称", "机构名称"), max_length=150),
        FieldSpec(
            "credit_code",
            "统一社会信用代码",
            ("信用代码", "社会信用代码", "统一信用代码", "统一代码", "统一社会信用代码(注册号)"),
            parse=parse_credit_code,
        ),
        FieldSpec("kind", "单位类型", ("类型", "单位类别", "主体类型"), parse=_choices("organizations.Unit", "kind")),
        DISTRICT,
        STREET,
        FieldSpec(
            "industry",
            "所属行业",
            ("行业", "行业类别", "行业分类", "行业门类", "所属行业门类", "国民经济行业"),
            parse=IndustryParser(),
            optional=True,
        ),
        FieldSpec(
            "industry_code",
            "行业代码",
            ("国民经济行业代码", "行业分类代码", "行业大类代码", "GB/T4754代码"),
            parse=parse_industry_code,
            optional=True,
            memo=True,
        ),
        FieldSpec(
            "employee_count",
            "从业人员数",
            ("从业人数", "职工人数", "员工人数", "员工数", "从业人员", "职工数"),
            parse=n.parse_nonnegative_int,
            optional=True,
            memo=True,
        ),
        FieldSpec(
            "new_employment_worker_count",
            "新就业群体人数",
            ("新就业群体数", "骑手快递员人数", "新就业群体从业人员数", "新就业人数"),
            parse=n.parse_nonnegative_int,
            optional=True,
            memo=True,
        ),
        FieldSpec("address", "地址", ("单位地址", "注册地址", "经营地址", "住所"), optional=True, max_length=200),
        FieldSpec(
            "legal_representative",
            "法定代表人",
            ("法人", "法定代表人/负责人", "负责人", "法人代表"),
            optional=True,
            max_length=32,
        ),
        FieldSpec(
            "size", "规模", ("企业规模", "单位规模"), parse=_choices("organizations.Unit", "size"), optional=True
        ),
        FieldSpec(
            "is_private_top500", "民营企业500强", ("是否民营企业500强",), parse=lambda raw: _yes_no(raw), optional=True
        ),
        FieldSpec(
            "is_internet_top100",
            "互联网企业100强",
            ("是否互联网企业100强",),
            parse=lambda raw: _yes_no(raw),
            optional=True,
        ),
        FieldSpec(
            "is_little_giant",
            "专精特新小巨人",
            ("专精特新“小巨人”", "是否专精特新小巨人", "小巨人"),
            parse=lambda raw: _yes_no(raw),
            optional=True,
        ),
        FieldSpec("established_on", "成立日期", ("成立时间", "注册日期"), parse=n.parse_date, attr=None),
    ],
    row_checks=[check_not_future("established_on"), industry_code_from_name],
    change_checks=[check_district_change, check_head_count_jump("employee_count", "new_employment_worker_count")],
    implied={"industry": ("industry_code",)},
)


def _set_home_stations(pairs):
    # The person ↔ station link lives in points (the floor above members and stations).
    from points.services import home_stations_set

    home_stations_set(pairs)


MEMBERS = KindSpec(
    kind="members",
    label="人员",
    model_label="members.Person",
    key="id_number",
    key_attr="id_number",
    required_for_new=("name", "territory_id"),
    fields=[
        FieldSpec("name", "姓名", ("人员姓名", "党员姓名", "骑手姓名"), parse=parse_person_name),
        FieldSpec("id_number", "身份证号", ("身份证号码", "公民身份号码", "证件号码", "身份证"), parse=parse_id_number),
        FieldSpec("phone", "手机号", ("手机号码", "联系电话", "电话", "手机"), parse=parse_phone),
        FieldSpec("gender", "性别", (), parse=parse_gender),
        FieldSpec("birth_date", "出生日期", ("出生年月", "生日"), parse=n.parse_date),
        DISTRICT,
        STREET,
        FieldSpec(
            "occupation",
            "职业类别",
            ("职业", "从业类别", "群体类别"),
            parse=_choices("members.Person", "occupation"),
            optional=True,
        ),
        FieldSpec("platform", "所属平台", ("平台",), parse=_choices("members.Person", "platform"), optional=True),
        FieldSpec(
            "employer",
            "所在单位信用代码",
            ("单位信用代码", "工作单位信用代码", "所在单位统一社会信用代码"),
            parse=parse_credit_code,
            attr="employer_id",
            ref=("organizations.Unit", "credit_code"),
        ),
        FieldSpec(
            "home_station",
            "驿站编码",
            ("常驻驿站编码", "所属驿站编码"),
            parse=n.parse_code,
            attr="home_station_link__station_id",
            ref=("stations.Station", "code"),
        ),
    ],
    row_checks=[check_not_future("birth_date"), check_id_consistency],
    change_checks=[check_district_change],
    links={"home_station_link__station_id": _set_home_stations},
)

STATIONS = KindSpec(
    kind="stations",
    label="驿站",
    model_label="stations.Station",
    key="code",
    key_attr="code",
    required_for_new=("name", "territory_id"),
    placeholders={"host_type": "other"},
    fields=[
        FieldSpec("code", "驿站编码", ("站点编码", "编码", "编号", "驿站编号"), parse=n.parse_code),
        FieldSpec("name", "驿站名称", ("名称", "站点名称"), max_length=100),
        FieldSpec("tier", "驿站类型", ("类型", "级别", "驿站级别"), parse=_choices("stations.Station", "tier")),
        FieldSpec(
            "host_type",
            "依托阵地",
            ("依托类型", "阵地类型", "依托场所"),
            parse=_choices("stations.Station", "host_type"),
        ),
        DISTRICT,
        STREET,
        FieldSpec("address", "地址", ("详细地址", "驿站地址"), max_length=200),
        FieldSpec("longitude", "经度", ("东经", "lng", "lon"), parse=parse_coordinate),
        FieldSpec("latitude", "纬度", ("北纬", "lat"), parse=parse_coordinate),
        FieldSpec(
            "coord_system",
            "坐标系",
            (),
            parse=_choices("stations.Station", "coord_system", {"高德": "gcj02", "GPS": "wgs84", "gcj-02": "gcj02"}),
        ),
        FieldSpec("status", "状态", ("运行状态",), parse=_choices("stations.Station", "status")),
        FieldSpec(
            "hosting_unit",
            "依托单位信用代码",
            ("依托单位统一社会信用代码",),
            parse=parse_credit_code,
            attr="hosting_unit_id",
            ref=("organizations.Unit", "credit_code"),
        ),
        FieldSpec("contact_phone", "驿站电话", ("联系电话", "值班电话"), optional=True, max_length=32),
        FieldSpec("is_24h", "24小时开放", ("是否24小时", "24小时"), parse=lambda raw: _yes_no(raw), optional=True),
    ],
    row_checks=[check_coordinates],
    change_checks=[check_district_change],
)


def _yes_no(raw):
    if n.is_blank(raw):
        return None, None
    text = clean_text(n.cell_text(raw))
    if text in ("是", "Y", "y", "1", "√", "有", "true", "True"):
        return True, None
    if text in ("否", "N", "n", "0", "×", "无", "false", "False"):
        return False, None
    return None, f"应填“是”或“否”，实际为“{text}”"


ORGANIZATIONS = KindSpec(
    kind="organizations",
    label="党组织",
    model_label="organizations.PartyOrganization",
    key="code",
    key_attr="code",
    required_for_new=("name", "territory_id", "kind", "parent_id"),
    create=create_organization,
    fields=[
        FieldSpec("code", "组织编码", ("党组织编码", "编码", "组织代码"), parse=n.parse_code),
        FieldSpec("name", "党组织名称", ("组织名称", "名称", "党组织全称"), max_length=150),
        FieldSpec(
            "kind",
            "组织类别",
            ("类别", "党组织类别", "组织类型"),
            parse=_choices("organizations.PartyOrganization", "kind"),
        ),
        DISTRICT,
        STREET,
        FieldSpec(
            "parent",
            "上级党组织编码",
            ("上级组织编码", "隶属党组织编码"),
            parse=n.parse_code,
            attr="parent_id",
            ref=("organizations.PartyOrganization", "code"),
            ref_missing="error",
            create_only=True,
        ),
        FieldSpec(
            "industry_committee",
            "行业党委编码",
            ("双纳管行业党委编码",),
            parse=n.parse_code,
            attr="industry_committee_id",
            ref=("organizations.PartyOrganization", "code"),
        ),
    ],
    change_checks=[check_district_change],
)

SPECS: dict[str, KindSpec] = {spec.kind: spec for spec in (UNITS, MEMBERS, STATIONS, ORGANIZATIONS)}


def default_aliases() -> list[tuple[str, str, str]]:
    """(kind, alias, field) rows the alias table is seeded with."""
    rows = []
    for spec in SPECS.values():
        for f in spec.fields:
            for alias in f.aliases:
                rows.append((spec.kind, alias, f.name))
    return rows
