"""The public form in real headless Chromium on a phone viewport, reached from the station page."""

from __future__ import annotations

import pytest

from grievances.models import Grievance

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_phone_submission_and_status(phone_page, live_server, managed_station, categories):
    page = phone_page
    page.goto(f"{live_server.url}/g/s/{managed_station.code}/")
    assert managed_station.name in page.inner_text("h1")
    # empty submit: clear messages in Chinese, nothing stored
    page.click("#grievance-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "请填写诉求内容" in page.inner_text("#row-text")
    assert "请填写手机号" in page.inner_text("#row-contact_phone")
    page.fill("#id_text", "驿站的充电插座坏了，手机没法充电")
    page.fill("#id_contact_name", "李师傅")
    page.fill("#id_contact_phone", "13812345678")
    page.click("#grievance-form button[type=submit]")
    page.wait_for_selector("#ticket")
    ticket = page.inner_text("#ticket").strip()
    grievance = Grievance.objects.get(ticket=ticket)
    assert grievance.station == managed_station
    # the form fits the phone: no horizontal scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(f"{live_server.url}/g/status/")
    page.fill("#id_ticket", ticket)
    page.fill("#id_phone_tail", "5678")
    page.click("#lookup-form button[type=submit]")
    page.wait_for_selector("#state")
    assert page.inner_text("#state") in {s.label for s in Grievance.State}
    assert page.external_requests == []


def test_station_qr_page_links_to_the_form(phone_page, live_server, managed_station, categories):
    page = phone_page
    page.goto(f"{live_server.url}/s/{managed_station.code}/")
    page.click("text=提交诉求")
    page.wait_for_selector("#grievance-form")
    assert page.url.endswith(f"/g/s/{managed_station.code}/")
    assert page.external_requests == []
