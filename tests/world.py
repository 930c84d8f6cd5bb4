"""A small, known hierarchy for tests: the roles of STYLE.md with real Nanjing places and their
official 统计用区划代码 (2023, organizations/data/territory), a few nodes of the whole table:

    南京市 320100
    ├── 秦淮区 320104 ── 夫子庙街道 320104002000 (乌衣巷社区 320104002005 → 第1网格),
    │                    中华门街道 320104005000 (长干里社区 320104005014)
    └── 玄武区 320102 ── 新街口街道 320102003000 (长江路社区 320102003002)

The attribute names are older than the official codes (``chaokujie`` is 乌衣巷社区,
``zhonghuamen_community`` 长干里社区, ``huaqiaolu`` 长江路社区); tests read names from the nodes.

Party organizations: 市委两新工委 → 快递行业党委 (an industry committee), 秦淮区两新工委 →
夫子庙街道两新综合党委 / 中华门街道两新综合党委, 玄武区两新工委 → 新街口街道两新综合党委.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model

from core.tree import add_node
from organizations.models import Body, PartyOrganization, StaffPost, Territory
from organizations.services import staff_post_save

PASSWORD = "Test@pass-2025"


@dataclass
class World:
    city: Territory
    qinhuai: Territory
    fuzimiao: Territory
    chaokujie: Territory
    chaokujie_grid: Territory
    zhonghuamen: Territory
    zhonghuamen_community: Territory
    xuanwu: Territory
    xinjiekou: Territory
    huaqiaolu: Territory
    scjg: Body
    municipal_org: PartyOrganization
    kuaidi_committee: PartyOrganization
    qinhuai_org: PartyOrganization
    fuzimiao_org: PartyOrganization
    zhonghuamen_org: PartyOrganization
    xuanwu_org: PartyOrganization
    xinjiekou_org: PartyOrganization


def _user(username: str, **extra):
    User = get_user_model()
    user = User(username=username, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


def post(user, role: str, **node) -> StaffPost:
    return staff_post_save(post=StaffPost(user=user, role=role, **node))


def build_world() -> World:
    L = Territory.Level
    city = add_node(Territory, None, code="320100", name="南京市", level=L.CITY)
    qinhuai = add_node(type(city), city, code="320104", name="秦淮区", level=L.DISTRICT)
    fuzimiao = add_node(type(qinhuai), qinhuai, code="320104002000", name="夫子庙街道", level=L.STREET)
    chaokujie = add_node(type(fuzimiao), fuzimiao, code="320104002005", name="乌衣巷社区", level=L.COMMUNITY)
    grid = add_node(type(chaokujie), chaokujie, code="320104002005G01", name="乌衣巷社区第1网格", level=L.GRID)
    zhonghuamen = add_node(type(qinhuai), qinhuai, code="320104005000", name="中华门街道", level=L.STREET)
    zhm_community = add_node(type(zhonghuamen), zhonghuamen, code="320104005014", name="长干里社区", level=L.COMMUNITY)
    xuanwu = add_node(type(city), city, code="320102", name="玄武区", level=L.DISTRICT)
    xinjiekou = add_node(type(xuanwu), xuanwu, code="320102003000", name="新街口街道", level=L.STREET)
    huaqiaolu = add_node(type(xinjiekou), xinjiekou, code="320102003002", name="长江路社区", level=L.COMMUNITY)

    municipal_body = Body.objects.create(
        code="SJ-LXGW",
        name="中共南京市委两新工委",
        kind=Body.Kind.MUNICIPAL_COMMITTEE,
        territory=city,
    )
    scjg = Body.objects.create(
        code="SJ-SCJG",
        name="南京市市场监督管理局",
        short_name="市场监管局",
        kind=Body.Kind.COMMITTEE_MEMBER_UNIT,
        territory=city,
        parent=municipal_body,
    )

    K = PartyOrganization.Kind
    root = add_node(
        PartyOrganization,
        None,
        code="SW-LXGW",
        name="中共南京市委两新工委",
        kind=K.WORKING_COMMITTEE,
        territory=city,
    )
    kuaidi = add_node(
        type(root),
        root,
        code="HY-KD",
        name="南京市快递行业党委",
        kind=K.INDUSTRY_COMMITTEE,
        territory=city,
    )
    qinhuai_org = add_node(
        type(root),
        root,
        code="QW-320104",
        name="秦淮区两新工委",
        kind=K.WORKING_COMMITTEE,
        territory=qinhuai,
    )
    fuzimiao_org = add_node(
        type(qinhuai_org),
        qinhuai_org,
        code="JD-FZM",
        name="夫子庙街道两新综合党委",
        kind=K.COMPREHENSIVE_COMMITTEE,
        territory=fuzimiao,
    )
    zhonghuamen_org = add_node(
        type(qinhuai_org),
        qinhuai_org,
        code="JD-ZHM",
        name="中华门街道两新综合党委",
        kind=K.COMPREHENSIVE_COMMITTEE,
        territory=zhonghuamen,
    )
    xuanwu_org = add_node(
        type(root),
        root,
        code="QW-320102",
        name="玄武区两新工委",
        kind=K.WORKING_COMMITTEE,
        territory=xuanwu,
    )
    xinjiekou_org = add_node(
        type(xuanwu_org),
        xuanwu_org,
        code="JD-XJK",
        name="新街口街道两新综合党委",
        kind=K.COMPREHENSIVE_COMMITTEE,
        territory=xinjiekou,
    )

    # Inserting a sibling re-sorts the materialized paths (node_order_by), so the objects
    # in hand may hold stale paths: read them back before anyone uses them.
    nodes = [city, qinhuai, fuzimiao, chaokujie, grid, zhonghuamen, zhm_community, xuanwu]
    nodes += [xinjiekou, huaqiaolu, root, kuaidi, qinhuai_org, fuzimiao_org, zhonghuamen_org]
    nodes += [xuanwu_org, xinjiekou_org]
    for node in nodes:
        node.refresh_from_db()

    world = World(
        city=city,
        qinhuai=qinhuai,
        fuzimiao=fuzimiao,
        chaokujie=chaokujie,
        chaokujie_grid=grid,
        zhonghuamen=zhonghuamen,
        zhonghuamen_community=zhm_community,
        xuanwu=xuanwu,
        xinjiekou=xinjiekou,
        huaqiaolu=huaqiaolu,
        scjg=scjg,
        municipal_org=root,
        kuaidi_committee=kuaidi,
        qinhuai_org=qinhuai_org,
        fuzimiao_org=fuzimiao_org,
        zhonghuamen_org=zhonghuamen_org,
        xuanwu_org=xuanwu_org,
        xinjiekou_org=xinjiekou_org,
    )
    R = StaffPost.Role
    post(_user("municipal", first_name="市委两新工委"), R.MUNICIPAL, territory=city)
    post(_user("qinhuai"), R.DISTRICT, territory=qinhuai)
    post(_user("fuzimiao"), R.STREET, territory=fuzimiao)
    post(_user("xinjiekou"), R.STREET, territory=xinjiekou)
    post(_user("kuaidi"), R.INDUSTRY, organization=kuaidi)
    post(_user("scjg"), R.MEMBER_UNIT, body=scjg)
    _user("outsider", is_staff=True)
    return world
