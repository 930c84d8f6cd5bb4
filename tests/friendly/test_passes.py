"""宁新码: issuing to verified workers, signed and expiring tokens, the guard's verdicts and counts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from friendly import passes, services
from friendly.models import PassScan, RiderPass
from friendly.selectors import communities_with_scans, masked_name

pytestmark = pytest.mark.django_db


def _token_of(rider_pass) -> str:
    return passes.sign(rider_pass.code)


def test_pass_is_issued_once_per_shift_and_only_to_gig_workers(rider, office_worker):
    first = services.pass_issue(person=rider)
    assert services.pass_issue(person=rider) == first
    assert len(first.code) == 8 and set(first.code) <= set(passes.ALPHABET)
    assert first.expires_at - first.issued_at == timedelta(hours=12)
    with pytest.raises(ValidationError, match="新就业群体"):
        services.pass_issue(person=office_worker)


def test_a_pass_near_its_end_is_replaced(rider):
    old = services.pass_issue(person=rider)
    RiderPass.objects.filter(pk=old.pk).update(expires_at=timezone.now() + timedelta(minutes=30))
    assert services.pass_issue(person=rider) != old


def test_valid_token_counts_at_the_gate(rider, gate):
    rider_pass = services.pass_issue(person=rider)
    verdict = services.pass_check(token=_token_of(rider_pass), entrance=gate)
    assert verdict.valid and verdict.rider_pass == rider_pass
    scan = PassScan.objects.get()
    assert (scan.community_id, scan.entrance_id, scan.result, scan.method) == (
        gate.community_id,
        gate.pk,
        "valid",
        "qr",
    )


@pytest.mark.parametrize(
    "mangle, result",
    [
        (lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"), "forged"),
        (lambda t: "ABCDEFGH:1abcd:xyz", "forged"),
        (lambda t: "", "unknown"),
    ],
)
def test_forged_tokens_are_invalid(rider, gate, mangle, result):
    rider_pass = services.pass_issue(person=rider)
    verdict = services.pass_check(token=mangle(_token_of(rider_pass)), entrance=gate)
    assert not verdict.valid and verdict.result == result


def test_old_token_and_expired_or_revoked_pass_are_invalid(rider, gate, settings):
    rider_pass = services.pass_issue(person=rider)
    token = _token_of(rider_pass)
    settings.FRIENDLY_PASS_TTL_HOURS = 0  # every token is now older than the lifetime
    assert services.pass_check(token=token, entrance=gate).result == "expired"
    settings.FRIENDLY_PASS_TTL_HOURS = 12
    RiderPass.objects.filter(pk=rider_pass.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert services.pass_check(token=token, entrance=gate).result == "expired"
    RiderPass.objects.filter(pk=rider_pass.pk).update(expires_at=timezone.now() + timedelta(hours=1))
    services.pass_revoke(rider_pass=rider_pass, reason="冒用")
    assert services.pass_check(token=token, entrance=gate).result == "revoked"
    with pytest.raises(ValidationError):
        services.pass_revoke(rider_pass=rider_pass, reason="again")


def test_typed_code_accepts_spaces_lower_case_and_full_width(rider, gate):
    rider_pass = services.pass_issue(person=rider)
    spaced = f" {rider_pass.code[:4].lower()} {rider_pass.code[4:]} "
    assert services.pass_check(code=spaced, entrance=gate).valid
    assert services.pass_check(code="ZZZZ2222", entrance=gate).result == "unknown"
    assert PassScan.objects.filter(method="typed").count() == 2


def test_masked_name():
    assert masked_name("王小骑") == "王**"
    assert masked_name("欧阳小明") == "欧阳**"
    assert masked_name("") == ""


def test_scans_per_community_are_scoped(rider, gate, xinjiekou_community, fuzimiao_cadre, xinjiekou_cadre, outsider):
    rider_pass = services.pass_issue(person=rider)
    for _ in range(3):
        services.pass_check(token=_token_of(rider_pass), entrance=gate)
    services.pass_check(code="ZZZZ2222", entrance=gate)
    mine = {c.name: (c.scans_today, c.valid_today) for c in communities_with_scans(fuzimiao_cadre)}
    assert mine == {"钞库街骑手友好社区": (4, 3)}
    assert [c.name for c in communities_with_scans(xinjiekou_cadre)] == ["华侨路骑手友好社区"]
    assert list(communities_with_scans(outsider)) == []


# --- the phone pages ---------------------------------------------------------------------------


def _verify_phone(client, phone, outbox):
    client.post(reverse("friendly:pass-login"), {"phone": phone})
    code = re.search(r"\d{6}", outbox[-1].text).group(0)
    return client.post(reverse("friendly:pass-login"), {"phone": phone, "code": code, "next": "/nx/pass/"})


def test_rider_page_needs_a_verified_phone_and_shows_a_qr(client, rider, memory_sms):
    response = client.get("/nx/pass/")
    assert response.status_code == 302 and response["Location"].startswith("/nx/pass/login/")
    assert _verify_phone(client, "139 1234 5678", memory_sms)["Location"] == "/nx/pass/"
    page = client.get("/nx/pass/")
    body = page.content.decode()
    rider_pass = RiderPass.objects.get(person=rider)
    assert "<svg" in body and f"{rider_pass.code[:4]} {rider_pass.code[4:]}" in body
    assert "王**" in body and "王小骑" not in body and "13912345678" not in body
    assert page["Cache-Control"].startswith("max-age=0")


def test_unknown_phone_gets_no_pass(client, world, memory_sms):
    _verify_phone(client, "13800000000", memory_sms)
    response = client.get("/nx/pass/")
    assert "还没有登记" in response.content.decode()
    assert not RiderPass.objects.exists()


def test_guard_link_remembers_the_gate_for_camera_scans(client, rider, gate):
    rider_pass = services.pass_issue(person=rider)
    guard = client.get(f"/nx/g/{gate.guard_key}/")
    assert guard.status_code == 200 and "钞库街骑手友好社区" in guard.content.decode()
    page = client.get(f"/nx/v/{_token_of(rider_pass)}/")
    body = page.content.decode()
    assert "有效" in body and "可以通行" in body and "今日已核验 1 次" in body
    assert PassScan.objects.get().entrance == gate


def test_verify_without_a_gate_still_answers_and_is_not_counted_anywhere(client, rider, gate):
    page = client.get("/nx/v/not-a-token/")
    assert page.status_code == 200 and "无效" in page.content.decode() and "二维码无效" in page.content.decode()
    scan = PassScan.objects.get()
    assert scan.community_id is None and scan.result == "forged"


def test_guard_typed_code_is_rate_limited(client, rider, gate, settings):
    from django.core.cache import cache

    cache.clear()
    settings.FRIENDLY_RATE_LIMITS = {"typed_code_ip": (2, 600)}
    url = f"/nx/g/{gate.guard_key}/"
    assert client.post(url, {"code": "ZZZZ2222"}).status_code == 200
    assert client.post(url, {"code": "ZZZZ2223"}).status_code == 200
    refused = client.post(url, {"code": "ZZZZ2224"})
    assert refused.status_code == 429 and "过于频繁" in refused.content.decode()
    assert PassScan.objects.count() == 2


def test_unknown_guard_key_is_404(client, world):
    assert client.get("/nx/g/nope/").status_code == 404


def test_published_community_page_shows_the_convention(client, community, xinjiekou_community):
    body = client.get(f"/nx/c/{community.pk}/").content.decode()
    assert "减速慢行" in body and "东门" in body and "第 1 版" in body
    assert client.get(f"/nx/c/{xinjiekou_community.pk}/").status_code == 404  # still 筹建
