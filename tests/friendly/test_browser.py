"""The friendly city's phone pages in a real Chromium at 390×844: the rider's pass, the guard's
page and verdict, the merchant claim form, the public map. Nothing may leave the server."""

from __future__ import annotations

import os
import re
from decimal import Decimal

import pytest

from friendly.models import MerchantClaim, PassScan, RiderPass
from stations.models import ServicePoint
from stations.services import service_point_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = os.environ.get("FRIENDLY_SCREENSHOTS", "")


def _shot(page, name: str) -> None:
    """Screenshots for a person to look at (FRIENDLY_SCREENSHOTS=dir); the asserts do the testing."""
    if SCREENS:
        os.makedirs(SCREENS, exist_ok=True)
        page.screenshot(path=os.path.join(SCREENS, f"{name}.png"), full_page=True)


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_rider_gets_a_pass_and_the_guard_sees_valid(
    phone_page, browser, live_server, rider, gate, memory_sms, settings
):
    settings.PORTAL_PUBLIC_BASE_URL = live_server.url
    page = phone_page
    page.goto(f"{live_server.url}/nx/pass/")
    page.fill("#id_phone", rider.phone)
    page.click("button[type=submit]")
    code = re.search(r"(\d{6})", memory_sms[-1].text).group(1)
    page.fill("#id_code", code)
    page.click("button[type=submit]")
    page.wait_for_selector("#pass svg")
    rider_pass = RiderPass.objects.get(person=rider)
    assert page.inner_text("#pass-code").replace(" ", "") == rider_pass.code
    assert "王**" in page.inner_text("#pass") and "王小骑" not in page.content()
    # The QR is drawn big enough for a cheap camera: at least 250 px wide on a 390 px screen.
    assert page.locator("#pass svg").bounding_box()["width"] >= 250
    _fits(page)
    _shot(page, "rider-pass")
    assert page.external_requests == []

    # The guard's phone: opens the gate link once, then types the code the rider reads out.
    guard = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    gpage = guard.new_page()
    gpage.goto(f"{live_server.url}/nx/g/{gate.guard_key}/")
    assert "钞库街骑手友好社区" in gpage.inner_text("header")
    _fits(gpage)
    _shot(gpage, "guard-page")
    gpage.fill("#id_code", rider_pass.code.lower())
    gpage.click("button[type=submit]")
    gpage.wait_for_selector("#verdict")
    assert gpage.get_attribute("#verdict", "data-result") == "valid"
    assert gpage.inner_text("#verdict h1") == "有效"
    # One look: the word fills a big share of the screen, on green.
    assert gpage.locator("#verdict h1").bounding_box()["height"] >= 60
    assert gpage.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(26, 127, 55)"
    _fits(gpage)
    _shot(gpage, "guard-valid")

    # The same phone's camera opens the QR's URL: counted at this gate too.
    token_url = re.search(r"/nx/v/[^\"']+/", _qr_url(rider_pass)).group(0)
    gpage.goto(f"{live_server.url}{token_url}")
    assert gpage.inner_text("#verdict h1") == "有效"
    assert "今日已核验 2 次" in gpage.inner_text("body")
    gpage.goto(f"{live_server.url}/nx/v/forged-token/")
    assert gpage.inner_text("#verdict h1") == "无效"
    assert gpage.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(179, 20, 27)"
    _shot(gpage, "guard-invalid")
    assert PassScan.objects.filter(community=gate.community).count() == 3
    guard.close()


def _qr_url(rider_pass) -> str:
    from friendly import passes

    return passes.verify_url(rider_pass.code)


def test_merchant_claims_from_a_phone(phone_page, live_server, world):
    page = phone_page
    page.goto(f"{live_server.url}/nx/merchant/")
    _fits(page)
    page.fill("#id_merchant_name", "夫子庙老街面馆")
    page.select_option("#id_territory", str(world.fuzimiao.pk))
    page.fill("#id_address", "贡院街 88 号")
    page.fill("#id_contact_name", "王老板")
    page.fill("#id_contact_phone", "139 1234 0000")
    page.click("button[type=submit]")
    # Nothing offered yet: the form says why and keeps what was typed.
    page.wait_for_selector(".errorlist")
    assert "请至少选择或填写一项" in page.inner_text("body")
    assert page.input_value("#id_merchant_name") == "夫子庙老街面馆"
    page.check("#id_green_channel")
    page.check("#id_care_meal")
    _shot(page, "merchant-form")
    page.click("button[type=submit]")
    page.wait_for_url("**/nx/merchant/done/")
    assert "夫子庙街道审核" in page.inner_text("body")
    _shot(page, "merchant-done")
    claim = MerchantClaim.objects.get()
    assert claim.offers_text == "取餐绿色通道、小哥爱心套餐" and claim.contact_phone == "13912340000"
    assert page.external_requests == []


def test_public_map_lists_points_near_the_phone(phone_page, live_server, world):
    service_point_create(
        name="新街口换电点",
        kind=ServicePoint.Kind.CHARGING,
        territory=world.huaqiaolu,
        longitude=Decimal("118.779300"),
        latitude=Decimal("32.041500"),
    )
    page = phone_page
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 32.0436, "longitude": 118.7787})
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector("#fmap[data-loaded='1']", timeout=10_000)
    assert "新街口换电点" in page.inner_text("#items")
    assert "您附近" in page.inner_text("#status")
    _fits(page)
    _shot(page, "friendly-map")
    assert page.external_requests == []


def test_public_map_station_link_is_a_finger_sized_target(phone_page, live_server, world, managed_station):
    """The rider taps 查看驿站 with a thumb: at least 24×24 CSS px (WCAG 2.5.8), not a 20 px line."""
    page = phone_page
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 32.0233, "longitude": 118.7840})
    page.goto(f"{live_server.url}/map/")
    page.wait_for_selector("#fmap[data-loaded='1']", timeout=10_000)
    link = page.locator("#items a", has_text="查看驿站").first
    box = link.bounding_box()
    assert box["height"] >= 24 and box["width"] >= 24, box
