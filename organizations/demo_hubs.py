"""Demo organizations and units under the hubs and committees (Qinhuai's "1+2+N" and the area
committees), and the large organizations the size rules are about: an enterprise 党总支 above
50 members and an enterprise 党委 above 100. The member counts written here are the sizes the
members demo staffs each organization and unit to (``members.demo.seed_staff``); the recount
that follows makes them true.

Streets are found by name and level, never by a territory code (the codes are being replaced
by the official statistical ones). Idempotent: organizations and units are found by code.
"""

from __future__ import annotations

import datetime as dt

from organizations.demo_scale import _Batch, _life, _name, _org, credit_code
from organizations.models import PartyOrganization, Territory, Unit
from organizations.selectors import add_months

K = PartyOrganization.Kind
Mode = PartyOrganization.EstablishmentMode
I = Unit.Industry  # noqa: E741

# hub/committee code → (street name, industry committee code or "", [(unit name, industry, full members)])
HUB_CHILDREN = {
    "QH-XJKCBD": ("洪武路街道", "", [("金陵饭店股份有限公司", I.OTHER, 14), ("南京商厦经营管理有限公司", I.RETAIL, 6)]),
    "QH-GX": (
        "光华路街道",
        "HY-HLW",
        [("南京硅巷云创科技有限公司", I.SOFTWARE, 9), ("南京秦淮数智科技有限公司", I.SOFTWARE, 4)],
    ),
    "QH-WLZH": (
        "大光路街道",
        "HY-HLW",
        [("南京星耀直播电商有限公司", I.LIVE_STREAMING, 5), ("南京秦淮网红孵化基地", I.LIVE_STREAMING, 3)],
    ),
    "QH-WYZH": (
        "瑞金路街道",
        "HY-WY",
        [("南京瑞金物业服务有限公司", I.PROPERTY, 8), ("南京金陵家园物业有限公司", I.PROPERTY, 4)],
    ),
    "AREA-DJ": (
        "新街口街道",
        "",
        [("南京德基商业管理有限公司", I.RETAIL, 11), ("德基广场二期写字楼联合体", I.OTHER, 3)],
    ),
    "AREA-FZM": (
        "夫子庙街道",
        "",
        [("夫子庙文旅集团有限公司", I.OTHER, 7), ("南京贡院街餐饮管理有限公司", I.CATERING, 3)],
    ),
    "AREA-LMD": ("中华门街道", "", [("老门东文化街区运营有限公司", I.OTHER, 5), ("南京门东手作工坊", I.RETAIL, 3)]),
    "AREA-JNKFQ": (
        "秣陵街道",
        "HY-HLW",
        [("江宁开发区智能网联科技有限公司", I.SOFTWARE, 16), ("南京秣陵新材料有限公司", I.MANUFACTURING, 6)],
    ),
}
# Units covered by the area committee itself (区域兜底覆盖), a member or two each.
AREA_COVERED = {"AREA-DJ": 3, "AREA-FZM": 2, "AREA-LMD": 2, "AREA-JNKFQ": 2, "QH-XJKCBD": 2}
# (code, name, kind, street name, district name, full members, probationary)
LARGE = [
    ("ZZ-SNYG", "苏宁易购集团股份有限公司新街口店党总支", K.GENERAL_BRANCH, "新街口街道", "玄武区", 54, 4),
    ("DW-JLJT", "南京金陵建工集团有限公司党委", K.COMMITTEE, "秣陵街道", "江宁区", 104, 8),
]


def _street(name: str, district: str | None = None) -> Territory | None:
    streets = Territory.objects.filter(name=name, level=Territory.Level.STREET)
    if district:
        parent = Territory.objects.filter(name=district, level=Territory.Level.DISTRICT).first()
        streets = streets.filter(path__startswith=parent.path) if parent else streets.none()
    return streets.order_by("path").first()


def _unit(name, industry, street, org, serial, full, probationary=1, **extra) -> Unit:
    region = street.code[:6]
    return Unit(
        name=name,
        credit_code=credit_code(region, serial),
        kind=Unit.Kind.ENTERPRISE,
        industry=industry,
        size=Unit.Size.MEDIUM if full < 20 else Unit.Size.LARGE,
        employee_count=40 + full * 12,
        address=f"{street.name}{name[:2]}路{serial % 90 + 1}号",
        legal_representative=_name(serial),
        territory=street,
        organization=org,
        full_member_count=full,
        member_count=full + probationary if full else 0,
        **extra,
    )


def seed_hub_members(today: dt.date) -> None:
    batch = _Batch()
    serial = 7000
    for hub_code, (street_name, committee_code, children) in HUB_CHILDREN.items():
        hub = PartyOrganization.objects.filter(code=hub_code).first()
        street = _street(street_name)
        if hub is None or street is None:
            continue
        if hub.territory.level == Territory.Level.STREET:
            street = hub.territory
        committee = PartyOrganization.objects.filter(code=committee_code).first() if committee_code else None
        for n, (unit_name, industry, full) in enumerate(children, start=1):
            serial += 1
            founded = add_months(today, -(18 + serial % 30))
            org, new = _org(
                f"{hub_code}-{n}",
                f"{unit_name.removesuffix('股份有限公司').removesuffix('有限公司')}党支部",
                K.BRANCH,
                street,
                PartyOrganization.objects.get(pk=hub.pk),
                founded_on=founded,
                founding_document_no=f"{hub.name[:4]}〔{founded.year}〕{n}号",
                industry_committee=committee,
                full_member_count=full,
                member_count=full + 1,
                status=PartyOrganization.Status.ACTIVE,
            )
            if new:
                batch.units.append(_unit(unit_name, industry, street, org, serial, full))
                _life(batch, org, serial, today, committee=full >= 7)
        for n in range(1, AREA_COVERED.get(hub_code, 0) + 1):
            serial += 1
            code = credit_code(street.code[:6], serial)
            if not Unit.objects.filter(credit_code=code).exists():
                batch.units.append(
                    _unit(f"{hub.name[:4]}入驻小微企业{n}号", I.OTHER, street, hub, serial, n % 2, probationary=0)
                )
    for code, name, kind, street_name, district, full, probationary in LARGE:
        street = _street(street_name, district)
        parent = PartyOrganization.objects.filter(territory=street, kind=K.COMPREHENSIVE_COMMITTEE).first()
        if street is None or parent is None:
            continue
        serial += 1
        org, new = _org(
            code,
            name,
            kind,
            street,
            parent,
            founded_on=add_months(today, -96),
            founding_document_no=f"{street.name[:2]}党工委〔{today.year - 8}〕3号",
            full_member_count=full,
            member_count=full + probationary,
            status=PartyOrganization.Status.ACTIVE,
        )
        if new:
            unit_name = name.removesuffix("党总支").removesuffix("党委")
            batch.units.append(
                _unit(unit_name, I.RETAIL, street, org, serial, full, probationary, is_private_top500=True)
            )
            _life(batch, org, serial, today, committee=True)
    batch.flush()
