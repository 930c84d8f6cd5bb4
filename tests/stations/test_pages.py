from datetime import time

import pytest

from stations import geo, phone_actions
from stations.models import OpeningHours, Station
from stations.qr import public_url
from tests.stations.conftest import make_station

pytestmark = pytest.mark.django_db


@pytest.fixture
def clean_registry(monkeypatch):
    monkeypatch.setattr(phone_actions, "_REGISTRY", {})
    return phone_actions


@pytest.mark.smoke
def test_phone_page_is_public_and_shows_services_hours_and_navigation(
    client, managed_station, services, clean_registry
):
    managed_station.services.set([services["rest"], services["charging"]])
    OpeningHours.objects.create(station=managed_station, weekday=4, opens=time(22), closes=time(2))
    response = client.get(f"/s/{managed_station.code}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "夫子庙宁小蜂驿站" in body and "手机充电" in body and "22:00–次日02:00" in body
    assert "https://uri.amap.com/marker?position=118.788603%2C32.021190" in body
    assert "<script" not in body and "stylesheet" not in body  # tiny: inline CSS only
    assert len(response.content) < 12_000
    assert 'class="btn" href' not in body  # no actions registered → no buttons at all


def test_phone_page_code_is_normalised_and_planned_is_hidden(client, managed_station):
    assert client.get("/s/nxf-fzm-001/").status_code == 200
    managed_station.status = Station.Status.PLANNED
    managed_station.save()
    assert client.get(f"/s/{managed_station.code}/").status_code == 404
    assert client.get("/s/NOPE/").status_code == 404


def test_registered_actions_are_rendered_in_order(client, managed_station, clean_registry):
    clean_registry.register_phone_action("b", "我的积分", lambda station, request: f"/p/{station.code}/", order=30)
    clean_registry.register_phone_action("a", "提交诉求", lambda station, request: "/g/new/", order=10, hint="投诉建议")
    clean_registry.register_phone_action("hidden", "隐藏", lambda station, request: None, order=5)
    body = client.get(f"/s/{managed_station.code}/").content.decode()
    assert body.index("提交诉求") < body.index("我的积分")
    assert "/p/NXF-FZM-001/" in body and "投诉建议" in body and "隐藏" not in body
    with pytest.raises(TypeError):
        clean_registry.register_phone_action("x", "坏", 42)


def test_qr_png_svg_and_poster(client, managed_station, fuzimiao_cadre, settings):
    settings.PORTAL_PUBLIC_BASE_URL = "https://dangjian.nanjing.example/"
    assert public_url(managed_station) == "https://dangjian.nanjing.example/s/NXF-FZM-001/"
    client.force_login(fuzimiao_cadre)
    png = client.get(f"/stations/{managed_station.code}/qr.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"
    svg = client.get(f"/stations/{managed_station.code}/qr.svg")
    assert svg.status_code == 200 and b"<svg" in svg.content
    poster = client.get(f"/stations/{managed_station.code}/poster/").content.decode()
    assert (
        "夫子庙宁小蜂驿站" in poster
        and "<svg" in poster
        and "https://dangjian.nanjing.example/s/NXF-FZM-001/" in poster
    )
    assert "@page{size:A4" in poster


def test_qr_encodes_the_public_url(managed_station, settings):
    import segno

    settings.PORTAL_PUBLIC_BASE_URL = "https://dj.example"
    expected = segno.make("https://dj.example/s/NXF-FZM-001/", error="m", micro=False)
    from stations.qr import _qr

    assert _qr(managed_station).matrix == expected.matrix


def test_qr_and_poster_are_404_outside_scope(client, managed_station, xinjiekou_cadre, outsider):
    for user in (xinjiekou_cadre, outsider):
        client.force_login(user)
        for suffix in ("qr.png", "qr.svg", "poster/"):
            assert client.get(f"/stations/{managed_station.code}/{suffix}").status_code in (403, 404)
    client.force_login(xinjiekou_cadre)
    assert client.get(f"/stations/{managed_station.code}/poster/").status_code == 404


def test_map_points_convert_to_the_tiles_crs(client, managed_station, fuzimiao_cadre, settings):
    client.force_login(fuzimiao_cadre)
    settings.STATION_MAP_TILE_URL = ""
    plain = client.get("/stations/map/points.json").json()
    assert plain["crs"] == "wgs84"
    expected = geo.gcj02_to_wgs84(118.788603, 32.021190)
    assert (plain["points"][0]["lng"], plain["points"][0]["lat"]) == pytest.approx(expected, abs=1e-6)
    settings.STATION_MAP_TILE_URL = "http://tiles.intranet/{z}/{x}/{y}.png"
    settings.STATION_MAP_TILE_CRS = "gcj02"
    amap = client.get("/stations/map/points.json").json()
    assert amap["crs"] == "gcj02"
    assert (amap["points"][0]["lng"], amap["points"][0]["lat"]) == pytest.approx((118.788603, 32.021190), abs=1e-6)


def test_map_points_filters_and_scope(
    client, managed_station, xinjiekou_station, services, fuzimiao_cadre, municipal, outsider
):
    managed_station.services.set([services["legal"]])
    client.force_login(municipal)
    assert {p["code"] for p in client.get("/stations/map/points.json").json()["points"]} == {
        "NXF-FZM-001",
        "NXF-XJK-001",
    }
    assert [p["code"] for p in client.get("/stations/map/points.json?service=legal").json()["points"]] == [
        "NXF-FZM-001"
    ]
    assert [p["code"] for p in client.get("/stations/map/points.json?tier=flagship").json()["points"]] == [
        "NXF-FZM-001"
    ]
    assert client.get("/stations/map/points.json?tier=bogus").status_code == 400
    client.force_login(fuzimiao_cadre)
    assert [p["code"] for p in client.get("/stations/map/points.json").json()["points"]] == ["NXF-FZM-001"]
    client.force_login(outsider)
    assert client.get("/stations/map/points.json").status_code == 403


def test_map_and_list_pages(client, managed_station, fuzimiao_cadre):
    client.force_login(fuzimiao_cadre)
    page = client.get("/stations/map/").content.decode()
    assert (
        "vendor/leaflet/leaflet.js" in page
        and 'id="station-map"' in page
        and "http" not in page.split("station-map")[0][-200:]
    )
    listing = client.get("/stations/?overdue=1").content.decode()
    assert "夫子庙宁小蜂驿站" in listing and "逾期" in listing


def test_station_admin_changelist_and_export_are_scoped(client, managed_station, xinjiekou_station, fuzimiao_cadre):
    client.force_login(fuzimiao_cadre)
    changelist = client.get("/admin/stations/station/").content.decode()
    assert "NXF-FZM-001" in changelist and "NXF-XJK-001" not in changelist
    assert client.get(f"/admin/stations/station/{xinjiekou_station.pk}/change/").status_code == 404


def test_make_station_helper_round_trip(world):
    station = make_station("H1", world.chaokujie, lng="118.0", lat="32.0", coord=Station.CoordSystem.WGS84)
    assert station.lng_wgs84 == pytest.approx(118.0)


def test_station_admin_pages_render(client, managed_station, fuzimiao_cadre, municipal):
    client.force_login(fuzimiao_cadre)
    change = client.get(f"/admin/stations/station/{managed_station.pk}/change/")
    assert change.status_code == 200 and "开放时间" in change.content.decode()
    client.force_login(municipal)
    assert client.get("/admin/stations/service/").status_code == 200
    assert client.get("/admin/stations/inspectionitem/").status_code == 200
    assert client.get("/admin/stations/visit/").status_code == 200
    assert client.get("/admin/stations/careactivity/").status_code == 200


def test_station_manager_admin_locks_placement_fields(client, managed_station, station_manager):
    client.force_login(station_manager)
    response = client.get(f"/admin/stations/station/{managed_station.pk}/change/")
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "territory" not in form.fields and "manager_post" not in form.fields and "services" in form.fields


def test_admin_place_filters_offer_only_the_station_managers_street(client, station_manager, world):
    """按区 / 按街道 in the admin are pickers: a station manager, who sees one station, was offered
    every district of the city (territory names are shared reference data for reading)."""
    client.force_login(station_manager)
    response = client.get("/admin/stations/station/")
    offered = {
        spec.title: dict(spec.lookup_choices)
        for spec in response.context["cl"].get_filters(response.wsgi_request)[0]
        if spec.title in ("所在区", "所在街道")
    }
    assert offered == {"所在街道": {world.fuzimiao.code: world.fuzimiao.name}}
