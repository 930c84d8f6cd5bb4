"""A known dataset for cadence tests: units, stations and members in 秦淮 and 玄武."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from core.tree import add_node
from organizations.models import PartyOrganization, Unit
from stations.models import Station
from tests.members.factories import make_member


@dataclass
class Data:
    fuzimiao_branch: PartyOrganization
    xinjiekou_branch: PartyOrganization
    units_qinhuai: int
    units_xuanwu: int


def _station(code, territory, **extra) -> Station:
    return Station.objects.create(
        code=code,
        name=f"驿站{code}",
        host_type=Station.HostType.SHOP,
        territory=territory,
        longitude="118.78",
        latitude="32.04",
        **extra,
    )


@pytest.fixture
def data(world) -> Data:
    K = PartyOrganization.Kind
    fzm_branch = add_node(
        type(world.fuzimiao_org),
        world.fuzimiao_org,
        code="ZB-FZM-1",
        name="夫子庙某科技公司党支部",
        kind=K.BRANCH,
        territory=world.chaokujie,
    )
    world.xinjiekou_org.refresh_from_db()
    xjk_branch = add_node(
        type(world.xinjiekou_org),
        world.xinjiekou_org,
        code="ZB-XJK-1",
        name="新街口某商贸公司党支部",
        kind=K.BRANCH,
        territory=world.huaqiaolu,
    )
    fzm_branch.refresh_from_db()
    for i in range(3):
        Unit.objects.create(
            name=f"夫子庙覆盖企业{i}", kind=Unit.Kind.ENTERPRISE, territory=world.chaokujie, organization=fzm_branch
        )
    for i in range(2):
        Unit.objects.create(
            name=f"中华门未覆盖企业{i}", kind=Unit.Kind.ENTERPRISE, territory=world.zhonghuamen_community
        )
    Unit.objects.create(
        name="新街口覆盖企业", kind=Unit.Kind.ENTERPRISE, territory=world.huaqiaolu, organization=xjk_branch
    )
    Unit.objects.create(name="新街口未覆盖企业", kind=Unit.Kind.ENTERPRISE, territory=world.huaqiaolu)
    _station("S-FZM-1", world.chaokujie, status=Station.Status.OPEN)
    _station("S-FZM-2", world.chaokujie, status=Station.Status.CLOSED)
    _station("S-XJK-1", world.huaqiaolu, status=Station.Status.OPEN)
    make_member(world.chaokujie, fzm_branch, name="王一")
    make_member(world.chaokujie, fzm_branch, name="王二")
    make_member(world.huaqiaolu, xjk_branch, name="赵三")
    return Data(fzm_branch, xjk_branch, units_qinhuai=5, units_xuanwu=2)


@pytest.fixture(autouse=True)
def _no_dashboard_cache(settings):
    """Dashboard figures are cached for minutes by (scope, node, day); tests read them live."""
    settings.CADENCE_DASHBOARD_CACHE_SECONDS = 0
