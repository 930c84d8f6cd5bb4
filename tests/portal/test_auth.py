import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_home_requires_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.smoke
def test_home_shows_posts(client, fuzimiao_cadre):
    client.force_login(fuzimiao_cadre)
    body = client.get("/").content.decode()
    assert "夫子庙街道" in body and "街道党工委" in body
    assert "覆盖单位" in body  # a feature the role may use


def test_home_for_user_without_posts(client, outsider):
    client.force_login(outsider)
    assert "尚未被设置任何岗位" in client.get("/").content.decode()


def test_login_and_logout(client, fuzimiao_cadre, password):
    response = client.post(reverse("login"), {"username": "fuzimiao", "password": password})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post(reverse("logout"))
    assert client.get("/").status_code == 302


def test_login_is_throttled_after_repeated_failures(client, fuzimiao_cadre, password, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("login"), {"username": "fuzimiao", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "fuzimiao", "password": password})
    assert response.status_code == 429
    assert "锁定" in response.content.decode()


def test_token_auth(api_client, fuzimiao_cadre, password):
    response = api_client.post("/api/v1/auth/token/", {"username": "fuzimiao", "password": password}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/me/").json()["username"] == "fuzimiao"


def test_token_bad_password(api_client, fuzimiao_cadre):
    response = api_client.post("/api/v1/auth/token/", {"username": "fuzimiao", "password": "nope"}, format="json")
    assert response.status_code == 400


def test_password_change(client, fuzimiao_cadre, password):
    client.force_login(fuzimiao_cadre)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": password,
            "new_password1": "Fresh-pass-2026!",
            "new_password2": "Fresh-pass-2026!",
        },
    )
    assert response.status_code == 302
    fuzimiao_cadre.refresh_from_db()
    assert fuzimiao_cadre.check_password("Fresh-pass-2026!")


def test_openapi_schema_and_local_docs(client, municipal):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    text = schema.content.decode()
    assert "/api/v1/units/" in text and "/api/v1/auth/token/" in text
    docs = client.get("/api/docs/").content.decode()
    assert "swagger-ui" in docs
    assert "cdn" not in docs.lower()  # served from drf-spectacular-sidecar's static files
