"""Demo data of the ground floor: Nanjing's territory tree, leadership bodies, the core Party
organizations and the demo officers. Idempotent: every row is found by its natural key first."""

from __future__ import annotations

from core.tree import add_node
from organizations.models import Body, PartyOrganization, Territory
from organizations.roles import Role
from organizations.rules import ensure_default_rules
from organizations.services import officer_upsert

DEMO_PASSWORD = "Demo@2025"
L = Territory.Level

CITY = ("320100", "南京市")
# The demo's grassroots data (organizations, units, grids) lives in these streets of the official
# tree (统计用区划代码, loaded whole by load_territory): all of 秦淮 and 玄武, a few elsewhere.
# Names, not codes: the codes come from the table. 泰山/顶山/沿江 are the 江北新区 streets of 浦口区.
DEMO_STREETS = {
    "320104": [
        "秦虹街道",
        "夫子庙街道",
        "红花街道",
        "双塘街道",
        "中华门街道",
        "五老村街道",
        "洪武路街道",
        "大光路街道",
        "瑞金路街道",
        "月牙湖街道",
        "光华路街道",
        "朝天宫街道",
    ],
    "320102": ["梅园新村街道", "新街口街道", "玄武门街道", "锁金村街道", "红山街道", "孝陵卫街道", "玄武湖街道"],
    "320105": ["沙洲街道", "兴隆街道", "南苑街道"],
    "320106": ["宁海路街道", "华侨路街道", "湖南路街道"],
    "320111": ["泰山街道", "顶山街道", "沿江街道", "江浦街道", "桥林街道"],
    "320113": ["尧化街道", "马群街道", "仙林街道"],
    "320114": ["雨花街道", "赛虹桥街道"],
    "320115": ["东山街道", "秣陵街道", "淳化街道"],
    "320116": ["雄州街道", "龙池街道"],
    "320117": ["永阳街道", "柘塘街道"],
    "320118": ["淳溪街道", "古柏街道"],
}
GRID_COMMUNITIES_PER_STREET = 3  # grids are local additions: a few communities of each demo street
GRIDS_PER_COMMUNITY = 2

BODIES = [
    # code, name, short, kind
    ("SJ-LXGW", "中共南京市委两新工委", "市委两新工委", Body.Kind.MUNICIPAL_COMMITTEE),
    ("SJ-SCJG", "南京市市场监督管理局", "市场监管局", Body.Kind.COMMITTEE_MEMBER_UNIT),
    ("SJ-JTYS", "南京市交通运输局", "交通运输局", Body.Kind.COMMITTEE_MEMBER_UNIT),
    ("SJ-YZGL", "南京市邮政管理局", "邮政管理局", Body.Kind.COMMITTEE_MEMBER_UNIT),
    ("SJ-RSJ", "南京市人力资源和社会保障局", "人社局", Body.Kind.COMMITTEE_MEMBER_UNIT),
    ("SJ-ZGH", "南京市总工会", "总工会", Body.Kind.MEMBER_UNIT),
    ("SJ-TSW", "共青团南京市委员会", "团市委", Body.Kind.MEMBER_UNIT),
    ("SJ-FL", "南京市妇女联合会", "妇联", Body.Kind.MEMBER_UNIT),
]


def demo_streets():
    """The official streets that carry the demo's organizations and units, in code order."""
    names = {(district, name) for district, streets in DEMO_STREETS.items() for name in streets}
    streets = Territory.objects.filter(level=Territory.Level.STREET, code__startswith=CITY[0][:4], retired_on=None)
    return [street for street in streets.order_by("code") if (street.code[:6], street.name) in names]


def seed_territory() -> Territory:
    """The official tree of Nanjing (load_territory), then the demo's grids under it."""
    from organizations.official_territory import add_local_nodes
    from organizations.services import territory_load_official

    territory_load_official(CITY[0])
    grids = []
    for street in demo_streets():
        communities = Territory.objects.get_children(street).filter(level=Territory.Level.COMMUNITY)
        for community in communities.order_by("code")[:GRID_COMMUNITIES_PER_STREET]:
            for g_index in range(1, GRIDS_PER_COMMUNITY + 1):
                grids.append(
                    (f"{community.code}G{g_index:02d}", f"{community.name}第{g_index}网格", L.GRID, community.code)
                )
    add_local_nodes(CITY[0], grids)
    return Territory.objects.get(code=CITY[0])


def seed_bodies(city: Territory) -> None:
    municipal = None
    for index, (code, name, short, kind) in enumerate(BODIES):
        body, _ = Body.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "short_name": short,
                "kind": kind,
                "territory": city,
                "parent": municipal,
                "sort_order": index,
            },
        )
        if kind == Body.Kind.MUNICIPAL_COMMITTEE:
            municipal = body
    for district in Territory.objects.filter(level=Territory.Level.DISTRICT):
        Body.objects.get_or_create(
            code=f"QW-{district.code}",
            defaults={
                "name": f"中共南京市{district.name}委两新工委",
                "short_name": f"{district.name}两新工委",
                "kind": Body.Kind.DISTRICT_COMMITTEE,
                "territory": district,
                "parent": municipal,
            },
        )


def _org(code: str, name: str, kind: str, territory: Territory, parent=None, **extra):
    org = PartyOrganization.objects.filter(code=code).first()
    if org is not None:
        return org
    fields = {"code": code, "name": name, "kind": kind, "territory": territory, **extra}
    if parent is None:
        return add_node(PartyOrganization, None, **fields)
    return add_node(type(parent), parent, **fields)


INDUSTRY_COMMITTEES = [
    ("HY-KD", "南京市快递行业党委"),
    ("HY-WYPS", "南京市网约配送行业党委"),
    ("HY-WYC", "南京市网约车行业党委"),
    ("HY-LS", "南京市律师行业党委"),
    ("HY-MBJY", "南京市民办教育行业党委"),
    ("HY-HLW", "南京市互联网行业党委"),
    ("HY-WY", "南京市物业行业党委"),
]


def seed_core_organizations(city: Territory) -> None:
    Kind = PartyOrganization.Kind
    root = _org("SW-LXGW", "中共南京市委两新工委", Kind.WORKING_COMMITTEE, city)
    for code, name in INDUSTRY_COMMITTEES:
        _org(code, name, Kind.INDUSTRY_COMMITTEE, city, parent=root)
    for district in Territory.objects.filter(level=Territory.Level.DISTRICT).order_by("code"):
        district_org = _org(
            f"QW-{district.code}",
            f"{district.name}两新工委",
            Kind.WORKING_COMMITTEE,
            district,
            root,
        )
        for street in Territory.objects.get_children(district).filter(retired_on=None):
            _org(
                f"JD-{street.code}",
                f"{street.name}两新综合党委",
                Kind.COMPREHENSIVE_COMMITTEE,
                street,
                district_org,
            )


def seed_officers() -> None:
    """The demo officers listed in LOGINS."""
    qinhuai = Territory.objects.get(code="320104")
    fuzimiao = Territory.objects.get(name="夫子庙街道", path__startswith=qinhuai.path)
    xuanwu = Territory.objects.get(code="320102")
    xinjiekou = Territory.objects.get(name="新街口街道", path__startswith=xuanwu.path)
    officers = [
        ("shiwei", Role.MUNICIPAL, "320100", "市委两新工委 王主任", "组织处"),
        ("qinhuai", Role.DISTRICT, qinhuai.code, "秦淮区 李组织员", "区委两新工委"),
        ("fuzimiao", Role.STREET, fuzimiao.code, "夫子庙街道 陈书记", "街道党工委"),
        ("xinjiekou", Role.STREET, xinjiekou.code, "新街口街道 赵委员", "街道党工委"),
        ("kuaidi", Role.INDUSTRY, "HY-KD", "快递行业党委 周书记", "行业党委"),
        ("shichang", Role.MEMBER_UNIT, "SJ-SCJG", "市场监管局 吴科长", "委员单位"),
    ]
    for username, role, node, full_name, title in officers:
        officer_upsert(
            username=username,
            role=role,
            node_code=node,
            password=DEMO_PASSWORD,
            title=title,
            full_name=full_name,
        )


LOGINS = [
    ("shiwei", "市委两新工委", "南京市（全市）"),
    ("qinhuai", "区委两新工委", "秦淮区"),
    ("fuzimiao", "街道党工委", "秦淮区 夫子庙街道"),
    ("xinjiekou", "街道党工委", "玄武区 新街口街道"),
    ("kuaidi", "行业党委", "南京市快递行业党委（跨区）"),
    ("shichang", "委员/成员单位", "南京市市场监督管理局"),
]


def seed(stdout=None) -> None:
    from organizations.demo_scale import seed_scale

    ensure_default_rules()
    city = seed_territory()
    seed_bodies(city)
    seed_core_organizations(city)
    seed_officers()
    seed_scale(city, stdout=stdout)
