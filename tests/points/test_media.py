"""随手拍 photos are served only through the report's door: no /media/ route, 404 for outsiders."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from points.services import photo_report_submit
from tests.points.conftest import jpeg_with_gps
from tests.points.test_pages import memory_sms, phone_login  # noqa: F401 (memory_sms: a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production(settings):
    # MEDIA_ROOT is already a throwaway directory (tests/points/conftest.py).
    settings.DEBUG = False


def png_bytes() -> bytes:
    out = BytesIO()
    Image.new("RGB", (32, 24), (20, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def submit(station, worker, content: bytes, name: str):
    return photo_report_submit(
        station=station,
        phone=worker.phone,
        kind="hazard",
        text="电动车充电线私拉乱接",
        photo=SimpleUploadedFile(name, content, content_type="image/jpeg"),
    )


@pytest.fixture
def report(station, worker, catalogue):
    return submit(station, worker, jpeg_with_gps(), "a.jpg")


def url_of(report) -> str:
    return reverse("points:report-photo", args=[report.pk])


def stored_bytes(report) -> bytes:
    with report.photo.open("rb") as handle:
        return handle.read()


def test_station_manager_and_street_cadre_get_the_photo_inline(client, report, station_manager, fuzimiao_cadre):
    for user in (station_manager, fuzimiao_cadre):
        client.force_login(user)
        response = client.get(url_of(report))
        assert response.status_code == 200, user.username
        assert response["Content-Type"] == "image/jpeg"
        assert response["Content-Disposition"].startswith("inline")
        assert "private" in response["Cache-Control"]
        assert b"".join(response.streaming_content) == stored_bytes(report)


def test_png_keeps_its_content_type(client, station, worker, catalogue, station_manager):
    # The photo is re-encoded in its own format, so a PNG must not be labelled image/jpeg.
    png = submit(station, worker, png_bytes(), "b.png")
    client.force_login(station_manager)
    response = client.get(url_of(png))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == stored_bytes(png)


def test_outsider_and_other_street_get_404(client, report, outsider, xinjiekou_cadre):
    client.force_login(outsider)
    assert client.get(url_of(report)).status_code == 404
    client.force_login(xinjiekou_cadre)
    assert client.get(url_of(report)).status_code == 404
    assert client.get(reverse("points:report-photo", args=[999999])).status_code == 404


def test_anonymous_and_the_worker_session_are_sent_to_login(client, report, worker):
    response = client.get(url_of(report))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    # The phone pages list the worker's reports without photos, so the worker session opens none.
    phone_login(client, worker.phone)
    html = client.get(reverse("points:phone-report", args=[report.station.code])).content.decode()
    assert "我最近的上报" in html
    assert "/media/" not in html and url_of(report) not in html
    response = client.get(url_of(report))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_no_media_route_even_for_the_station_manager(client, report, station_manager):
    client.force_login(station_manager)
    assert client.get(f"/media/{report.photo.name}").status_code == 404


def test_review_page_and_admin_link_the_scoped_view(client, report, fuzimiao_cadre):
    client.force_login(fuzimiao_cadre)
    html = client.get(reverse("points:report", args=[report.pk])).content.decode()
    assert f'src="{url_of(report)}"' in html and "/media/" not in html
    response = client.get(f"/admin/points/photoreport/{report.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'src="{url_of(report)}"' in html and "/media/" not in html
