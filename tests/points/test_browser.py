"""A worker on a real phone browser: code by SMS, balance, redeem; nothing leaves the server."""

from __future__ import annotations

import re

import pytest

from core import sms
from points.models import Redemption
from points.services import points_award

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_worker_phone_flow(phone_page, live_server, settings, catalogue, worker, station_manager, reward):
    from django.core.cache import cache

    settings.SMS_BACKEND = "core.sms.MemoryBackend"
    sms.outbox.clear()
    cache.clear()
    points_award(person=worker, rule=catalogue["study"], points=80, actor=station_manager, idempotency_key="b")
    page = phone_page
    page.goto(f"{live_server.url}/points/m/")
    page.fill("#id_phone", worker.phone)
    page.click("button[type=submit]")
    assert len(sms.outbox) == 1
    # Asking again within the minute: no second SMS, a clear message and a countdown.
    assert page.locator("#resend").is_disabled()
    page.evaluate("document.getElementById('resend').disabled = false")
    page.click("#resend")
    assert "刚刚已发送" in page.inner_text("#otp-notice") and len(sms.outbox) == 1
    assert re.fullmatch(r"\d+ 秒后可重新获取", page.inner_text("#resend-wait"))
    assert page.locator("#resend").is_disabled()
    page.screenshot(path="/tmp/phone-otp-wait.png")
    code = re.search(r"(\d{6})", sms.outbox[-1].text).group(1)
    page.fill("#id_code", code)
    page.click("#phone-login button[type=submit]")
    page.wait_for_selector("#balance")
    assert page.inner_text("#balance").strip() == "80"
    page.goto(f"{live_server.url}/points/m/rewards/")
    page.click(f"#reward-{reward.pk} button[type=submit]")
    assert page.inner_text("#after") == "30" and Redemption.objects.count() == 0
    page.screenshot(path="/tmp/phone-redeem-confirm.png")
    page.click("#redeem-confirm button[type=submit]")
    page.wait_for_selector("#my-redemptions")
    assert "保温餐箱" in page.inner_text("#my-redemptions")
    assert page.inner_text("#balance").strip() == "30"
    assert Redemption.objects.count() == 1
    assert page.external_requests == []
