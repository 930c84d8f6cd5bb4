"""An accessibility pass with axe-core on the pages every role and every rider meets, on a
phone (390×844): zero serious or critical WCAG 2.1 A/AA violations."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.axe import axe_violations, report
from tests.conftest import login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_pages_have_no_serious_violations(phone_page, live_server, managed_station):
    page = phone_page
    base = live_server.url
    found = {}
    for path in (
        "/accounts/login/",
        f"/s/{managed_station.code}/",
        f"/g/s/{managed_station.code}/",
        "/g/new/",
        "/g/status/",
        "/points/m/login/",
    ):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        found[path] = axe_violations(page)
    assert not any(found.values()), report(found)
    assert page.external_requests == []


def test_staff_pages_have_no_serious_violations(phone_page, live_server, fuzimiao_cadre):
    page = phone_page
    base = live_server.url
    login_in_browser(page, live_server, "fuzimiao")
    found = {}
    for path in ("/", "/dashboard/", "/grievances/"):
        page.goto(base + path)
        page.wait_for_load_state("networkidle")
        found[path] = axe_violations(page)
    # This week's report of the street, opened as the cadre does from the list.
    page.goto(base + "/cadence/weekly/")
    page.locator("form[action$='/cadence/weekly/open/'] button[type=submit]").first.click()
    page.wait_for_url("**/cadence/weekly/*/")
    page.wait_for_load_state("networkidle")
    found["weekly report"] = axe_violations(page)
    assert not any(found.values()), report(found)
    # The menu folds on a phone and opens with one tap.
    expect(page.locator("#topnav")).to_be_hidden()
    page.click("label[for=nav-toggle]")
    expect(page.locator("#topnav")).to_be_visible()
    page.screenshot(path="/tmp/phone-staff-menu.png")
    assert page.external_requests == []
