"""Case photos are served only through the case's door: no /media/ route, 404 for outsiders."""

from __future__ import annotations

import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.grievances.test_public import jpeg_with_gps

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.DEBUG = False


@pytest.fixture
def case(submit):
    photo = SimpleUploadedFile("p.jpg", jpeg_with_gps(), content_type="image/jpeg")
    return submit("楼道堆放杂物堵住消防通道", contact_phone="13812345678", photos=[photo])


def photo_url(grievance, photo=None):
    photo = photo or grievance.photos.get()
    return reverse("grievances:photo", args=[grievance.ticket, photo.pk])


def stored_bytes(photo) -> bytes:
    with photo.image.open("rb") as handle:
        return handle.read()


def test_handlers_in_scope_get_the_photo_inline(client, case, fuzimiao_cadre, qinhuai_organizer, municipal):
    photo = case.photos.get()
    for user in (fuzimiao_cadre, qinhuai_organizer, municipal):
        client.force_login(user)
        response = client.get(photo_url(case))
        assert response.status_code == 200, user.username
        assert response["Content-Type"] == "image/jpeg"
        assert response["Content-Disposition"].startswith("inline")
        assert "private" in response["Cache-Control"]
        assert b"".join(response.streaming_content) == stored_bytes(photo)


def test_outsider_and_other_street_get_404(client, case, outsider, xinjiekou_cadre):
    url = photo_url(case)
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(xinjiekou_cadre)
    assert client.get(url).status_code == 404


def test_anonymous_is_sent_to_login(client, case):
    response = client.get(photo_url(case))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_photo_of_another_case_is_not_reachable_through_a_visible_ticket(client, case, submit, world, fuzimiao_cadre):
    # A 新街口 case the 夫子庙 cadre may not see; its photo id under their own visible ticket.
    photo = SimpleUploadedFile("q.jpg", jpeg_with_gps(), content_type="image/jpeg")
    foreign = submit("华侨路路灯不亮", territory=world.huaqiaolu, contact_phone="13900001111", photos=[photo])
    client.force_login(fuzimiao_cadre)
    assert client.get(photo_url(case, foreign.photos.get())).status_code == 404
    assert client.get(photo_url(foreign)).status_code == 404
    assert client.get(reverse("grievances:photo", args=[case.ticket, 999999])).status_code == 404


def test_no_media_route_even_for_the_handler(client, case, fuzimiao_cadre):
    client.force_login(fuzimiao_cadre)
    name = case.photos.get().image.name
    assert client.get(f"/media/{name}").status_code == 404


def test_no_media_route_under_debug_either(settings):
    # pytest-django turns DEBUG off before the URLconf is imported, so a `static()` route guarded
    # by DEBUG would never show up in the other tests: build the URLconf again with DEBUG on.
    import portal.urls

    settings.DEBUG = True
    try:
        patterns = [str(p.pattern) for p in importlib.reload(portal.urls).urlpatterns]
    finally:
        settings.DEBUG = False
        importlib.reload(portal.urls)
    assert not [p for p in patterns if p.lstrip("^").startswith(settings.MEDIA_URL.lstrip("/"))]


def test_detail_page_links_the_scoped_view(client, case, fuzimiao_cadre):
    client.force_login(fuzimiao_cadre)
    html = client.get(reverse("grievances:detail", args=[case.ticket])).content.decode()
    assert f'src="{photo_url(case)}"' in html
    assert "/media/" not in html


def test_public_status_page_shows_no_photo_and_grants_none(client, case):
    # The submitter's tracking page shows no photos, so the verified ticket opens no photo view.
    response = client.post(reverse("grievances:lookup"), {"ticket": case.ticket, "phone_tail": "5678"})
    assert response.status_code == 302
    html = client.get(reverse("grievances:status", args=[case.ticket])).content.decode()
    assert case.ticket in html
    assert "<img" not in html and "/media/" not in html and "/photos/" not in html
    assert client.get(photo_url(case)).status_code == 302
