"""Demo data at Nanjing's scale ratios (1+9+27 bodies with duty lists, Qinhuai's 1+2+N, industry,
area and industry-chain committees, a few hundred organizations and units across the districts,
三会一课 records, a few rule violations and 应建未建 units), small enough for SQLite in ``make run``.

Idempotent: bodies, organizations and units are found by their codes; meetings, committee members
and events are only written for organizations created in this run.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from core.dates import add_months
from core.tree import add_node
from organizations.models import (
    Body,
    CommitteeMember,
    Instructor,
    Meeting,
    OrganizationEvent,
    PartyOrganization,
    Responsibility,
    Territory,
    Unit,
    VanguardPost,
)
from organizations.validators import credit_code_check_char

K = PartyOrganization.Kind
Mode = PartyOrganization.EstablishmentMode
I = Unit.Industry  # noqa: E741

# The nine committee-member units and twenty-seven member units of "1+9+27" (the first ones are
# created by organizations.demo.seed_bodies with the codes the demo logins use).
COMMITTEE_MEMBER_UNITS = [
    ("SJ-ZZB", "中共南京市委组织部", "市委组织部"),
    ("SJ-XCB", "中共南京市委宣传部", "市委宣传部"),
    ("SJ-MZJ", "南京市民政局", "民政局"),
    ("SJ-SWJ", "南京市商务局", "商务局"),
    ("SJ-GXJ", "南京市工业和信息化局", "工信局"),
]
MEMBER_UNITS = [
    ("SJ-WXB", "中共南京市委网络安全和信息化委员会办公室", "市委网信办"),
    ("SJ-ZFW", "中共南京市委政法委员会", "市委政法委"),
    ("SJ-GAJ", "南京市公安局", "公安局"),
    ("SJ-SFJ", "南京市司法局", "司法局"),
    ("SJ-JYJ", "南京市教育局", "教育局"),
    ("SJ-KJJ", "南京市科学技术局", "科技局"),
    ("SJ-CZJ", "南京市财政局", "财政局"),
    ("SJ-FCJ", "南京市住房保障和房产局", "房产局"),
    ("SJ-CGJ", "南京市城市管理局", "城管局"),
    ("SJ-WJW", "南京市卫生健康委员会", "卫健委"),
    ("SJ-WLJ", "南京市文化和旅游局", "文旅局"),
    ("SJ-YJJ", "南京市应急管理局", "应急管理局"),
    ("SJ-SWU", "国家税务总局南京市税务局", "税务局"),
    ("SJ-JRJ", "南京市地方金融管理局", "金融局"),
    ("SJ-GZW", "南京市人民政府国有资产监督管理委员会", "国资委"),
    ("SJ-SJJ", "南京市数据局", "数据局"),
    ("SJ-GSL", "南京市工商业联合会", "工商联"),
    ("SJ-KX", "南京市科学技术协会", "科协"),
    ("SJ-CL", "南京市残疾人联合会", "残联"),
    ("SJ-LSXH", "南京市律师协会", "律师协会"),
    ("SJ-KDXH", "南京市快递行业协会", "快递协会"),
    ("SJ-WYXH", "南京市物业管理协会", "物业协会"),
    ("SJ-SZZH", "南京市社会组织总会", "社会组织总会"),
    ("SJ-XFJ", "南京市信访局", "信访局"),
]
DUTIES = {
    "SJ-LXGW": [
        "统筹全市新兴领域党建工作，制定年度工作要点和重点任务清单",
        "组织开展“双线摸排”，动态更新新兴领域党组织和党员底数",
        "建立“日盘点、周例会、月调度”机制，对各区开展考核",
    ],
    "SJ-SCJG": [
        "提供市场主体登记数据，配合开展“双线摸排”取数比对",
        "在企业登记注册、年报环节同步采集党建信息",
        "推动个体工商户、专业市场建立党组织",
    ],
    "SJ-JTYS": [
        "指导网约车、货运平台企业和从业人员党建工作",
        "推动网约车综合服务中心等阵地建设",
        "协调解决网约车司机停车、充电、就餐等诉求",
    ],
    "SJ-YZGL": [
        "指导快递企业网点建立党组织，配合快递行业党委双纳管",
        "推动快递员“进门难”等问题协调解决",
        "提供快递企业、网点名录数据",
    ],
    "SJ-RSJ": ["推动新就业形态劳动者权益保障", "指导新就业形态劳动纠纷一站式调解", "提供职业技能培训资源"],
    "SJ-ZGH": ["推动新就业群体入会", "开放工会驿站作为“宁小蜂”驿站", "开展夏送清凉等关爱活动"],
    "SJ-TSW": ["推动“青年之家”向新就业群体开放", "组织青年骑手志愿服务"],
    "SJ-FL": ["关爱女性新就业群体和随迁子女", "开展托育、家庭教育服务"],
}
GENERIC_DUTIES = [
    "指导本系统、本行业新兴领域党组织建设，督促落实组织覆盖",
    "配合开展“双线摸排”，按季度报送本领域数据",
    "协调解决新就业群体急难愁盼问题，按时反馈诉求办理结果",
]

# Qinhuai's "1+2+N": the district committee, two hubs, and N street/industry comprehensive committees.
QINHUAI_HUBS = [
    ("QH-XJKCBD", "新街口CBD商圈党委", K.AREA_COMMITTEE, PartyOrganization.AreaType.BUSINESS_DISTRICT),
    ("QH-GX", "秦淮硅巷党建联盟", K.AREA_COMMITTEE, PartyOrganization.AreaType.PARK),
]
QINHUAI_INDUSTRY_COMPREHENSIVE = [
    ("QH-WLZH", "秦淮区网络直播行业综合党委"),
    ("QH-WYZH", "秦淮区物业服务行业综合党委"),
]
AREA_COMMITTEES = [
    # code, name, kind of area, district code, street name
    ("AREA-DJ", "德基广场楼宇党委", PartyOrganization.AreaType.BUILDING, "320102", "新街口街道"),
    ("AREA-FZM", "夫子庙商圈党委", PartyOrganization.AreaType.BUSINESS_DISTRICT, "320104", "夫子庙街道"),
    ("AREA-LMD", "老门东历史街区党委", PartyOrganization.AreaType.BLOCK, "320104", "中华门街道"),
    ("AREA-JNKFQ", "江宁开发区园区党委", PartyOrganization.AreaType.PARK, "320115", "秣陵街道"),
]
CHAIN = ("CHAIN-RJ", "南京软件和信息服务产业链党委")
CHAIN_ENTERPRISES = ["南京擎天信息科技有限公司", "南京云帆数据科技有限公司", "南京智信软件股份有限公司"]

BRANDS = {
    I.EXPRESS: ["顺丰速运", "中通快递", "圆通速递", "韵达快递", "京东物流", "极兔速递"],
    I.DELIVERY: ["美团配送", "饿了么蜂鸟即配"],
    I.RIDE_HAILING: ["滴滴出行", "T3出行", "曹操出行"],
    I.SOFTWARE: ["云智科技", "数联信息", "星河软件", "擎宇网络"],
    I.LIVE_STREAMING: ["星播文化传媒", "云直播电商"],
    I.PROPERTY: ["万科物业", "金陵物业", "苏宁银河物业"],
    I.LAW: ["金陵律师事务所", "秦淮律师事务所", "钟山律师事务所"],
    I.EDUCATION: ["启航培训学校", "博雅教育"],
}
UNIT_SUFFIX = {
    I.EXPRESS: ("营业部", Unit.Kind.OUTLET),
    I.DELIVERY: ("配送站", Unit.Kind.OUTLET),
    I.RIDE_HAILING: ("服务中心", Unit.Kind.PLATFORM),
    I.SOFTWARE: ("有限公司", Unit.Kind.ENTERPRISE),
    I.LIVE_STREAMING: ("有限公司", Unit.Kind.ENTERPRISE),
    I.PROPERTY: ("服务处", Unit.Kind.ENTERPRISE),
    I.LAW: ("", Unit.Kind.SOCIAL_ORGANIZATION),
    I.EDUCATION: ("", Unit.Kind.SOCIAL_ORGANIZATION),
}
STREET_INDUSTRIES = [
    I.EXPRESS,
    I.SOFTWARE,
    I.DELIVERY,
    I.LAW,
    I.PROPERTY,
    I.LIVE_STREAMING,
    I.RIDE_HAILING,
    I.EDUCATION,
]
# Which industry committee co-manages (双纳管) a branch of a unit of this industry.
INDUSTRY_COMMITTEE_FOR = {
    I.EXPRESS: "HY-KD",
    I.DELIVERY: "HY-WYPS",
    I.RIDE_HAILING: "HY-WYC",
    I.LAW: "HY-LS",
    I.EDUCATION: "HY-MBJY",
    I.SOFTWARE: "HY-HLW",
    I.LIVE_STREAMING: "HY-HLW",
    I.PROPERTY: "HY-WY",
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["建国", "志强", "秀英", "海燕", "明", "静", "伟", "磊", "婷", "晓东", "文华", "玉兰"]


def _name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)]


def credit_code(region: str, serial: int, *, social: bool = False) -> str:
    first17 = ("51" if social else "91") + region + f"MA{serial:07d}"
    return first17 + credit_code_check_char(first17)


def _org(code, name, kind, territory, parent, **extra) -> tuple[PartyOrganization, bool]:
    existing = PartyOrganization.objects.filter(code=code).first()
    if existing is not None:
        return existing, False
    return add_node(PartyOrganization, parent, code=code, name=name, kind=kind, territory=territory, **extra), True


def seed_bodies_full(city: Territory) -> None:
    municipal = Body.objects.get(code="SJ-LXGW")
    rows = [(c, n, s, Body.Kind.COMMITTEE_MEMBER_UNIT) for c, n, s in COMMITTEE_MEMBER_UNITS]
    rows += [(c, n, s, Body.Kind.MEMBER_UNIT) for c, n, s in MEMBER_UNITS]
    existing = set(Body.objects.values_list("code", flat=True))
    Body.objects.bulk_create(
        Body(code=c, name=n, short_name=s, kind=k, territory=city, parent=municipal, sort_order=20 + i)
        for i, (c, n, s, k) in enumerate(rows)
        if c not in existing
    )
    have = set(Responsibility.objects.values_list("body_id", flat=True).distinct())
    duties = []
    for body in Body.objects.filter(parent=municipal) | Body.objects.filter(pk=municipal.pk):
        if body.pk in have or body.kind == Body.Kind.DISTRICT_COMMITTEE:
            continue
        for number, content in enumerate(DUTIES.get(body.code, GENERIC_DUTIES), start=1):
            duties.append(Responsibility(body=body, number=number, content=content))
    Responsibility.objects.bulk_create(duties)


class _Batch:
    """Rows written after the organizations exist, in one bulk insert per table."""

    def __init__(self):
        self.units: list[Unit] = []
        self.members: list[CommitteeMember] = []
        self.events: list[OrganizationEvent] = []
        self.meetings: list[Meeting] = []
        self.posts: list[VanguardPost] = []

    def flush(self):
        Unit.objects.bulk_create(self.units, batch_size=500)
        CommitteeMember.objects.bulk_create(self.members, batch_size=500)
        OrganizationEvent.objects.bulk_create(self.events, batch_size=500)
        Meeting.objects.bulk_create(self.meetings, batch_size=1000)
        VanguardPost.objects.bulk_create(self.posts)


def _life(batch: _Batch, org: PartyOrganization, index: int, today: dt.date, *, committee: bool) -> None:
    """A secretary (and committee), the founding event, and twelve months of 三会一课 whose
    regularity varies with ``index`` so the score ranking has a bottom and a top."""
    batch.members.append(CommitteeMember(organization=org, name=_name(index), position="secretary"))
    if committee:
        batch.members.append(CommitteeMember(organization=org, name=_name(index + 3), position="organization"))
        batch.members.append(CommitteeMember(organization=org, name=_name(index + 5), position="publicity"))
    batch.events.append(
        OrganizationEvent(
            organization=org,
            kind=OrganizationEvent.Kind.ESTABLISHED,
            occurred_on=org.founded_on or today,
            document_no=org.founding_document_no,
        )
    )
    quality = (index * 7) % 10
    expected = max(org.member_count, 1)
    for months_back in range(12):
        held = add_months(today, -months_back) - dt.timedelta(days=4)
        if org.founded_on and held < org.founded_on:
            break
        absent = (9 - quality) % expected if expected > 1 else 0
        common = {"organization": org, "expected_count": expected, "attended_count": expected - absent}
        if quality >= 3 or months_back % 3 == 0:
            batch.meetings.append(
                Meeting(kind=Meeting.Kind.THEME_DAY, held_on=held, topic="主题党日：学习贯彻党的创新理论", **common)
            )
        if committee and (quality >= 5 or months_back % 2 == 0):
            batch.meetings.append(
                Meeting(
                    kind=Meeting.Kind.COMMITTEE_MEETING,
                    held_on=held - dt.timedelta(days=2),
                    topic="研究近期党建工作",
                    **common,
                )
            )
        if months_back % 3 == 0 and quality >= 2:
            batch.meetings.append(
                Meeting(
                    kind=Meeting.Kind.GENERAL_ASSEMBLY,
                    held_on=held - dt.timedelta(days=1),
                    topic="党员大会：通报季度工作",
                    **common,
                )
            )
        if months_back % 3 == 1 and quality >= 4:
            batch.meetings.append(Meeting(kind=Meeting.Kind.PARTY_LECTURE, held_on=held, topic="书记讲党课", **common))
        if months_back == 2 and quality >= 1:
            batch.meetings.append(
                Meeting(kind=Meeting.Kind.LIFE_MEETING, held_on=held, topic="年度组织生活会", **common)
            )


def seed_scale(city: Territory, stdout=None) -> None:
    today = timezone.localdate()
    seed_bodies_full(city)
    root = PartyOrganization.objects.get(code="SW-LXGW")
    committees = {
        industry: PartyOrganization.objects.get(code=code) for industry, code in INDUSTRY_COMMITTEE_FOR.items()
    }
    batch = _Batch()
    created_orgs = 0

    # Qinhuai "1+2+N"
    qinhuai = Territory.objects.get(code="320104")
    qinhuai_org = PartyOrganization.objects.get(code="QW-320104")
    district_body = Body.objects.get(code="QW-320104")
    for code, name, kind, area in QINHUAI_HUBS:
        org, new = _org(code, name, kind, qinhuai, qinhuai_org, area_type=area, establishment_mode=Mode.JOINT)
        created_orgs += new
        Body.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": Body.Kind.HUB,
                "territory": qinhuai,
                "parent": district_body,
                "organization": org,
            },
        )
    for code, name in QINHUAI_INDUSTRY_COMPREHENSIVE:
        org, new = _org(code, name, K.COMPREHENSIVE_COMMITTEE, qinhuai, qinhuai_org, establishment_mode=Mode.JOINT)
        created_orgs += new
        Body.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": Body.Kind.INDUSTRY_COMPREHENSIVE,
                "territory": qinhuai,
                "parent": district_body,
                "organization": org,
            },
        )

    # Area committees (楼宇/园区/商圈/街区)
    for code, name, area, district_code, street_name in AREA_COMMITTEES:
        street = Territory.objects.get(
            name=street_name, path__startswith=Territory.objects.get(code=district_code).path
        )
        parent = PartyOrganization.objects.get(code=f"JD-{street.code}")
        _o, new = _org(code, name, K.AREA_COMMITTEE, street, parent, area_type=area, establishment_mode=Mode.JOINT)
        created_orgs += new

    # Industry-chain committee: chain committee → enterprise organizations → 攻坚党小组 → 党员先锋岗
    jianye = Territory.objects.get(code="320105")
    chain, _new = _org(CHAIN[0], CHAIN[1], K.CHAIN_COMMITTEE, city, root, establishment_mode=Mode.JOINT)
    for i, enterprise in enumerate(CHAIN_ENTERPRISES, start=1):
        street = Territory.objects.get_children(jianye).order_by("code")[i % 3]
        name = enterprise.removesuffix("有限公司").removesuffix("股份") + "党支部"
        branch, new = _org(
            f"CHAIN-RJ-{i}",
            name,
            K.BRANCH,
            street,
            chain,
            founded_on=add_months(today, -30 - i),
            full_member_count=9 + i,
            member_count=11 + i,
        )
        if new:
            created_orgs += 1
            batch.units.append(
                Unit(
                    name=enterprise,
                    credit_code=credit_code("320105", 9000 + i),
                    kind=Unit.Kind.ENTERPRISE,
                    industry=I.SOFTWARE,
                    size=Unit.Size.MEDIUM,
                    employee_count=300 * i,
                    territory=street,
                    organization=branch,
                    is_little_giant=i == 1,
                    full_member_count=9 + i,
                    member_count=11 + i,
                )
            )
            _life(batch, branch, 900 + i, today, committee=True)
        group, new = _org(f"CHAIN-RJ-{i}-G", f"{name.removesuffix('党支部')}攻坚党小组", K.PARTY_GROUP, street, branch)
        if new:
            batch.posts.append(
                VanguardPost(
                    organization=group, name="核心技术攻关岗", holder_name=_name(i + 40), task="关键软件国产化适配"
                )
            )
            batch.posts.append(
                VanguardPost(
                    organization=group, name="项目交付先锋岗", holder_name=_name(i + 50), task="重点项目按期交付"
                )
            )

    # Grassroots organizations and covered units in every street.
    from organizations.demo import demo_streets

    streets = demo_streets()
    instructors = {i.territory_id: i for i in Instructor.objects.filter(territory__in=streets)}
    Instructor.objects.bulk_create(
        Instructor(name=_name(200 + n), employer=f"{s.name}党工委组织委员", territory=s)
        for n, s in enumerate(streets)
        if s.pk not in instructors
    )
    instructors = {i.territory_id: i for i in Instructor.objects.filter(territory__in=streets)}
    serial = 0
    for si, street in enumerate(streets):
        district_code = street.code[:6]
        comp = PartyOrganization.objects.get(code=f"JD-{street.code}")
        instructor = instructors[street.pk]
        communities = list(Territory.objects.get_children(street).order_by("code")) or [street]
        prefix = street.name.removesuffix("街道")
        units_here = []
        # Rotated street by street, so every industry has its own branches somewhere and every
        # industry committee co-manages (双纳管) organizations in several districts.
        rotation = si % len(STREET_INDUSTRIES)
        for ui, industry in enumerate(STREET_INDUSTRIES[rotation:] + STREET_INDUSTRIES[:rotation]):
            serial += 1
            brand_list = BRANDS[industry]
            suffix, kind = UNIT_SUFFIX[industry]
            brand = brand_list[(si + ui) % len(brand_list)]
            name = (
                f"{brand}{prefix}{suffix}"
                if industry in (I.EXPRESS, I.DELIVERY, I.RIDE_HAILING, I.PROPERTY)
                else f"南京{prefix}{brand}{suffix}"
            )
            units_here.append(
                (
                    ui,
                    industry,
                    kind,
                    name,
                    credit_code(district_code, si * 100 + ui, social=kind == Unit.Kind.SOCIAL_ORGANIZATION),
                )
            )
        existing_codes = set(
            Unit.objects.filter(credit_code__in=[u[4] for u in units_here]).values_list("credit_code", flat=True)
        )

        # Units 0–2 get their own branch; 3–5 share a joint branch; 6 is uncovered; 7 is 应建未建 on every third street.
        own_orgs = []
        for ui in range(3):
            _ui, industry, _kind, uname, _code = units_here[ui]
            full = 3 + (si * 3 + ui * 5) % 10
            founded = add_months(today, -(14 + (si + ui) % 40))
            org, new = _org(
                f"ZB-{street.code}-{ui}",
                f"{uname}党支部",
                K.BRANCH,
                communities[ui % len(communities)],
                comp,
                founded_on=founded,
                founding_document_no=f"{prefix}党工委〔{founded.year}〕{10 + ui}号",
                industry_committee=committees.get(industry),
                instructor=instructor if ui != 2 else None,
                full_member_count=full,
                member_count=full + 1,
            )
            own_orgs.append(org)
            if new:
                created_orgs += 1
                _life(batch, org, si * 10 + ui, today, committee=full >= 7)
        joint, new_joint = _org(
            f"LH-{street.code}",
            f"{prefix}新兴领域联合党支部",
            K.JOINT_BRANCH,
            street,
            comp,
            establishment_mode=Mode.JOINT,
            formed_for_shortage=True,
            founded_on=add_months(today, -20),
            instructor=instructor,
            full_member_count=5,
            member_count=6,
        )
        if new_joint:
            created_orgs += 1
            _life(batch, joint, si * 10 + 5, today, committee=False)
        for ui, industry, kind, uname, code in units_here:
            if code in existing_codes:
                continue
            org = own_orgs[ui] if ui < 3 else joint if ui < 6 else None
            full = org.full_member_count if ui < 3 else (1 if ui < 6 else 0)
            if ui == 7 and si % 3 == 0:
                full = 3 + si % 3  # 应建未建
            batch.units.append(
                Unit(
                    name=uname,
                    credit_code=code,
                    kind=kind,
                    industry=industry,
                    size=[Unit.Size.SMALL, Unit.Size.MEDIUM, Unit.Size.MICRO, Unit.Size.LARGE][(si + ui) % 4],
                    employee_count=20 + (si * 13 + ui * 29) % 400,
                    new_employment_worker_count=(30 + si * 7 + ui * 11) % 150
                    if industry in (I.EXPRESS, I.DELIVERY, I.RIDE_HAILING)
                    else 0,
                    address=f"{street.name}{prefix}路{10 + ui * 3}号",
                    legal_representative=_name(si * 8 + ui),
                    territory=communities[ui % len(communities)],
                    organization=org,
                    instructor=instructor if ui in (0, 6) else None,
                    is_private_top500=ui == 1 and si % 11 == 0,
                    is_internet_top100=ui == 6 and si % 9 == 0,
                    is_little_giant=ui == 1 and si % 7 == 3,
                    full_member_count=full,
                    member_count=full + (1 if full else 0),
                )
            )
    batch.flush()
    _seed_violations(today)
    from organizations.demo_hubs import seed_hub_members

    seed_hub_members(today)
    if stdout is not None:
        stdout.write(
            f"    组织体系：新增党组织 {created_orgs} 个；共 {PartyOrganization.objects.count()} 个党组织、"
            f"{Unit.objects.count()} 家覆盖单位、{Body.objects.count()} 个领导机构"
        )


def _seed_violations(today: dt.date) -> None:
    """A handful of deliberate rule violations so the filters and counts have something to show."""
    fuzimiao = Territory.objects.get(code="320104002000")
    comp = PartyOrganization.objects.get(code="JD-320104002000")
    # An under-strength branch still marked active (error).
    _o, _new = _org(
        "ZB-WEAK-1",
        "夫子庙某文创工作室党支部",
        K.BRANCH,
        fuzimiao,
        comp,
        full_member_count=2,
        member_count=2,
        founded_on=add_months(today, -8),
    )
    # A branch of 60 members (advisory: 党总支) and one of 9 full members without a committee (warning).
    jiangning = (
        Territory.objects.filter(code__startswith="320115", level=Territory.Level.STREET).order_by("code").first()
    )
    jn_comp = PartyOrganization.objects.get(code=f"JD-{jiangning.code}")
    _org(
        "ZB-BIG-1",
        "江宁某智能制造企业党支部",
        K.BRANCH,
        jiangning,
        jn_comp,
        full_member_count=55,
        member_count=61,
        founded_on=add_months(today, -60),
    )
    _org(
        "ZB-NOCOM-1",
        "江宁某电商企业党支部",
        K.BRANCH,
        jiangning,
        jn_comp,
        full_member_count=9,
        member_count=10,
        founded_on=add_months(today, -26),
    )
    # A joint branch covering eight units with no recorded reason (warning) — legacy data, as in seed 001.
    xinjiekou = Territory.objects.get(code="320102003000")
    xjk_comp = PartyOrganization.objects.get(code="JD-320102003000")
    big_joint, new = _org(
        "LH-OVER-1",
        "新街口商圈小微企业联合党支部",
        K.JOINT_BRANCH,
        xinjiekou,
        xjk_comp,
        establishment_mode=Mode.JOINT,
        full_member_count=8,
        member_count=9,
        founded_on=add_months(today, -40),
    )
    if new:
        Unit.objects.bulk_create(
            Unit(
                name=f"新街口小微企业{n}号有限公司",
                credit_code=credit_code("320102", 8000 + n),
                kind=Unit.Kind.ENTERPRISE,
                industry=I.RETAIL,
                size=Unit.Size.MICRO,
                employee_count=8 + n,
                territory=xinjiekou,
                organization=big_joint,
                full_member_count=1,
            )
            for n in range(1, 9)
        )
    # A dissolved branch with its history (成立 → 撤销).
    dissolved, new = _org(
        "ZB-GONE-1",
        "中华门某餐饮企业党支部",
        K.BRANCH,
        Territory.objects.get(code="320104005000"),
        PartyOrganization.objects.get(code="JD-320104005000"),
        status=PartyOrganization.Status.DISSOLVED,
        founded_on=add_months(today, -50),
    )
    if new:
        OrganizationEvent.objects.bulk_create(
            [
                OrganizationEvent(organization=dissolved, kind="established", occurred_on=add_months(today, -50)),
                OrganizationEvent(
                    organization=dissolved,
                    kind="dissolved",
                    occurred_on=add_months(today, -3),
                    reason="企业注销，党员组织关系已全部转出",
                ),
            ]
        )
