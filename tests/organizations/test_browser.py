"""A district organizer walks from coverage to a unit's file in a real browser, offline."""

import pytest

from tests.conftest import login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_coverage_to_unit_file(page, live_server, qinhuai_organizer, orgdata):
    login_in_browser(page, live_server, "qinhuai")
    page.click("text=组织覆盖")
    page.wait_for_load_state("networkidle")
    assert "秦淮区" in page.locator("#coverage-table").inner_text()
    page.click("#coverage-table >> text=秦淮区")
    page.wait_for_load_state("networkidle")
    streets = page.locator("#coverage-table").inner_text()
    assert "夫子庙街道" in streets and "中华门街道" in streets
    page.click("#should-build-list >> text=秦淮数字科技有限公司")
    page.wait_for_load_state("networkidle")
    assert "应建未建" in page.locator("#should-build").inner_text()
    assert page.locator("#unit-kpis").inner_text().count("未覆盖") >= 1
    assert page.external_requests == []
