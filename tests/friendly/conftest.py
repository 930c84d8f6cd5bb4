from decimal import Decimal

import pytest

from friendly.models import CommunityEntrance, FriendlyCommunity
from friendly.services import community_publish, community_save, entrance_save
from members.models import Occupation, Platform
from tests.members.factories import make_person


@pytest.fixture
def memory_sms(settings):
    from django.core.cache import cache

    from core import sms

    settings.SMS_BACKEND = "core.sms.MemoryBackend"
    sms.outbox.clear()
    cache.clear()
    yield sms.outbox
    sms.outbox.clear()


@pytest.fixture
def rider(world):
    return make_person(
        world.chaokujie, name="王小骑", occupation=Occupation.RIDER, platform=Platform.MEITUAN, phone="13912345678"
    )


@pytest.fixture
def office_worker(world):
    return make_person(world.chaokujie, name="赵白领", occupation=Occupation.OFFICE, phone="13900001111")


@pytest.fixture
def community(world):
    community = community_save(
        community=FriendlyCommunity(
            territory=world.chaokujie, name="钞库街骑手友好社区", convention="一、减速慢行。\n二、规范停放。"
        )
    )
    entrance_save(
        entrance=CommunityEntrance(
            community=community, name="东门", longitude=Decimal("118.788600"), latitude=Decimal("32.021200")
        )
    )
    return community_publish(community=community)


@pytest.fixture
def gate(community):
    return community.entrances.get(name="东门")


@pytest.fixture
def xinjiekou_community(world):
    community = community_save(
        community=FriendlyCommunity(territory=world.huaqiaolu, name="华侨路骑手友好社区", convention="公约正文")
    )
    entrance_save(
        entrance=CommunityEntrance(
            community=community, name="南门", longitude=Decimal("118.784000"), latitude=Decimal("32.041800")
        )
    )
    return community
