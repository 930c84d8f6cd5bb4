from datetime import timedelta
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from core.images import sanitize_photo
from stations.models import Inspection, InspectionItem, Station
from stations.selectors import is_overdue, overdue_q
from stations.services import inspection_record

pytestmark = pytest.mark.django_db


def jpeg_with_gps(size=(64, 48)) -> bytes:
    img = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (32.0, 2.0, 1.0), 3: "E", 4: (118.0, 47.0, 5.0)}  # GPSInfo
    out = BytesIO()
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def all_pass(checklist):
    return {item.pk: True for item in checklist}


@pytest.mark.smoke
def test_compliant_inspection_updates_the_station(managed_station, checklist, fuzimiao_cadre):
    day = timezone.localdate() - timedelta(days=3)
    inspection = inspection_record(
        station=managed_station, inspected_on=day, inspector=fuzimiao_cadre, results=all_pass(checklist)
    )
    assert inspection.is_compliant and inspection.results.count() == len(checklist) == 6
    managed_station.refresh_from_db()
    assert managed_station.compliant is True and managed_station.last_inspected_on == day
    assert inspection.inspector_name == "fuzimiao"


def test_one_failed_item_makes_it_non_compliant_and_latest_wins(managed_station, checklist, fuzimiao_cadre):
    today = timezone.localdate()
    results = all_pass(checklist) | {checklist[1].pk: False}
    inspection_record(
        station=managed_station, inspected_on=today - timedelta(days=10), inspector=fuzimiao_cadre, results=results
    )
    managed_station.refresh_from_db()
    assert managed_station.compliant is False
    # An older inspection entered later does not override the newer verdict.
    inspection_record(
        station=managed_station,
        inspected_on=today - timedelta(days=40),
        inspector=fuzimiao_cadre,
        results=all_pass(checklist),
    )
    managed_station.refresh_from_db()
    assert managed_station.compliant is False and managed_station.last_inspected_on == today - timedelta(days=10)


def test_missing_items_and_future_dates_are_refused_with_names(managed_station, checklist, fuzimiao_cadre):
    partial = {checklist[0].pk: True}
    with pytest.raises(ValidationError) as exc:
        inspection_record(
            station=managed_station, inspected_on=timezone.localdate(), inspector=fuzimiao_cadre, results=partial
        )
    assert "一个问需阵地" in str(exc.value)
    with pytest.raises(ValidationError, match="晚于今天"):
        inspection_record(
            station=managed_station,
            inspected_on=timezone.localdate() + timedelta(days=1),
            inspector=fuzimiao_cadre,
            results=all_pass(checklist),
        )
    assert not Inspection.objects.exists()


def test_checklist_is_data_a_new_item_changes_compliance(managed_station, checklist, fuzimiao_cadre):
    extra = InspectionItem.objects.create(code="volunteer", name="一支志愿服务队", sort_order=7)
    with pytest.raises(ValidationError, match="一支志愿服务队"):
        inspection_record(
            station=managed_station,
            inspected_on=timezone.localdate(),
            inspector=fuzimiao_cadre,
            results=all_pass(checklist),
        )
    inspection = inspection_record(
        station=managed_station,
        inspected_on=timezone.localdate(),
        inspector=fuzimiao_cadre,
        results=all_pass(checklist) | {extra.pk: True},
    )
    assert inspection.is_compliant


def test_photos_are_reencoded_without_exif(managed_station, checklist, fuzimiao_cadre, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    raw = jpeg_with_gps()
    assert Image.open(BytesIO(raw)).getexif()  # the upload does carry EXIF/GPS
    inspection = inspection_record(
        station=managed_station,
        inspected_on=timezone.localdate(),
        inspector=fuzimiao_cadre,
        results=all_pass(checklist),
        photos=[SimpleUploadedFile("IMG_0001.jpg", raw, content_type="image/jpeg")],
    )
    photo = inspection.photos.get()
    assert "IMG_0001" not in photo.image.name
    with photo.image.open("rb") as stored, Image.open(stored) as img:
        assert img.format == "JPEG"
        assert not img.getexif()
        assert img.size == (64, 48)


def test_bad_photos_are_refused(settings):
    with pytest.raises(ValidationError, match="不是有效的图片"):
        sanitize_photo(SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg"), label="第1张照片")
    gif = BytesIO()
    Image.new("RGB", (4, 4)).save(gif, format="GIF")
    with pytest.raises(ValidationError, match="格式不支持"):
        sanitize_photo(SimpleUploadedFile("x.gif", gif.getvalue(), content_type="image/gif"))
    settings.PHOTO_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="太大"):
        sanitize_photo(SimpleUploadedFile("x.jpg", jpeg_with_gps(), content_type="image/jpeg"))


def test_overdue_flag_follows_the_configured_interval(managed_station, checklist, fuzimiao_cadre, settings):
    assert is_overdue(managed_station)  # never inspected
    inspection_record(
        station=managed_station,
        inspected_on=timezone.localdate() - timedelta(days=45),
        inspector=fuzimiao_cadre,
        results=all_pass(checklist),
    )
    managed_station.refresh_from_db()
    settings.STATION_INSPECTION_INTERVAL_DAYS = 90
    assert not is_overdue(managed_station)
    assert not Station.objects.filter(overdue_q(), pk=managed_station.pk).exists()
    settings.STATION_INSPECTION_INTERVAL_DAYS = 30
    assert is_overdue(managed_station)
    assert Station.objects.filter(overdue_q(), pk=managed_station.pk).exists()
    managed_station.status = Station.Status.CLOSED
    assert not is_overdue(managed_station)


def test_admin_inspection_with_inline_results_recomputes_compliance(client, managed_station, checklist, fuzimiao_cadre):
    client.force_login(fuzimiao_cadre)
    url = "/admin/stations/inspection/add/"
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "station": managed_station.pk,
        "inspected_on": timezone.localdate().isoformat(),
        "inspector_name": "陈书记",
        "notes": "",
        "results-TOTAL_FORMS": str(len(checklist)),
        "results-INITIAL_FORMS": "0",
        "photos-TOTAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
    }
    for i, item in enumerate(checklist):
        data[f"results-{i}-item"] = item.pk
        data[f"results-{i}-passed"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    inspection = Inspection.objects.get()
    assert inspection.is_compliant and inspection.inspector == fuzimiao_cadre
    managed_station.refresh_from_db()
    assert managed_station.compliant is True


def test_inspections_of_other_streets_are_invisible(
    managed_station, checklist, fuzimiao_cadre, xinjiekou_cadre, client
):
    inspection = inspection_record(
        station=managed_station,
        inspected_on=timezone.localdate(),
        inspector=fuzimiao_cadre,
        results=all_pass(checklist),
    )
    client.force_login(xinjiekou_cadre)
    assert client.get(f"/admin/stations/inspection/{inspection.pk}/change/").status_code == 404
    assert Inspection.objects.visible_to(xinjiekou_cadre).count() == 0
    assert Inspection.objects.visible_to(managed_station.manager_post.user).count() == 1
