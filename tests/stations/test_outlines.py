"""The offline basemap: outlines of districts and streets derived from station coordinates."""

import pytest

from stations.outlines import _ring, station_outlines
from tests.stations.conftest import make_station

pytestmark = pytest.mark.django_db


def test_outlines_per_district_and_street_contain_their_stations(world, client, municipal, settings):
    settings.STATION_MAP_TILE_URL = ""
    make_station("NXF-A", world.huaqiaolu, lng="118.784000", lat="32.041800")
    make_station("NXF-B", world.zhonghuamen_community, lng="118.779000", lat="32.010500")
    make_station("NXF-C", world.chaokujie, lng="118.790000", lat="32.020000")
    client.force_login(municipal)
    body = client.get("/stations/map/points.json?outlines=1").json()
    names = {f["properties"]["name"]: f for f in body["outlines"]["features"]}
    assert set(names) == {"秦淮区", "玄武区", "夫子庙街道", "中华门街道", "新街口街道"}
    assert names["秦淮区"]["properties"]["stations"] == 2
    ring = names["秦淮区"]["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) >= 5
    lngs, lats = [p[0] for p in ring], [p[1] for p in ring]
    # In the same (tile) coordinates as the points: WGS-84 here, converted from the stored GCJ-02.
    for point in body["points"]:
        if point["code"] in {"NXF-B", "NXF-C"}:
            assert min(lngs) < point["lng"] < max(lngs) and min(lats) < point["lat"] < max(lats)


def test_outlines_only_without_a_tile_server_and_only_when_asked(world, client, municipal, settings):
    make_station("NXF-A", world.huaqiaolu, lng="118.784000", lat="32.041800")
    client.force_login(municipal)
    settings.STATION_MAP_TILE_URL = ""
    assert "outlines" not in client.get("/stations/map/points.json").json()
    settings.STATION_MAP_TILE_URL = "http://tiles.intranet/{z}/{x}/{y}.png"
    assert "outlines" not in client.get("/stations/map/points.json?outlines=1").json()


def test_outlines_are_scoped_to_what_the_user_sees(world, client, fuzimiao_cadre):
    make_station("NXF-A", world.huaqiaolu, lng="118.784000", lat="32.041800")
    make_station("NXF-C", world.chaokujie, lng="118.790000", lat="32.020000")
    client.force_login(fuzimiao_cadre)
    features = client.get("/stations/map/points.json?outlines=1").json()["outlines"]["features"]
    assert {f["properties"]["name"] for f in features} == {"秦淮区", "夫子庙街道"}


def test_a_ring_around_a_triangle_contains_it():
    ring = _ring([(0.0, 0.0), (1.0, 0.0), (0.0, 1.0), (0.2, 0.2)])
    assert len(ring) == 4 and ring[0] == ring[-1]
    assert min(p[0] for p in ring) < 0 and max(p[0] for p in ring) > 1


def test_no_stations_no_outlines(world):
    assert station_outlines([], crs="wgs84") == {"type": "FeatureCollection", "features": []}
