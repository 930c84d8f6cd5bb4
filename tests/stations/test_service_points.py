"""Service points of the friendly map: the service, the scoped API, nearby, the maps."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from stations.models import ServicePoint
from stations.services import service_point_create
from tests.stations.conftest import WEEKDAYS_9_TO_6, make_station

pytestmark = pytest.mark.django_db


def _point(territory, kind=ServicePoint.Kind.CHARGING, *, lng="118.785000", lat="32.042000", **extra):
    return service_point_create(
        name=extra.pop("name", f"{territory.name}{kind}"),
        kind=kind,
        territory=territory,
        longitude=Decimal(lng),
        latitude=Decimal(lat),
        **extra,
    )


def test_codes_are_numbered_and_coordinates_kept_in_both_datums(world):
    point = _point(world.huaqiaolu)
    assert point.code == "CHA-320102-0001"
    assert _point(world.huaqiaolu).code == "CHA-320102-0002"
    assert point.lng_wgs84 != float(point.longitude)  # GCJ-02 in, WGS-84 derived
    with pytest.raises(ValidationError) as exc:
        _point(world.huaqiaolu, lat="132.0")
    assert "纬度" in str(exc.value)


def test_nearby_api_returns_stations_and_points(api_client, world):
    make_station("NXF-XJK-001", world.huaqiaolu, lng="118.784000", lat="32.041800", hours=WEEKDAYS_9_TO_6)
    _point(world.huaqiaolu, name="新街口换电点")
    _point(world.huaqiaolu, ServicePoint.Kind.TOILET, name="华侨路公厕", lng="118.786000")
    _point(world.huaqiaolu, ServicePoint.Kind.WATER, name="隐藏的饮水点", is_active=False)
    data = api_client.get("/api/v1/stations/nearby/?lat=32.0418&lng=118.784&coord=gcj02").json()
    assert [r["code"] for r in data["results"]] == ["NXF-XJK-001"]
    assert [p["name"] for p in data["points"]] == ["新街口换电点", "华侨路公厕"]
    assert data["points"][0]["kind_label"] == "充电点" and data["points"][0]["distance_m"] < 200
    only = api_client.get("/api/v1/service-points/nearby/?lat=32.0418&lng=118.784&coord=gcj02&kind=toilet").json()
    assert [p["name"] for p in only["results"]] == ["华侨路公厕"]
    bad = api_client.get("/api/v1/service-points/nearby/?lat=32.0418&lng=118.784&kind=moon")
    assert bad.status_code == 400 and "未知的点位类型" in bad.json()["kind"]


def test_service_point_api_is_scoped_and_writes_through_the_service(api_client, world, xinjiekou_cadre, fuzimiao_cadre):
    mine = _point(world.huaqiaolu, name="新街口换电点")
    _point(world.chaokujie, name="夫子庙换电点")
    api_client.force_authenticate(xinjiekou_cadre)
    names = [p["name"] for p in api_client.get("/api/v1/service-points/").json()["results"]]
    assert names == ["新街口换电点"]
    created = api_client.post(
        "/api/v1/service-points/",
        {
            "name": "华侨路饮水点",
            "kind": "water",
            "territory": world.huaqiaolu.pk,
            "longitude": "118.780000",
            "latitude": "32.040000",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["code"] == "WAT-320102-0001" and created.json()["lat_wgs84"] is not None
    outside = api_client.post(
        "/api/v1/service-points/",
        {"name": "越界", "kind": "water", "territory": world.chaokujie.pk, "longitude": "118.7", "latitude": "32.0"},
        format="json",
    )
    assert outside.status_code == 400
    api_client.force_authenticate(fuzimiao_cadre)
    assert api_client.get(f"/api/v1/service-points/{mine.code}/").status_code == 404


def test_outsider_sees_no_points(api_client, world, outsider):
    _point(world.huaqiaolu)
    api_client.force_authenticate(outsider)
    assert api_client.get("/api/v1/service-points/").status_code == 403


def test_public_map_json_merges_stations_and_points(client, world):
    make_station("NXF-XJK-001", world.huaqiaolu, lng="118.784000", lat="32.041800", hours=WEEKDAYS_9_TO_6)
    _point(world.huaqiaolu, ServicePoint.Kind.MERCHANT, name="爱心面馆", offers="小哥爱心套餐")
    assert client.get("/map/").status_code == 200
    data = client.get("/map/points.json?lat=32.0436&lng=118.7787").json()
    assert {(i["type"], i["name"]) for i in data["items"]} == {("station", "驿站NXF-XJK-001"), ("point", "爱心面馆")}
    assert [i["name"] for i in client.get("/map/points.json?kind=merchant").json()["items"]] == ["爱心面馆"]
    assert client.get("/map/points.json?kind=moon").status_code == 400
    assert client.get("/map/points.json?lat=x").status_code == 400


def test_staff_map_points_include_service_points_in_scope(client, world, xinjiekou_cadre):
    _point(world.huaqiaolu, name="新街口换电点")
    _point(world.chaokujie, name="夫子庙换电点")
    client.force_login(xinjiekou_cadre)
    data = client.get("/stations/map/points.json").json()
    assert [p["name"] for p in data["service_points"]] == ["新街口换电点"]
    assert client.get("/stations/map/points.json?point_kind=none").json()["service_points"] == []


def test_admin_saves_through_the_service(client, world, xinjiekou_cadre):
    client.force_login(xinjiekou_cadre)
    response = client.post(
        "/admin/stations/servicepoint/add/",
        {
            "code": "",
            "name": "华侨路公厕",
            "kind": "toilet",
            "territory": world.huaqiaolu.pk,
            "is_active": "on",
            "address": "",
            "longitude": "118.780000",
            "latitude": "32.040000",
            "coord_system": "gcj02",
            "hours_text": "",
            "offers": "",
            "contact_phone": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ServicePoint.objects.get().code == "TOI-320102-0001"


def test_openapi_schema_lists_the_new_paths(client, world, municipal):
    client.force_login(municipal)
    schema = client.get("/api/schema/?format=json").json()
    for path in (
        "/api/v1/service-points/",
        "/api/v1/service-points/nearby/",
        "/api/v1/friendly-communities/",
        "/api/v1/merchant-claims/{id}/approve/",
    ):
        assert path in schema["paths"], path
