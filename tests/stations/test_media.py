"""Inspection photos are served only through the station's door: no /media/ route, 404 for outsiders."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from stations.services import inspection_record
from tests.stations.test_inspections import all_pass, jpeg_with_gps

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production_media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.DEBUG = False


def png_bytes() -> bytes:
    out = BytesIO()
    Image.new("RGB", (32, 24), (20, 120, 200)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def inspection(managed_station, checklist, fuzimiao_cadre):
    return inspection_record(
        station=managed_station,
        inspected_on=timezone.localdate(),
        inspector=fuzimiao_cadre,
        results=all_pass(checklist),
        photos=[
            SimpleUploadedFile("IMG_1.jpg", jpeg_with_gps(), content_type="image/jpeg"),
            SimpleUploadedFile("IMG_2.png", png_bytes(), content_type="image/png"),
        ],
    )


def photo_of(inspection, suffix: str):
    return next(p for p in inspection.photos.all() if p.image.name.endswith(suffix))


def url_of(photo) -> str:
    return reverse("station-inspection-photo", args=[photo.pk])


def stored_bytes(photo) -> bytes:
    with photo.image.open("rb") as handle:
        return handle.read()


def test_cadre_and_station_manager_get_the_photo_inline(client, inspection, fuzimiao_cadre, station_manager):
    jpeg, png = photo_of(inspection, ".jpg"), photo_of(inspection, ".png")
    for user in (fuzimiao_cadre, station_manager):
        client.force_login(user)
        response = client.get(url_of(jpeg))
        assert response.status_code == 200, user.username
        assert response["Content-Type"] == "image/jpeg"
        assert response["Content-Disposition"].startswith("inline")
        assert "private" in response["Cache-Control"]
        assert b"".join(response.streaming_content) == stored_bytes(jpeg)
        response = client.get(url_of(png))
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        assert b"".join(response.streaming_content) == stored_bytes(png)


def test_outsider_and_other_street_get_404(client, inspection, outsider, xinjiekou_cadre):
    url = url_of(photo_of(inspection, ".jpg"))
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(xinjiekou_cadre)
    assert client.get(url).status_code == 404
    assert client.get(reverse("station-inspection-photo", args=[999999])).status_code == 404


def test_anonymous_is_sent_to_login(client, inspection):
    response = client.get(url_of(photo_of(inspection, ".jpg")))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_a_photo_missing_from_storage_is_404(client, inspection, fuzimiao_cadre):
    photo = photo_of(inspection, ".jpg")
    photo.image.storage.delete(photo.image.name)
    client.force_login(fuzimiao_cadre)
    assert client.get(url_of(photo)).status_code == 404


def test_no_media_route_even_for_the_cadre(client, inspection, fuzimiao_cadre):
    client.force_login(fuzimiao_cadre)
    assert client.get(f"/media/{photo_of(inspection, '.jpg').image.name}").status_code == 404


def test_api_gives_the_scoped_urls(client, inspection, fuzimiao_cadre):
    client.force_login(fuzimiao_cadre)
    row = client.get("/api/v1/station-inspections/").json()["results"][0]
    expected = {f"http://testserver{url_of(p)}" for p in inspection.photos.all()}
    assert set(row["photos"]) == expected
    for url in row["photos"]:
        assert client.get(url).status_code == 200


def test_admin_links_the_scoped_view_for_editors_and_viewers(client, inspection, fuzimiao_cadre, station_manager):
    change = f"/admin/stations/inspection/{inspection.pk}/change/"
    urls = [url_of(p) for p in inspection.photos.all()]
    for user in (fuzimiao_cadre, station_manager):  # may change photos / may only view them
        client.force_login(user)
        response = client.get(change)
        assert response.status_code == 200, user.username
        html = response.content.decode()
        assert all(f'href="{url}"' in html for url in urls), user.username
        assert "/media/" not in html
