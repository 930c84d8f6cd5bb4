"""A small known dataset over tests/world.py for coverage, rules and scope tests.

秦淮区 夫子庙街道: U1 夫子庙美食城 (own branch A, instructor via A), U2/U3 (joint branch J),
                  U4 (no org, 3 full members → 应建未建), U5 (no org, instructor assigned)
秦淮区 中华门街道: U6 (no org)
玄武区 新街口街道: U7 顺丰速运新街口营业部 (branch C, co-managed by 快递行业党委)
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from core.tree import add_node
from organizations.models import Instructor, PartyOrganization, Unit

K = PartyOrganization.Kind


@dataclass
class OrgData:
    instructor: Instructor
    branch_a: PartyOrganization
    joint: PartyOrganization
    courier: PartyOrganization
    units: dict


def org(parent, **fields) -> PartyOrganization:
    node = add_node(PartyOrganization, parent, **fields)
    node.refresh_from_db()
    return node


@pytest.fixture
def orgdata(world) -> OrgData:
    instructor = Instructor.objects.create(name="钱指导", territory=world.fuzimiao, phone="13800001111")
    branch_a = org(
        world.fuzimiao_org,
        code="ZB-A",
        name="夫子庙美食城党支部",
        kind=K.BRANCH,
        territory=world.chaokujie,
        instructor=instructor,
        full_member_count=5,
        member_count=6,
    )
    joint = org(
        world.fuzimiao_org,
        code="LH-J",
        name="夫子庙联合党支部",
        kind=K.JOINT_BRANCH,
        territory=world.fuzimiao,
        establishment_mode="joint",
        full_member_count=4,
        member_count=4,
    )
    courier = org(
        world.xinjiekou_org,
        code="ZB-SF",
        name="顺丰速运新街口营业部党支部",
        kind=K.BRANCH,
        territory=world.huaqiaolu,
        industry_committee=world.kuaidi_committee,
        full_member_count=3,
        member_count=3,
    )
    for node in (world.fuzimiao_org, world.xinjiekou_org):
        node.refresh_from_db()
    I = Unit.Industry  # noqa: E741
    units = {
        "U1": Unit.objects.create(
            name="夫子庙美食城",
            kind="market",
            industry=I.CATERING,
            territory=world.chaokujie_grid,
            organization=branch_a,
        ),
        "U2": Unit.objects.create(
            name="贡院街文创店", kind="enterprise", industry=I.RETAIL, territory=world.fuzimiao, organization=joint
        ),
        "U3": Unit.objects.create(
            name="乌衣巷茶社", kind="enterprise", industry=I.RETAIL, territory=world.chaokujie, organization=joint
        ),
        "U4": Unit.objects.create(
            name="秦淮数字科技有限公司",
            kind="enterprise",
            industry=I.SOFTWARE,
            territory=world.chaokujie,
            full_member_count=3,
        ),
        "U5": Unit.objects.create(
            name="夫子庙物业服务处", kind="enterprise", territory=world.fuzimiao, instructor=instructor
        ),
        "U6": Unit.objects.create(
            name="中华门小吃店", kind="enterprise", industry=I.CATERING, territory=world.zhonghuamen_community
        ),
        "U7": Unit.objects.create(
            name="顺丰速运新街口营业部",
            kind="outlet",
            industry=I.EXPRESS,
            territory=world.huaqiaolu,
            organization=courier,
        ),
    }
    return OrgData(instructor=instructor, branch_a=branch_a, joint=joint, courier=courier, units=units)
