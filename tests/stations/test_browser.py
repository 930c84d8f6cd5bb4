from datetime import time

import pytest

from stations.models import OpeningHours
from tests.conftest import login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_qr_page_on_a_phone_makes_no_external_requests(phone_page, live_server, managed_station, world):
    from stations.models import Service

    managed_station.services.set(Service.objects.filter(code__in=["rest", "charging", "heating"]))
    for day in range(7):
        OpeningHours.objects.create(station=managed_station, weekday=day, opens=time(8), closes=time(22))
    phone_page.goto(f"{live_server.url}/s/{managed_station.code}/")
    phone_page.wait_for_load_state("networkidle")
    assert phone_page.locator("h1").inner_text() == "夫子庙宁小蜂驿站"
    assert phone_page.get_by_text("餐食加热").is_visible()
    nav = phone_page.locator("#nav")
    assert nav.get_attribute("href").startswith("https://uri.amap.com/marker?")
    # Fits the phone: nothing wider than the viewport.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone_page.external_requests == []


def test_staff_map_shows_points_from_local_leaflet(page, live_server, managed_station, fuzimiao_cadre):
    login_in_browser(page, live_server, "fuzimiao")
    page.goto(f"{live_server.url}/stations/map/")
    page.wait_for_selector("#station-map[data-loaded='1']", timeout=10_000)
    assert page.evaluate("typeof window.L") == "object"
    assert page.evaluate("document.getElementById('station-map').stationLayer.getLayers().length") == 1
    # No tile server configured: no tile was requested at all; outlines of the district and the
    # street of the station stand in for a basemap, and the attribution has no flag or link.
    assert page.locator(".leaflet-tile").count() == 0
    page.wait_for_selector("#station-map[data-outlines='2']", timeout=10_000)
    assert page.locator(".station-map-area").inner_text() == "秦淮区"
    attribution = page.locator(".leaflet-control-attribution")
    assert "Leaflet" in attribution.inner_text() and "非行政边界" in attribution.inner_text()
    assert attribution.locator("svg, a").count() == 0
    assert page.locator(".station-map-count").inner_text() == "共 1 个驿站"
    page.select_option("select[name=tier]", "key")
    page.wait_for_selector("#station-map[data-loaded='0']", timeout=10_000)
    assert page.locator(".station-map-count").inner_text() == "共 0 个驿站"
    assert page.external_requests == []
