import math

import pytest

from stations import geo

# Published test vectors of the reference implementation (eviltransform): (wgs lng, lat), (gcj lng, lat).
REFERENCE = [
    ((121.5272106, 31.1774276), (121.531541859215, 31.17530398364597)),  # Shanghai
    ((113.912316, 22.543847), (113.9171764808363, 22.540796131694766)),  # Shenzhen
    ((116.377817, 39.911954), (116.38404722455657, 39.91334545536069)),  # Beijing
]


@pytest.mark.smoke
@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE)
def test_wgs84_to_gcj02_matches_reference_points(wgs, gcj):
    lng, lat = geo.wgs84_to_gcj02(*wgs)
    assert lng == pytest.approx(gcj[0], abs=1e-9)
    assert lat == pytest.approx(gcj[1], abs=1e-9)


@pytest.mark.parametrize(("wgs", "gcj"), REFERENCE)
def test_gcj02_to_wgs84_inverts_to_within_centimetres(wgs, gcj):
    lng, lat = geo.gcj02_to_wgs84(*gcj)
    assert geo.haversine_m(lng, lat, *wgs) < 0.05


def test_round_trip_over_nanjing():
    for lng in (118.45, 118.78, 119.15):
        for lat in (31.25, 32.04, 32.55):
            back = geo.wgs84_to_gcj02(*geo.gcj02_to_wgs84(lng, lat))
            assert back == pytest.approx((lng, lat), abs=1e-8)


def test_nanjing_offset_is_a_few_hundred_metres_north_west():
    # 夫子庙 as Amap shows it; the true (GPS) position lies ~500 m west and ~200 m north.
    wgs = geo.gcj02_to_wgs84(118.788603, 32.021190)
    assert 300 < geo.haversine_m(118.788603, 32.021190, *wgs) < 700
    assert wgs[0] < 118.788603 and wgs[1] > 32.021190


@pytest.mark.parametrize(
    "point",
    [(-104.9903, 39.7392), (153.0251, -27.4698), (-43.1729, -22.9068), (2.3522, 48.8566)],
)
def test_points_outside_china_are_unchanged(point):
    assert geo.out_of_china(*point)
    assert geo.wgs84_to_gcj02(*point) == point
    assert geo.gcj02_to_wgs84(*point) == point


def test_convert_same_system_is_identity_and_rejects_unknown():
    assert geo.convert(118.1, 32.1, source="gcj02", target="gcj02") == (118.1, 32.1)
    with pytest.raises(ValueError):
        geo.convert(118.1, 32.1, source="bd09", target="wgs84")


def test_haversine_and_bounding_box():
    # One degree of latitude is ~111.2 km everywhere.
    assert geo.haversine_m(118.0, 32.0, 118.0, 33.0) == pytest.approx(111_195, rel=1e-3)
    box = geo.bounding_box(118.78, 32.04, 5_000)
    for bearing in range(0, 360, 15):
        # A point 4.99 km away in any direction lies inside the box.
        d = 4_990 / 6371008.8
        b = math.radians(bearing)
        lat1, lng1 = math.radians(32.04), math.radians(118.78)
        lat2 = math.asin(math.sin(lat1) * math.cos(d) + math.cos(lat1) * math.sin(d) * math.cos(b))
        lng2 = lng1 + math.atan2(
            math.sin(b) * math.sin(d) * math.cos(lat1), math.cos(d) - math.sin(lat1) * math.sin(lat2)
        )
        lng2, lat2 = math.degrees(lng2), math.degrees(lat2)
        assert box.min_lng <= lng2 <= box.max_lng and box.min_lat <= lat2 <= box.max_lat


def test_station_stores_its_system_and_derives_wgs84(managed_station):
    managed_station.refresh_from_db()
    assert managed_station.coord_system == "gcj02"
    expected = geo.gcj02_to_wgs84(118.788603, 32.021190)
    assert (managed_station.lng_wgs84, managed_station.lat_wgs84) == pytest.approx(expected, abs=1e-9)
    assert managed_station.coordinates_in("gcj02") == pytest.approx((118.788603, 32.021190))
    managed_station.coord_system = "wgs84"
    managed_station.save(update_fields=["coord_system"])
    managed_station.refresh_from_db()
    assert managed_station.lng_wgs84 == pytest.approx(118.788603)
