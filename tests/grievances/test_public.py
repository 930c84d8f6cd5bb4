"""Public intake and status pages: validation messages, CSRF, abuse limits, blocklist, photos."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from core import sms
from grievances.models import BlockedSubmitter, Grievance
from grievances.services import grievance_resolve

pytestmark = pytest.mark.django_db


def form_data(world, **extra):
    return {
        "territory": world.fuzimiao.pk,
        "text": "小区保安不让快递员进门",
        "contact_name": "王师傅",
        "contact_phone": "138 1234 5678",
        **extra,
    }


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (32.0, 1.0, 30.0), 3: "E", 4: (118.0, 47.0, 10.0)}  # GPS IFD
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


@pytest.mark.smoke
def test_general_form_submits_and_shows_ticket(client, world, categories, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("grievances:new"), form_data(world), follow=True)
    grievance = Grievance.objects.get()
    assert grievance.ticket in response.content.decode()
    assert grievance.contact_phone == "13812345678"
    assert grievance.state == Grievance.State.ASSIGNED
    assert any(grievance.ticket in m.text for m in sms.outbox)


def test_validation_messages_name_the_field(client, world, categories):
    response = client.post(reverse("grievances:new"), form_data(world, text="", contact_phone="12345"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "请填写诉求内容" in body
    assert "手机号应为11位大陆手机号码" in body
    assert not Grievance.objects.exists()


def test_csrf_is_enforced(world, categories):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("grievances:new"), form_data(world))
    assert response.status_code == 403
    assert not Grievance.objects.exists()


def test_station_form_places_case_at_station(client, managed_station, categories):
    url = reverse("grievances:station-new", kwargs={"code": managed_station.code})
    page = client.get(url)
    assert managed_station.name in page.content.decode()
    client.post(url, {"text": "驿站饮水机坏了", "contact_phone": "13812345678"})
    grievance = Grievance.objects.get()
    assert grievance.station == managed_station and grievance.channel == "station_qr"
    assert grievance.territory == managed_station.territory


def test_station_phone_page_offers_the_action(managed_station):
    from stations.phone_actions import phone_actions_for

    links = {link.key: link for link in phone_actions_for(managed_station)}
    assert links["grievance"].label == "提交诉求"
    assert links["grievance"].url == f"/g/s/{managed_station.code}/"


def test_rate_limit_per_ip(client, world, categories, settings):
    settings.GRIEVANCES = {"RATE_LIMITS": {"submit_ip": (2, 3600)}}
    for i in range(2):
        client.post(reverse("grievances:new"), form_data(world, contact_phone=f"1381234567{i}"))
    response = client.post(reverse("grievances:new"), form_data(world, contact_phone="13812345679"))
    assert response.status_code == 429
    assert "提交过于频繁" in response.content.decode()
    assert Grievance.objects.count() == 2


def test_rate_limit_per_phone_across_addresses(client, world, categories, settings):
    settings.GRIEVANCES = {"RATE_LIMITS": {"submit_phone": (1, 86400)}}
    client.post(reverse("grievances:new"), form_data(world), REMOTE_ADDR="10.0.0.1")
    second = form_data(world, text="快递柜坏了")  # another case (the same one resent is not taken twice)
    response = client.post(reverse("grievances:new"), second, REMOTE_ADDR="10.0.0.2")
    assert response.status_code == 429
    assert "该手机号今日提交次数已达上限" in response.content.decode()
    assert Grievance.objects.count() == 1


def test_blocklist(client, world, categories):
    BlockedSubmitter.objects.create(kind="phone", value="13812345678", reason="恶意重复提交")
    response = client.post(reverse("grievances:new"), form_data(world))
    assert response.status_code == 429 and "已被限制" in response.content.decode()
    BlockedSubmitter.objects.create(kind="ip", value="10.9.9.9", reason="刷单")
    response = client.post(
        reverse("grievances:new"), form_data(world, contact_phone="13900000000"), REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 429
    assert not Grievance.objects.exists()


def test_photos_are_validated_and_stripped(client, world, categories, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photo = SimpleUploadedFile("p.jpg", jpeg_with_gps(), content_type="image/jpeg")
    assert b"PhoneMaker" in jpeg_with_gps()
    client.post(reverse("grievances:new"), {**form_data(world), "photos": [photo]})
    stored = Grievance.objects.get().photos.get()
    with Image.open(stored.image.path) as image:
        assert not image.getexif()
        assert image.size == (64, 48)
    assert b"PhoneMaker" not in stored.image.read()

    fake = SimpleUploadedFile("x.jpg", b"not an image at all", content_type="image/jpeg")
    response = client.post(reverse("grievances:new"), {**form_data(world), "photos": [fake]})
    assert "不是有效的图片" in response.content.decode() or "上传一个有效的图片" in response.content.decode()


def test_photo_service_rejects_non_image_with_message():
    from django.core.exceptions import ValidationError

    from grievances.photos import clean_photos

    with pytest.raises(ValidationError, match="第1张照片不是有效的图片文件"):
        clean_photos([SimpleUploadedFile("x.jpg", b"GIF89a-nope")])
    with pytest.raises(ValidationError, match="最多上传 3 张"):
        clean_photos([SimpleUploadedFile(f"{i}.jpg", b"x") for i in range(4)])


def test_status_lookup_needs_matching_phone_tail(client, submit):
    grievance = submit(contact_phone="13812345678")
    wrong = client.post(reverse("grievances:lookup"), {"ticket": grievance.ticket, "phone_tail": "0000"})
    assert "未找到与受理编号和手机尾号相符的诉求" in wrong.content.decode()
    missing = client.post(reverse("grievances:lookup"), {"ticket": "SQ20990101-00001", "phone_tail": "5678"})
    assert "未找到与受理编号和手机尾号相符的诉求" in missing.content.decode()
    # without a lookup in this session the status page sends you to the form
    assert client.get(reverse("grievances:status", args=[grievance.ticket])).status_code == 302
    ok = client.post(
        reverse("grievances:lookup"), {"ticket": grievance.ticket.lower(), "phone_tail": "5678"}, follow=True
    )
    assert grievance.get_state_display() in ok.content.decode()
    assert "13812345678" not in ok.content.decode()


def test_status_lookup_folds_full_width_ticket_and_phone_tail(client, submit):
    """A Chinese IME types ＳＱ…－… and ５６７８: codes are folded, so the case is found."""
    grievance = submit(contact_phone="13812345678")
    wide_ticket = grievance.ticket.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789SQ"}).replace("-", "－")
    ok = client.post(reverse("grievances:lookup"), {"ticket": f" {wide_ticket} ", "phone_tail": "５６７８"})
    assert ok.status_code == 302, ok.content.decode()[:400]
    assert ok.url == reverse("grievances:status", args=[grievance.ticket])


def test_lookup_rate_limit(client, submit, settings):
    settings.GRIEVANCES = {"RATE_LIMITS": {"lookup_ip": (3, 600)}}
    for _ in range(3):
        client.post(reverse("grievances:lookup"), {"ticket": "SQ20990101-00001", "phone_tail": "1234"})
    response = client.post(reverse("grievances:lookup"), {"ticket": "SQ20990101-00001", "phone_tail": "1234"})
    assert response.status_code == 429


def test_rating_and_reopen_from_status_page(client, submit, fuzimiao_cadre):
    grievance = submit(contact_phone="13812345678")
    client.post(reverse("grievances:lookup"), {"ticket": grievance.ticket, "phone_tail": "5678"})
    url = reverse("grievances:status", args=[grievance.ticket])
    assert "满意度评价" not in client.get(url).content.decode()
    grievance_resolve(grievance=grievance, actor=fuzimiao_cadre, resolution="已协调物业")
    page = client.get(url).content.decode()
    assert "满意度评价" in page and "申请重新办理" in page
    client.post(url, {"action": "rate", "rate-rating": "2", "rate-comment": "还是进不去"})
    client.post(url, {"action": "reopen", "reopen-reason": "保安还是不让进"})
    grievance.refresh_from_db()
    assert grievance.rating == 2 and grievance.state == Grievance.State.REOPENED
    again = client.post(url, {"action": "rate", "rate-rating": "5"})
    assert again.status_code == 200 and Grievance.objects.get(pk=grievance.pk).rating == 2


def test_campaign_link_outside_its_dates(client, world, categories):
    from datetime import date

    from grievances.models import Campaign

    Campaign.objects.create(
        code="q1", title="一季度征集", territory=world.qinhuai, starts_on=date(2020, 1, 1), ends_on=date(2020, 3, 31)
    )
    assert client.get(reverse("grievances:campaign-new", args=["q1"])).status_code == 410


def test_campaign_form_limits_streets_and_tags_cases(client, world, categories):
    from datetime import timedelta

    from django.utils import timezone

    from grievances.models import Campaign

    today = timezone.localdate()
    campaign = Campaign.objects.create(
        code="q4", title="四季度征集", territory=world.qinhuai, starts_on=today - timedelta(days=5), ends_on=today
    )
    page = client.get(reverse("grievances:campaign-new", args=["q4"])).content.decode()
    assert "夫子庙街道" in page and "新街口街道" not in page
    client.post(reverse("grievances:campaign-new", args=["q4"]), form_data(world))
    assert Grievance.objects.get().campaign == campaign


def test_the_same_form_resent_shows_the_case_already_taken(
    client, world, categories, django_capture_on_commit_callbacks
):
    """Browser back and 提交 again (or a second tap): the same form from the same phone within ten
    minutes shows the ticket already given — one case, one receipt text. Another text is another
    case; the same text from another phone (no cookie) is triage's to flag as a duplicate."""
    url = reverse("grievances:new")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, form_data(world))
        again = client.post(url, form_data(world), follow=True)
    ticket = Grievance.objects.get().ticket
    page = again.content.decode()
    assert 'id="already-sent"' in page and ticket in page
    assert sum(ticket in m.text for m in sms.outbox) == 1
    client.post(url, form_data(world, text="快递柜坏了"))
    assert Grievance.objects.count() == 2
    Client().post(url, form_data(world, text="快递柜坏了"))
    assert Grievance.objects.count() == 3


def test_a_resent_form_is_taken_again_after_ten_minutes(client, world, categories, monkeypatch):
    import time

    url = reverse("grievances:new")
    client.post(url, form_data(world))
    later = time.time() + 601
    monkeypatch.setattr(time, "time", lambda: later)
    client.post(url, form_data(world))
    assert Grievance.objects.count() == 2
