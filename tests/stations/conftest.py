from datetime import time

import pytest

from stations.models import InspectionItem, OpeningHours, Service, Station


@pytest.fixture
def services(db):
    """The default catalogue (loaded by the data migration), by code."""
    return {s.code: s for s in Service.objects.all()}


@pytest.fixture
def checklist(db):
    return list(InspectionItem.objects.filter(is_active=True))


def make_station(code, territory, *, lng, lat, coord=Station.CoordSystem.GCJ02, hours=(), **extra):
    station = Station.objects.create(
        code=code,
        name=extra.pop("name", f"驿站{code}"),
        host_type=extra.pop("host_type", Station.HostType.SHOP),
        territory=territory,
        longitude=lng,
        latitude=lat,
        coord_system=coord,
        **extra,
    )
    for weekday, opens, closes in hours:
        OpeningHours.objects.create(station=station, weekday=weekday, opens=opens, closes=closes)
    return station


WEEKDAYS_9_TO_6 = [(d, time(9), time(18)) for d in range(7)]


@pytest.fixture
def xinjiekou_station(world):
    return make_station(
        "NXF-XJK-001",
        world.huaqiaolu,
        lng="118.784000",
        lat="32.041800",
        name="新街口宁小蜂驿站",
        hours=WEEKDAYS_9_TO_6,
    )


@pytest.fixture
def zhonghuamen_station(world):
    return make_station(
        "NXF-ZHM-001",
        world.zhonghuamen_community,
        lng="118.779000",
        lat="32.010500",
        name="中华门驿站",
        hours=WEEKDAYS_9_TO_6,
    )
