"""Fixtures of the points tests: a small catalogue, a station with its manager, two workers."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from PIL import Image

from members.models import Person
from organizations.models import StaffPost
from points.models import PointCategory, PointRule, Reward
from points.services import home_station_set
from stations.models import Station
from tests.world import PASSWORD, post

ALL_AWARDERS = ["municipal", "district", "street", "station"]


@pytest.fixture(autouse=True)
def _throwaway_media(settings, tmp_path):
    """Photo reports write files: keep them out of the repository's var/media."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def catalogue(world):
    city, qinhuai = world.city, world.qinhuai
    service = PointCategory.objects.create(code="GY", name="公益服务", territory=city, sort_order=4)
    study = PointCategory.objects.create(code="XX", name="学习教育", territory=city, sort_order=1)
    safety = PointCategory.objects.create(code="AQ", name="安全隐患报告", territory=city, sort_order=5)
    local = PointCategory.objects.create(code="QH-TS", name="秦淮特色", territory=qinhuai, sort_order=9)
    rules = {
        "volunteer": PointRule.objects.create(
            category=service,
            code="GY-ZYFW",
            name="志愿服务",
            points=10,
            award_roles=ALL_AWARDERS,
            daily_cap=30,
            monthly_cap=100,
            territory=city,
        ),
        "study": PointRule.objects.create(
            category=study,
            code="XX-JY",
            name="参加学习",
            points=3,
            award_roles=ALL_AWARDERS,
            valid_days=30,
            territory=city,
        ),
        "study_long": PointRule.objects.create(
            category=study,
            code="XX-PX",
            name="技能培训",
            points=5,
            award_roles=ALL_AWARDERS,
            valid_days=90,
            territory=city,
        ),
        "photo": PointRule.objects.create(
            category=safety,
            code="AQ-SSP",
            name="随手拍隐患",
            points=5,
            award_roles=["station", "street"],
            daily_cap=10,
            territory=city,
        ),
        "district_only": PointRule.objects.create(
            category=local, code="QH-WM", name="秦淮文明劝导", points=4, award_roles=["district"], territory=qinhuai
        ),
    }
    return rules


@pytest.fixture
def station(world):
    user = get_user_model().objects.create_user("zhanzhang", password=PASSWORD)
    manager_post = post(user, StaffPost.Role.STATION, territory=world.chaokujie)
    return Station.objects.create(
        code="QH-FZM-001",
        name="夫子庙宁小蜂驿站",
        host_type=Station.HostType.SHOP,
        territory=world.chaokujie,
        manager_post=manager_post,
    )


@pytest.fixture
def station_manager(station):
    return get_user_model().objects.get(username="zhanzhang")


@pytest.fixture
def xuanwu_station(world):
    return Station.objects.create(
        code="XW-XJK-001", name="新街口宁小蜂驿站", host_type=Station.HostType.OFFICE_TOWER, territory=world.huaqiaolu
    )


@pytest.fixture
def worker(world, station):
    person = Person.objects.create(name="张骑手", phone="13800000001", territory=world.chaokujie)
    home_station_set(person=person, station=station)
    return person


@pytest.fixture
def xuanwu_worker(world, xuanwu_station):
    person = Person.objects.create(name="李快递", phone="13900000002", territory=world.huaqiaolu)
    home_station_set(person=person, station=xuanwu_station)
    return person


@pytest.fixture
def reward(world, station):
    return Reward.objects.create(name="保温餐箱", cost=50, stock=3, territory=world.city, station=station)


def jpeg_with_gps() -> bytes:
    """A small JPEG carrying an EXIF GPS block (what a phone camera writes)."""
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    gps = {1: "N", 2: (32.0, 1.0, 30.0), 3: "E", 4: (118.0, 47.0, 10.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()
