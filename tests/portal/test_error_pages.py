"""Chinese error pages in the portal's style, rendered as Django renders them with DEBUG off."""

import pytest
from django.test import Client, RequestFactory
from django.utils import translation
from django.views import defaults

pytestmark = pytest.mark.django_db


@pytest.fixture
def production_like(settings):
    settings.DEBUG = False


@pytest.mark.parametrize(
    ("view", "status", "heading"),
    [
        (lambda r: defaults.bad_request(r, Exception("x")), 400, "请求有误"),
        (lambda r: defaults.permission_denied(r, Exception("x")), 403, "无权访问"),
        (lambda r: defaults.page_not_found(r, Exception("x")), 404, "页面不存在"),
        (defaults.server_error, 500, "服务器出错"),
    ],
)
def test_error_pages_are_chinese_and_styled(production_like, view, status, heading):
    response = view(RequestFactory().get("/somewhere/"))
    body = response.content.decode()
    assert response.status_code == status
    assert heading in body and 'lang="zh-hans"' in body and "css/portal.css" in body
    assert not any(word in body for word in ("Not Found", "Server Error", "Forbidden", "Bad Request"))


def test_unknown_station_is_a_chinese_404(production_like, client):
    response = client.get("/s/NO-SUCH-CODE/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_csrf_failure_is_chinese(production_like):
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": "y"})
    body = response.content.decode()
    assert response.status_code == 403 and "页面已过期" in body and "CSRF verification failed" not in body


def test_api_throttle_message_is_chinese():
    from rest_framework.exceptions import Throttled

    with translation.override("zh-hans"):
        assert "请求" in str(Throttled(wait=30).detail)
