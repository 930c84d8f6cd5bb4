from datetime import datetime, time
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from stations import geo
from stations.models import Station
from tests.stations.conftest import make_station
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def login(api_client, user):
    api_client.login(username=user.username, password=PASSWORD)
    return api_client


@pytest.mark.smoke
def test_list_is_scoped(api_client, managed_station, xinjiekou_station, zhonghuamen_station, fuzimiao_cadre):
    codes = {s["code"] for s in login(api_client, fuzimiao_cadre).get("/api/v1/stations/").json()["results"]}
    assert codes == {"NXF-FZM-001"}


def test_district_and_municipal_scope(
    api_client, managed_station, xinjiekou_station, zhonghuamen_station, qinhuai_organizer, municipal
):
    codes = {s["code"] for s in login(api_client, qinhuai_organizer).get("/api/v1/stations/").json()["results"]}
    assert codes == {"NXF-FZM-001", "NXF-ZHM-001"}
    api_client.logout()
    codes = {s["code"] for s in login(api_client, municipal).get("/api/v1/stations/").json()["results"]}
    assert codes == {"NXF-FZM-001", "NXF-ZHM-001", "NXF-XJK-001"}


def test_outsider_and_other_street(api_client, managed_station, outsider, xinjiekou_cadre):
    assert login(api_client, outsider).get("/api/v1/stations/").status_code == 403
    assert api_client.get(f"/api/v1/stations/{managed_station.code}/").status_code == 404
    api_client.logout()
    login(api_client, xinjiekou_cadre)
    assert api_client.get(f"/api/v1/stations/{managed_station.code}/").status_code == 404
    assert api_client.get("/api/v1/stations/").json()["results"] == []


def test_station_manager_reads_and_edits_own(api_client, managed_station, xinjiekou_station, station_manager, services):
    login(api_client, station_manager)
    data = api_client.get("/api/v1/stations/").json()["results"]
    assert [s["code"] for s in data] == ["NXF-FZM-001"]
    response = api_client.patch(
        f"/api/v1/stations/{managed_station.code}/", {"services": ["rest", "water"], "is_24h": True}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert sorted(response.json()["services"]) == ["rest", "water"] and response.json()["open_now"] is True
    assert api_client.get(f"/api/v1/stations/{xinjiekou_station.code}/").status_code == 404


def test_street_cadre_cannot_place_a_station_in_another_street(api_client, fuzimiao_cadre, world):
    login(api_client, fuzimiao_cadre)
    payload = {"code": "nxf-new-1", "name": "新驿站", "host_type": "shop", "longitude": "118.79", "latitude": "32.02"}
    bad = api_client.post("/api/v1/stations/", payload | {"territory": world.huaqiaolu.pk}, format="json")
    assert bad.status_code == 400 and "territory" in bad.json()
    good = api_client.post("/api/v1/stations/", payload | {"territory": world.chaokujie.pk}, format="json")
    assert good.status_code == 201, good.json()
    assert good.json()["code"] == "NXF-NEW-1" and good.json()["lng_wgs84"] is not None
    half = api_client.post(
        "/api/v1/stations/", payload | {"code": "X2", "territory": world.chaokujie.pk, "latitude": None}, format="json"
    )
    assert half.status_code == 400 and "同时" in str(half.json())


def test_list_query_count_is_bounded(api_client, municipal, world, django_assert_max_num_queries):
    for i in range(15):
        make_station(f"Q{i:03d}", world.chaokujie, lng="118.79", lat="32.02", hours=[(0, time(9), time(17))])
    login(api_client, municipal)
    with django_assert_max_num_queries(10):  # session, user, posts, 2 perms, 2 savepoints, 3 selects
        response = api_client.get("/api/v1/stations/")
    assert len(response.json()["results"]) == 15


def test_visits_and_care_activities_api_are_scoped(
    api_client, managed_station, xinjiekou_station, services, station_manager, xinjiekou_cadre
):
    login(api_client, station_manager)
    created = api_client.post(
        "/api/v1/station-visits/",
        {"station": managed_station.pk, "day": "2025-06-01", "service": services["rest"].pk, "count": 9},
        format="json",
    )
    assert created.status_code == 201, created.json()
    other = api_client.post(
        "/api/v1/station-visits/",
        {"station": xinjiekou_station.pk, "day": "2025-06-01", "service": services["rest"].pk, "count": 9},
        format="json",
    )
    assert other.status_code == 400
    care = api_client.post(
        "/api/v1/care-activities/",
        {
            "station": managed_station.pk,
            "held_on": "2025-07-15",
            "kind": "summer",
            "title": "夏送清凉",
            "items_count": 50,
        },
        format="json",
    )
    assert care.status_code == 400 and "items_given" in care.json()
    api_client.logout()
    login(api_client, xinjiekou_cadre)
    assert api_client.get("/api/v1/station-visits/").json()["results"] == []


# --- nearby ------------------------------------------------------------------------------------


@pytest.fixture
def nearby_world(world):
    """Stations around 夫子庙 (GCJ-02): near one closes at 18:00, a farther one is 24h, one overnight."""
    near = make_station(
        "N-NEAR", world.chaokujie, lng="118.789", lat="32.021", hours=[(d, time(9), time(18)) for d in range(7)]
    )
    mid = make_station("N-MID", world.chaokujie, lng="118.800", lat="32.025", is_24h=True)
    night = make_station("N-NIGHT", world.chaokujie, lng="118.810", lat="32.030", hours=[(4, time(22), time(2))])
    far = make_station("N-FAR", world.huaqiaolu, lng="118.950", lat="32.200", is_24h=True)
    suspended = make_station(
        "N-SUSP", world.chaokujie, lng="118.7891", lat="32.0211", is_24h=True, status=Station.Status.SUSPENDED
    )
    return near, mid, night, far, suspended


def nearby(api_client, when, **params):
    with mock.patch("django.utils.timezone.now", return_value=when):
        return api_client.get("/api/v1/stations/nearby/", params)


@pytest.mark.smoke
def test_nearby_orders_by_distance_and_needs_no_login(api_client, nearby_world):
    # A phone's GPS position (WGS-84) right at 夫子庙.
    lng, lat = geo.gcj02_to_wgs84(118.789, 32.021)
    response = nearby(api_client, datetime(2025, 6, 2, 12, 0, tzinfo=SH), lat=lat, lng=lng)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["code"] for r in results] == ["N-NEAR", "N-MID", "N-NIGHT", "N-FAR"]  # suspended is left out
    assert results[0]["distance_m"] < 5
    assert results[1]["distance_m"] == pytest.approx(geo.haversine_m(118.789, 32.021, 118.800, 32.025), abs=3)
    distances = [r["distance_m"] for r in results]
    assert distances == sorted(distances)
    assert results[0]["url"] == "/s/N-NEAR/"


def test_nearby_open_now_across_midnight(api_client, nearby_world):
    lng, lat = 118.789, 32.021
    friday_late = datetime(2025, 6, 6, 23, 30, tzinfo=SH)
    saturday_small_hours = datetime(2025, 6, 7, 1, 59, tzinfo=SH)
    saturday_two = datetime(2025, 6, 7, 2, 0, tzinfo=SH)
    codes = lambda r: [x["code"] for x in r.json()["results"]]  # noqa: E731
    assert codes(nearby(api_client, friday_late, lat=lat, lng=lng, coord="gcj02", open_now=1)) == [
        "N-MID",
        "N-NIGHT",
        "N-FAR",
    ]
    assert codes(nearby(api_client, saturday_small_hours, lat=lat, lng=lng, coord="gcj02", open_now=1)) == [
        "N-MID",
        "N-NIGHT",
        "N-FAR",
    ]
    assert codes(nearby(api_client, saturday_two, lat=lat, lng=lng, coord="gcj02", open_now=1)) == ["N-MID", "N-FAR"]
    # 17:59 the day station is open, 18:00 it is not.
    assert "N-NEAR" in codes(
        nearby(api_client, datetime(2025, 6, 2, 17, 59, tzinfo=SH), lat=lat, lng=lng, coord="gcj02", open_now=1)
    )
    assert "N-NEAR" not in codes(
        nearby(api_client, datetime(2025, 6, 2, 18, 0, tzinfo=SH), lat=lat, lng=lng, coord="gcj02", open_now=1)
    )


def test_nearby_limit_coord_and_errors(api_client, nearby_world):
    ok = api_client.get("/api/v1/stations/nearby/", {"lat": 32.021, "lng": 118.789, "coord": "gcj02", "limit": 2})
    body = ok.json()
    assert len(body["results"]) == 2 and body["coord"] == "gcj02"
    assert body["results"][0]["lng"] == pytest.approx(118.789)  # answered in the caller's system
    assert api_client.get("/api/v1/stations/nearby/", {"lat": "abc", "lng": 1}).status_code == 400
    assert api_client.get("/api/v1/stations/nearby/", {"lat": 95, "lng": 118}).status_code == 400
    assert api_client.get("/api/v1/stations/nearby/", {"lat": 32, "lng": 118, "coord": "bd09"}).status_code == 400


def test_nearby_query_count(api_client, nearby_world, django_assert_max_num_queries):
    # savepoints + stations + hours + services, + one query per widening radius for the service
    # points (none here, so all four radii are tried).
    with django_assert_max_num_queries(9):
        api_client.get("/api/v1/stations/nearby/", {"lat": 32.021, "lng": 118.789, "coord": "gcj02", "limit": 3})


def test_station_manager_cannot_move_or_reassign_their_station(api_client, managed_station, station_manager, world):
    login(api_client, station_manager)
    url = f"/api/v1/stations/{managed_station.code}/"
    moved = api_client.patch(url, {"territory": world.huaqiaolu.pk}, format="json")
    # Refused by the placement picker (another district is not placeable for a station
    # manager) before the field lock is reached; either way nothing moves.
    assert moved.status_code == 400 and "territory" in moved.json()
    assert api_client.patch(url, {"status": "closed"}, format="json").status_code == 400
    assert api_client.patch(url, {"description": "欢迎骑手歇脚"}, format="json").status_code == 200
    new = {"code": "X9", "name": "x", "host_type": "shop", "territory": world.chaokujie.pk}
    assert api_client.post("/api/v1/stations/", new, format="json").status_code == 403
    managed_station.refresh_from_db()
    assert managed_station.territory == world.chaokujie and managed_station.status == "open"
