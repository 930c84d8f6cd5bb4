from __future__ import annotations

from decimal import Decimal

import pytest

from cobuild import services
from cobuild.models import Alliance, AllianceMember, Category, Need, Resource


def make_alliance(name, territory, organization, members):
    alliance = services.alliance_save(alliance=Alliance(name=name, territory=territory, organization=organization))
    return alliance, [services.member_save(member=AllianceMember(alliance=alliance, name=m)) for m in members]


def make_resource(alliance, owner, category=Category.CHARGING, name="充电桩", lng=None, lat=None):
    return services.resource_save(
        resource=Resource(
            alliance=alliance,
            owner=owner,
            kind=Resource.Kind.POSITION,
            category=category,
            name=name,
            capacity=10,
            longitude=None if lng is None else Decimal(str(lng)),
            latitude=None if lat is None else Decimal(str(lat)),
        )
    )


def make_need(alliance, category=Category.CHARGING, title="夜间充电难", lng=None, lat=None):
    return services.need_save(
        need=Need(
            alliance=alliance,
            raised_by="骑手代表",
            category=category,
            title=title,
            longitude=None if lng is None else Decimal(str(lng)),
            latitude=None if lat is None else Decimal(str(lat)),
        )
    )


@pytest.fixture
def fzm(world):
    alliance, members = make_alliance(
        "夫子庙商圈党建联盟", world.fuzimiao, world.fuzimiao_org, ["美团秦淮站", "钞库街社区"]
    )
    return {"alliance": alliance, "members": members}


@pytest.fixture
def xjk(world):
    alliance, members = make_alliance(
        "新街口CBD党建联盟", world.xinjiekou, world.xinjiekou_org, ["德基广场", "华侨路社区"]
    )
    return {"alliance": alliance, "members": members}
