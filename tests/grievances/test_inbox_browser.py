"""The handler inbox in real Chromium: search by phone tail, filter, page, export, resolve through
the labelled 办结 box (desktop); the same inbox as cards on a 390×844 phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from grievances import inbox as inbox_filters
from grievances.models import Grievance, RoutingRule
from organizations.models import Body
from tests.conftest import login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cases(world, categories, submit, monkeypatch):
    """Three 夫子庙 cases; 进门难 goes to 邮政管理局, which has no account → the street (兜底)."""
    body = Body.objects.create(
        code="SJ-YZGL", name="南京市邮政管理局", kind="committee_member_unit", territory=world.city
    )
    RoutingRule.objects.create(category=categories["entry"], territory=world.city, body=body)
    monkeypatch.setattr(inbox_filters, "PAGE_SIZE", 2)
    return [
        submit("小区保安不让快递员进门", category_code="entry", contact_phone="13811112222"),
        submit("钞库街停车位太少", category_code="parking", contact_phone="13933334444"),
        submit("驿站饮水机坏了", category_code="meals", contact_phone="13755556666"),
    ]


def test_inbox_on_a_desk_and_a_phone(page, phone_page, live_server, cases, fuzimiao_cadre):
    """One flow, one database flush: the desk first, then the same inbox on a 390×844 phone."""
    entry = cases[0]
    assert entry.assignee.user == fuzimiao_cadre  # the fallback gave the street an owner
    login_in_browser(page, live_server, "fuzimiao")
    page.goto(f"{live_server.url}/grievances/")
    assert "暂无平台账号" in page.locator("#notices").inner_text()
    # My cases: three, two a page, a real next page.
    assert page.locator("#inbox tbody tr").count() == 2
    page.click("nav.pager >> text=下一页")
    expect(page.locator("#inbox tbody tr")).to_have_count(1)
    # Search by the phone tail (the four digits the masked phone shows).
    page.fill("#f-q", "2222")
    page.click("#do-filter")
    rows = page.locator("#inbox tbody tr")
    expect(rows).to_have_count(1)
    assert rows.count() == 1 and entry.ticket in rows.inner_text() and "138****2222" in rows.inner_text()
    page.select_option("#f-category", "parking")
    page.fill("#f-q", "")
    page.click("#do-filter")
    expect(page.locator("#inbox")).to_contain_text("钞库街停车位太少")
    assert page.locator("#inbox tbody tr").count() == 1
    # The Excel export holds the filtered list.
    with page.expect_download() as download:
        page.click("a.export-button >> text=导出 Excel")
    assert download.value.suggested_filename.endswith(".xlsx")
    # Resolve through the labelled box.
    page.goto(f"{live_server.url}/grievances/{entry.ticket}/")
    page.click("summary >> text=办结")
    page.get_by_label("办理结果（提交人可见）").fill("已协调物业，快递员登记后可进门")
    page.click("#do-resolve")
    page.wait_for_selector("text=已办结")
    assert Grievance.objects.get(pk=entry.pk).state == Grievance.State.RESOLVED
    # The metrics page's period picker reads as one line: 近 [180] 天 [查看], labelled.
    page.goto(f"{live_server.url}/grievances/metrics/")
    picker = page.get_by_label("统计时段（天）")
    button = page.locator("#metrics-period button")
    box, button_box = picker.bounding_box(), button.bounding_box()
    assert box["width"] < 200 and abs(box["y"] - button_box["y"]) < box["height"]
    assert page.external_requests == []

    page = phone_page
    login_in_browser(page, live_server, "fuzimiao")
    page.goto(f"{live_server.url}/grievances/?tab=all")
    first = page.locator("#inbox tbody tr").first
    assert first.evaluate("tr => getComputedStyle(tr).display") == "block"
    # each value labelled by its column (the hidden header's text, drawn before the cell)
    label = first.evaluate("tr => getComputedStyle(tr.querySelector('td'), '::before').content")
    assert "受理编号" in label
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.fill("#f-q", "停车")
    page.click("#do-filter")
    expect(page.locator("#inbox tbody tr")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.external_requests == []
