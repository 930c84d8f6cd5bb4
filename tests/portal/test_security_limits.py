"""Limits a security review expects: body size, CSP, expiring and revocable tokens, an actor on
every audited write, separation of duties on transfers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from members.services import transfer_accept, transfer_approve, transfer_request
from organizations.models import Unit
from surveys.fixtures import credit_code
from tests.members.factories import make_member
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db


def test_oversized_body_is_refused_with_a_chinese_413(client, settings):
    settings.REQUEST_BODY_MAX_BYTES = 1024
    response = client.generic("POST", reverse("grievances:new"), b"x" * 2048, content_type="application/octet-stream")
    assert response.status_code == 413
    assert "提交的内容过大" in response.content.decode()


def test_every_page_has_a_self_only_csp(client, municipal):
    client.force_login(municipal)
    for url in ("/", "/admin/", "/stations/map/", "/api/docs/"):
        response = client.get(url, follow=True)
        policy = response.headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in policy and "unsafe-eval" not in policy, url
        assert "<script>" not in response.content.decode(), f"inline script on {url}"


def _token(username: str) -> str:
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.content
    assert "expires_at" in response.json()
    return response.json()["token"]


def test_tokens_expire_and_can_be_revoked(world, settings):
    key = _token("municipal")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/me/").status_code == 200
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(hours=settings.API_TOKEN_TTL_HOURS + 1))
    response = client.get("/api/v1/me/")
    # 403 rather than 401: the first authentication class (session) sends no challenge.
    assert response.status_code in (401, 403) and "令牌已过期" in response.content.decode()
    fresh = _token("municipal")
    assert fresh != key
    client.credentials(HTTP_AUTHORIZATION=f"Token {fresh}")
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert client.get("/api/v1/me/").status_code in (401, 403)
    _token("qinhuai")
    call_command("revoke_api_tokens", user="qinhuai")
    assert not Token.objects.filter(user__username="qinhuai").exists()


def test_token_writes_carry_their_actor(world, municipal):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {_token('municipal')}")
    response = client.post(
        "/api/v1/units/",
        {
            "name": "令牌写入公司",
            "credit_code": credit_code(777_001),
            "kind": "enterprise",
            "territory": world.chaokujie.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    entry = LogEntry.objects.get_for_object(Unit.objects.get(pk=response.json()["id"])).get()
    assert entry.actor == municipal


def test_approving_and_accepting_officer_differ(world, municipal, fuzimiao_cadre, xinjiekou_cadre):
    membership = make_member(world.fuzimiao, world.fuzimiao_org, name="分权")
    transfer = transfer_request(
        membership=membership, to_organization=world.xinjiekou_org, reason="工作变动", actor=fuzimiao_cadre
    )
    transfer = transfer_approve(transfer=transfer, actor=municipal)
    with pytest.raises(ValidationError, match="不同的人员"):
        transfer_accept(transfer=transfer, actor=municipal)
    transfer = transfer_accept(transfer=transfer, actor=xinjiekou_cadre)
    assert transfer.status == "accepted"
