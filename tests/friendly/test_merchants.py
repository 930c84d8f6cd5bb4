"""爱'新'商家: the public claim form (rate-limited, photo stripped), the street's scoped review."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from friendly import services
from friendly.models import MerchantClaim
from stations.models import ServicePoint

pytestmark = pytest.mark.django_db


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (32.0, 2.0, 1.0), 3: "E", 4: (118.0, 47.0, 5.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _form(world, **extra):
    data = {
        "merchant_name": "夫子庙老街面馆",
        "credit_code": "",
        "territory": world.fuzimiao.pk,
        "address": "贡院街 88 号",
        "contact_name": "王老板",
        "contact_phone": "１３９-1234-0000",
        "hours_text": "每天 9:00–22:00",
        "green_channel": "on",
        "care_meal": "",
        "other_offers": "",
    }
    data.update(extra)
    return data


def test_public_claim_is_stored_pending_with_a_clean_photo(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photo = SimpleUploadedFile("shop.jpg", _jpeg_with_gps(), content_type="image/jpeg")
    response = client.post("/nx/merchant/", {**_form(world), "photo": photo})
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == "/nx/merchant/done/"
    claim = MerchantClaim.objects.get()
    assert claim.status == "pending" and claim.contact_phone == "13912340000"
    assert claim.merchant_name == "夫子庙老街面馆" and claim.offers_text == "取餐绿色通道"
    with Image.open(claim.photo.path) as stored:
        assert len(stored.getexif()) == 0
    assert "夫子庙街道审核" in client.get("/nx/merchant/done/").content.decode()


def test_claim_form_names_each_bad_field(client, world):
    response = client.post(
        "/nx/merchant/",
        _form(world, contact_phone="12345", credit_code="91320104MA1X", territory=world.chaokujie.pk, green_channel=""),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "11位大陆手机号码" in body and "统一社会信用代码应为18位" in body
    assert not MerchantClaim.objects.exists()


def test_claim_needs_an_offer_and_a_street(client, world):
    body = client.post("/nx/merchant/", _form(world, green_channel="")).content.decode()
    assert "请至少选择或填写一项" in body
    assert not MerchantClaim.objects.exists()


def test_a_fake_photo_is_refused(client, world):
    fake = SimpleUploadedFile("shop.jpg", b"not an image", content_type="image/jpeg")
    response = client.post("/nx/merchant/", {**_form(world), "photo": fake})
    assert response.status_code == 200 and not MerchantClaim.objects.exists()


def test_claims_are_rate_limited(client, world, settings):
    from django.core.cache import cache

    cache.clear()
    settings.FRIENDLY_RATE_LIMITS = {"claim_ip": (1, 3600)}
    assert client.post("/nx/merchant/", _form(world)).status_code == 302
    refused = client.post("/nx/merchant/", _form(world, merchant_name="第二家"))
    assert refused.status_code == 429 and "过于频繁" in refused.content.decode()
    assert MerchantClaim.objects.count() == 1


def _claim(world, territory=None, **extra):
    data = {
        "merchant_name": "钞库街便利店",
        "contact_name": "李老板",
        "contact_phone": "13900002222",
        "territory": territory or world.fuzimiao,
        "address": "钞库街 1 号",
        "green_channel": True,
        "longitude": Decimal("118.789000"),
        "latitude": Decimal("32.020000"),
    }
    data.update(extra)
    return services.merchant_claim_submit(data=data)


def test_approval_puts_the_merchant_on_the_map_once(world, fuzimiao_cadre):
    claim = services.merchant_claim_approve(claim=_claim(world), actor=fuzimiao_cadre)
    assert claim.status == "approved" and claim.reviewed_by == fuzimiao_cadre
    point = claim.point
    assert (point.kind, point.name, point.territory, point.offers) == (
        ServicePoint.Kind.MERCHANT,
        "钞库街便利店",
        world.fuzimiao,
        "取餐绿色通道",
    )
    assert point.lat_wgs84 is not None
    with pytest.raises(ValidationError, match="已审核"):
        services.merchant_claim_approve(claim=claim, actor=fuzimiao_cadre)
    assert ServicePoint.objects.count() == 1


def test_approval_needs_a_place_and_rejection_a_reason(world, fuzimiao_cadre):
    claim = _claim(world, longitude=None, latitude=None)
    with pytest.raises(ValidationError, match="缺少经纬度"):
        services.merchant_claim_approve(claim=claim, actor=fuzimiao_cadre)
    with pytest.raises(ValidationError, match="审核意见"):
        services.merchant_claim_reject(claim=claim, actor=fuzimiao_cadre, reason=" ")
    claim = services.merchant_claim_reject(claim=claim, actor=fuzimiao_cadre, reason="不在本街道")
    assert claim.status == "rejected" and not ServicePoint.objects.exists()


def test_street_reviews_only_its_own_claims_in_the_admin(client, world, fuzimiao_cadre, xinjiekou_cadre, password):
    mine = _claim(world)
    theirs = _claim(world, territory=world.xinjiekou, merchant_name="新街口快餐")
    client.force_login(xinjiekou_cadre)
    listing = client.get("/admin/friendly/merchantclaim/").content.decode()
    assert "新街口快餐" in listing and "钞库街便利店" not in listing
    assert client.get(f"/admin/friendly/merchantclaim/{mine.pk}/change/").status_code == 404
    response = client.post(
        "/admin/friendly/merchantclaim/",
        {"action": "approve", "_selected_action": [mine.pk, theirs.pk]},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == ("pending", "approved")
    # The phone is masked on the review page.
    page = client.get(f"/admin/friendly/merchantclaim/{theirs.pk}/change/").content.decode()
    assert "139****2222" in page and "13900002222" not in page


def test_merchant_claim_api_scoped_and_decides(api_client, world, fuzimiao_cadre, outsider):
    claim = _claim(world)
    api_client.force_authenticate(outsider)
    assert api_client.get("/api/v1/merchant-claims/").status_code == 403
    assert api_client.post(f"/api/v1/merchant-claims/{claim.pk}/approve/").status_code == 404
    api_client.force_authenticate(fuzimiao_cadre)
    rows = api_client.get("/api/v1/merchant-claims/").json()["results"]
    assert [r["merchant_name"] for r in rows] == ["钞库街便利店"] and rows[0]["contact_phone"] == "139****2222"
    bad = api_client.post(f"/api/v1/merchant-claims/{claim.pk}/reject/", {"reason": ""}, format="json")
    assert bad.status_code == 400
    done = api_client.post(f"/api/v1/merchant-claims/{claim.pk}/approve/")
    assert done.status_code == 200 and done.json()["status"] == "approved" and done.json()["point_code"]
    again = api_client.post(f"/api/v1/merchant-claims/{claim.pk}/approve/")
    assert again.status_code == 400 and "已审核" in again.json()["detail"][0]
