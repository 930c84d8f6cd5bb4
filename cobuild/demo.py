"""Demo co-building: the alliances named in the articles (新街口CBD商圈党委, 秦淮硅巷党建联盟,
寅春路网约车综合服务中心 and its 共建协议 linking 6 organizations) plus one street alliance per
other district, each with its three lists, claims in every state, projects at every stage and
agreements. Deterministic (fixed random seed); a second run finds the alliances by name and
adds nothing."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from cobuild import services
from cobuild.models import Agreement, Alliance, AllianceMember, Category, Need, Project, Resource
from organizations.models import Body, PartyOrganization, Territory

YINCHUN = "寅春路网约车综合服务中心党建联盟"
YINCHUN_CENTRE = "寅春路网约车综合服务中心"
# "联动交通执法、公安、街道、行业协会等6家党组织" — the six linked by the centre's agreement.
YINCHUN_PARTNERS = [
    ("秦淮区交通运输综合行政执法大队", "提供网约车司机政策宣讲与执法服务窗口"),
    ("南京市公安局秦淮分局交警大队", "开展交通安全培训，每季度不少于 1 次"),
    ("红花街道党工委", "提供党群服务阵地，协调司机之家住宿房源"),
    ("南京市网约车行业协会", "组织平台企业参与，开展职业技能培训"),
    ("秦淮区总工会", "提供会员入会、困难帮扶与夏季送清凉"),
    ("国网南京供电公司秦淮营业部", "保障充电桩运行，提供优惠充电时段"),
]
ALLIANCES = [
    # name, district code, street name (None: the district itself), lng, lat, members
    (
        "新街口CBD商圈党委党建联盟",
        "320102",
        "新街口街道",
        118.7840,
        32.0420,
        ["德基广场", "金鹰国际商城", "新百商场", "新街口街道党工委", "华侨路社区党委", "中央商场"],
    ),
    (
        "秦淮硅巷党建联盟",
        "320104",
        None,
        118.7990,
        32.0330,
        ["秦淮硅巷产业园", "南京理工大学科技园", "硅巷青年人才驿站", "秦淮区人社局", "秦淮区科技局"],
    ),
    (YINCHUN, "320104", "红花街道", 118.8010, 32.0000, [YINCHUN_CENTRE] + [p for p, _ in YINCHUN_PARTNERS]),
    (
        "夫子庙商圈党建联盟",
        "320104",
        "夫子庙街道",
        118.7886,
        32.0212,
        ["夫子庙景区管理处", "美团秦淮站", "饿了么夫子庙站", "钞库街社区党委", "秦淮区市场监管局"],
    ),
    (
        "河西CBD楼宇党建联盟",
        "320105",
        None,
        118.7320,
        32.0040,
        ["金融城党群服务中心", "顺丰建邺网点", "建邺区人社局", "江东中路社区党委"],
    ),
    (
        "江宁开发区新业态党建联盟",
        "320115",
        None,
        118.8400,
        31.9530,
        ["江宁开发区党群服务中心", "京东江宁分拨中心", "中通江宁转运中心", "江宁区总工会", "东山街道党工委"],
    ),
    (
        "鼓楼湖南路街区党建联盟",
        "320106",
        None,
        118.7700,
        32.0660,
        ["湖南路商圈党委", "狮子桥社区党委", "鼓楼区团委", "美团鼓楼站"],
    ),
    (
        "江北新区研创园党建联盟",
        "320111",
        "泰山街道",
        118.7260,
        32.1450,
        ["研创园党群服务中心", "江北新区社会事业局", "货拉拉江北司机之家", "顶山街道党工委"],
    ),
]
CATEGORY_TEXT = {
    Category.VENUE: ("党群活动室", "场次"),
    Category.REST: ("爱心歇脚点", "人次"),
    Category.CHARGING: ("电动车充换电点", "车次"),
    Category.LODGING: ("小蜂公寓床位", "床位"),
    Category.TRAINING: ("技能培训课堂", "人次"),
    Category.LEGAL: ("法律咨询服务", "人次"),
    Category.HEALTH: ("免费体检服务", "人次"),
    Category.MEALS: ("爱心餐", "份"),
    Category.EMPLOYMENT: ("招聘对接会", "场次"),
    Category.VOLUNTEER: ("志愿服务岗", "人次"),
}
NEED_TEXT = {
    Category.VENUE: "需要开展主题党日的场地",
    Category.REST: "骑手午间休息缺少落脚点",
    Category.CHARGING: "夜间电动车充电难",
    Category.LODGING: "新入职网约车司机短期住宿",
    Category.TRAINING: "交通安全与职业技能培训",
    Category.LEGAL: "劳动合同与工伤维权咨询",
    Category.HEALTH: "户外劳动者夏季体检",
    Category.MEALS: "早晚高峰就餐不便",
    Category.EMPLOYMENT: "灵活就业人员求职对接",
    Category.VOLUNTEER: "社区治理需要志愿者协助",
}
PROJECT_TITLES = ["骑手友好街区共建", "司机之家提质", "夏送清凉", "新就业群体技能提升", "楼宇党建服务站", "暖心餐桌"]


def _territory(district: str, street: str | None) -> Territory:
    district_node = Territory.objects.get(code=district)
    if street is None:
        return district_node
    return Territory.objects.filter(name=street, path__startswith=district_node.path).first() or district_node


def _near(rng: random.Random, lng: float, lat: float) -> tuple[Decimal, Decimal]:
    return (
        Decimal(f"{lng + rng.uniform(-0.02, 0.02):.6f}"),
        Decimal(f"{lat + rng.uniform(-0.015, 0.015):.6f}"),
    )


def _alliance(name, district, street, members) -> Alliance | None:
    if Alliance.objects.filter(name=name).exists():
        return None
    territory = _territory(district, street)
    organization = PartyOrganization.objects.filter(territory=territory).order_by("depth", "id").first()
    body = Body.objects.filter(territory=territory).order_by("id").first()
    alliance = services.alliance_save(
        alliance=Alliance(
            name=name,
            territory=territory,
            organization=organization,
            body=body,
            description="按照阵地资源和服务资源两大类梳理成员单位党建资源，建立需求、资源、项目“三张清单”。",
        )
    )
    for member_name in members:
        services.member_save(member=AllianceMember(alliance=alliance, name=member_name, joined_on=date(2024, 3, 1)))
    return alliance


def _lists(alliance: Alliance, rng: random.Random, lng: float, lat: float, today: date) -> None:
    members = list(alliance.members.order_by("id"))
    categories = list(CATEGORY_TEXT)
    resources = []
    for member in members:
        for category in rng.sample(categories, 2):
            text, unit = CATEGORY_TEXT[category]
            position = category in (Category.VENUE, Category.REST, Category.CHARGING, Category.LODGING)
            x, y = _near(rng, lng, lat)
            resources.append(
                services.resource_save(
                    resource=Resource(
                        alliance=alliance,
                        owner=member,
                        kind=Resource.Kind.POSITION if position else Resource.Kind.SERVICE,
                        category=category,
                        name=f"{member.name}{text}",
                        capacity=rng.choice([10, 20, 30, 50, 100]),
                        capacity_unit=unit,
                        availability=rng.choice(["工作日 9:00-17:00", "每日 8:00-22:00", "24小时", "每月第一个周六"]),
                        longitude=x,
                        latitude=y,
                    )
                )
            )
    needs = []
    for index in range(rng.randint(7, 11)):
        category = rng.choice(categories)
        x, y = _near(rng, lng, lat)
        needs.append(
            services.need_save(
                need=Need(
                    alliance=alliance,
                    holder=rng.choice(members) if rng.random() < 0.4 else None,
                    raised_by=rng.choice(
                        ["网约配送员代表", "快递网点站长", "网约车司机代表", "社区党委", "楼宇企业职工"]
                    ),
                    category=category,
                    title=NEED_TEXT[category],
                    quantity=rng.choice([5, 10, 20, 50]),
                    raised_on=today - timedelta(days=rng.randint(5, 200) + index),
                    longitude=x,
                    latitude=y,
                )
            )
        )
    by_category = {}
    for resource in resources:
        by_category.setdefault(resource.category, []).append(resource)
    for need in needs:
        offers = by_category.get(need.category)
        roll = rng.random()
        if not offers or roll < 0.25:
            continue  # stays open: something for the board to match
        resource = rng.choice(offers)
        if rng.random() < 0.5:
            claim = services.need_claim(need=need, resource=resource, actor=None, note="成员单位主动认领")
        else:
            claim = services.resource_request(resource=resource, need=need, actor=None, note="需求方申请")
        if roll < 0.35:
            continue  # pending
        if roll < 0.42:
            services.claim_decide(claim=claim, actor=None, accept=False)
            continue
        services.claim_decide(claim=claim, actor=None, accept=True)
        if roll < 0.85:
            services.claim_fulfil(claim=claim, actor=None, on=min(today, need.raised_on + timedelta(days=14)))
    for index, title in enumerate(rng.sample(PROJECT_TITLES, rng.randint(2, 4))):
        project = services.project_save(
            project=Project(
                alliance=alliance,
                lead=rng.choice(members),
                title=f"{alliance.name[:6]}·{title}",
                description="围绕需求清单中的共性问题，整合成员单位资源实施。",
                budget_yuan=Decimal(rng.choice([20000, 50000, 80000, 120000])),
                proposed_on=today - timedelta(days=150 - index * 20),
            ),
            needs=[n for n in needs if n.category in (Category.REST, Category.CHARGING, Category.MEALS)][:2],
        )
        stage = rng.random()
        if stage < 0.2:
            continue
        if stage < 0.3:
            services.project_review(
                project=project, actor=None, approve=False, opinion="实施条件尚不成熟，建议完善后再报"
            )
            continue
        services.project_review(project=project, actor=None, approve=True, opinion="需求明确、资源可行，同意立项")
        services.project_progress(project=project, actor=None, progress=40, note="完成场地改造与人员对接")
        if stage > 0.55:
            services.project_progress(project=project, actor=None, progress=100, note="项目完成并投入使用")


def _agreements(alliance: Alliance, today: date) -> None:
    members = list(alliance.members.order_by("id"))
    if alliance.name == YINCHUN:
        obligations = dict(YINCHUN_PARTNERS)
        parties = [(members[0], "提供充电、住宿、培训等全链条服务阵地，累计服务超过20万人次")]
        parties += [(m, obligations[m.name]) for m in members[1:]]
        title = "寅春路网约车综合服务中心党建共建协议"
    else:
        parties = [(m, "开放本单位党建阵地与服务资源，按需认领需求清单") for m in members[:4]]
        title = f"{alliance.name}共建协议"
    first = services.agreement_sign(
        alliance=alliance,
        actor=None,
        title=title,
        content="各方按照资源共享、优势互补、共驻共建的原则，签订本协议。",
        signed_on=date(today.year - 1, 3, 1),
        starts_on=date(today.year - 1, 3, 1),
        ends_on=date(today.year, 2, 28),
        parties=parties,
    )
    services.agreement_renew(agreement=first, actor=None, signed_on=date(today.year, 2, 20))


def seed(stdout=None) -> None:
    if not Territory.objects.filter(code="320104").exists():
        return
    rng = random.Random(20251130)
    today = timezone.localdate()
    made = 0
    for name, district, street, lng, lat, members in ALLIANCES:
        alliance = _alliance(name, district, street, members)
        if alliance is None:
            continue
        _lists(alliance, rng, lng, lat, today)
        _agreements(alliance, today)
        made += 1
    if stdout is not None:
        stdout.write(
            f"共建：联盟 {Alliance.objects.count()} 个（本次新增 {made}），需求 {Need.objects.count()} 条，"
            f"资源 {Resource.objects.count()} 项，项目 {Project.objects.count()} 个，"
            f"协议 {Agreement.objects.count()} 份\n"
        )
