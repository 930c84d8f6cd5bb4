"""Tasks (双向认领), photo reports (随手拍) and redemption workflows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from grievances.models import Grievance
from points.models import PhotoReport, PointEntry, Redemption, Reward, RewardNight, TaskClaim, VolunteerTask
from points.services import (
    PointsError,
    photo_report_reject,
    photo_report_submit,
    photo_report_verify,
    points_award,
    points_redeem,
    points_redemption_cancel,
    points_redemption_fulfil,
    task_claim,
    task_confirm,
    task_publish,
    task_withdraw,
)
from tests.points.conftest import jpeg_with_gps


def publish(actor, rule, station, **kw):
    now = timezone.now()
    fields = {
        "kind": VolunteerTask.Kind.VOLUNTEER,
        "title": "夫子庙文明劝导",
        "place": "夫子庙步行街",
        "starts_at": now + timedelta(hours=1),
        "ends_at": now + timedelta(hours=4),
        "slots": 2,
        "points": 10,
        "rule": rule,
        "station": station,
    }
    fields.update(kw)
    return task_publish(actor=actor, **fields)


def test_task_claim_confirm_pays_once(catalogue, station, station_manager, worker):
    task = publish(station_manager, catalogue["volunteer"], station)
    assert task.territory_id == station.territory_id
    claim = task_claim(task=task, person=worker)
    assert task_claim(task=task, person=worker).pk == claim.pk  # claiming twice is one claim
    claim = task_confirm(claim=claim, actor=station_manager, completed=True)
    assert claim.status == TaskClaim.Status.COMPLETED and claim.entry.delta == 10
    assert claim.entry.source == claim and claim.entry.station_id == station.pk
    with pytest.raises(PointsError, match="已完成"):
        task_confirm(claim=claim, actor=station_manager, completed=True)
    assert PointEntry.objects.count() == 1


def test_task_slots_and_withdraw(catalogue, station, station_manager, worker, world):
    from members.models import Person

    task = publish(station_manager, catalogue["volunteer"], station, slots=1)
    other = Person.objects.create(name="王配送", phone="13700000009", territory=world.chaokujie)
    claim = task_claim(task=task, person=worker)
    with pytest.raises(PointsError, match="名额已满"):
        task_claim(task=task, person=other)
    task_withdraw(claim=claim)
    assert task_claim(task=task, person=other, assigned_by=station_manager).assigned_by == station_manager


def test_not_completed_earns_nothing(catalogue, station, station_manager, worker):
    claim = task_claim(task=publish(station_manager, catalogue["volunteer"], station), person=worker)
    task_confirm(claim=claim, actor=station_manager, completed=False)
    assert not PointEntry.objects.exists()


def test_publish_checks_publisher_scope_and_rule_roles(
    catalogue, station, xuanwu_station, station_manager, xinjiekou_cadre
):
    with pytest.raises(PointsError, match="不在您的管辖范围内"):
        publish(xinjiekou_cadre, catalogue["volunteer"], station)
    with pytest.raises(PointsError, match="不能授予"):
        publish(station_manager, catalogue["district_only"], station)
    with pytest.raises(PointsError, match="结束时间"):
        publish(station_manager, catalogue["volunteer"], station, ends_at=timezone.now())
    grid = publish(
        xinjiekou_cadre, catalogue["volunteer"], xuanwu_station, kind=VolunteerTask.Kind.GRID_WORKER, title="流动网格员"
    )
    assert grid.get_kind_display() == "流动网格员"


def _photo(name="p.jpg"):
    return SimpleUploadedFile(name, jpeg_with_gps(), content_type="image/jpeg")


def test_photo_report_strips_exif_and_verification_opens_grievance_and_pays_once(
    catalogue, station, station_manager, worker, django_capture_on_commit_callbacks
):
    report = photo_report_submit(
        station=station,
        phone="138 0000 0001",
        kind="hazard",
        text="井盖缺失，骑手容易摔倒",
        photo=_photo(),
        location_text="平江府路口",
        longitude="118.786",
        latitude="32.02",
    )
    assert report.person == worker and report.territory_id == station.territory_id
    with report.photo.open("rb") as f, Image.open(f) as img:
        assert not img.getexif()  # EXIF (incl. GPS) gone
    with django_capture_on_commit_callbacks(execute=True):
        verified = photo_report_verify(report=report, actor=station_manager)
    assert verified.status == PhotoReport.Status.VERIFIED and verified.entry.delta == 5
    grievance = Grievance.objects.get(pk=verified.grievance_id)
    assert grievance.channel == "photo_report" and grievance.source_ref == f"photo-report:{report.pk}"
    assert grievance.photos.count() == 1
    again = photo_report_verify(report=report, actor=station_manager)
    assert again.entry_id == verified.entry_id
    assert PointEntry.objects.count() == 1 and Grievance.objects.count() == 1


def test_rejected_report_earns_nothing(catalogue, station, station_manager, worker):
    report = photo_report_submit(
        station=station, phone=worker.phone, kind="incivility", text="乱停车堵住通道", photo=_photo()
    )
    with pytest.raises(PointsError, match="原因"):
        photo_report_reject(report=report, actor=station_manager, reason="")
    photo_report_reject(report=report, actor=station_manager, reason="照片与描述不符")
    with pytest.raises(PointsError, match="不予采纳"):
        photo_report_verify(report=report, actor=station_manager)
    assert not PointEntry.objects.exists()


def test_photo_report_validates_input(station, worker):
    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(PointsError, match="不是有效的图片"):
        photo_report_submit(station=station, phone=worker.phone, kind="hazard", text="有隐患需要处理", photo=bad)
    with pytest.raises(PointsError, match="手机号"):
        photo_report_submit(station=station, phone="123", kind="hazard", text="有隐患需要处理", photo=_photo())
    with pytest.raises(PointsError, match="纬度"):
        photo_report_submit(
            station=station,
            phone=worker.phone,
            kind="hazard",
            text="有隐患需要处理",
            photo=_photo(),
            longitude="1",
            latitude="99",
        )


def test_unregistered_reporter_is_handled_without_points(catalogue, station, station_manager):
    report = photo_report_submit(
        station=station, phone="13600000000", kind="hazard", text="路灯不亮很危险", photo=_photo()
    )
    report = photo_report_verify(report=report, actor=station_manager)
    assert report.person is None and report.entry is None and report.grievance_id


def test_redeem_fulfil_and_cancel(catalogue, worker, station_manager, reward):
    points_award(person=worker, rule=catalogue["study"], points=120, actor=station_manager, idempotency_key="f")
    r1 = points_redeem(person=worker, reward=reward, idempotency_key="a")
    assert points_redeem(person=worker, reward=reward, idempotency_key="a").pk == r1.pk  # double tap
    r2 = points_redeem(person=worker, reward=reward, idempotency_key="b")
    reward.refresh_from_db()
    assert reward.stock == 1
    points_redemption_fulfil(redemption=r1, actor=station_manager)
    points_redemption_cancel(redemption=r2, actor=station_manager, reason="本人不需要了")
    reward.refresh_from_db()
    assert reward.stock == 2
    r1.refresh_from_db()
    r2.refresh_from_db()
    assert r1.status == Redemption.Status.FULFILLED and r2.status == Redemption.Status.CANCELLED
    assert r2.refund_entry.delta == 50
    with pytest.raises(PointsError, match="不能取消"):
        points_redemption_cancel(redemption=r1, actor=station_manager, reason="x")
    with pytest.raises(PointsError, match="积分不足"):
        points_redeem(
            person=worker,
            reward=Reward.objects.create(name="课程", cost=999, stock=5, territory=reward.territory),
            idempotency_key="c",
        )


def test_apartment_nights_are_per_date_inventory(catalogue, worker, station_manager, world, xuanwu_worker):
    apartment = Reward.objects.create(
        kind=Reward.Kind.APARTMENT_NIGHT, name="小蜂公寓（夫子庙）", cost=20, territory=world.qinhuai
    )
    night = timezone.localdate() + timedelta(days=3)
    RewardNight.objects.create(reward=apartment, date=night, capacity=1)
    points_award(person=worker, rule=catalogue["study"], points=100, actor=station_manager, idempotency_key="f")
    with pytest.raises(PointsError, match="请选择入住日期"):
        points_redeem(person=worker, reward=apartment, idempotency_key="n0")
    points_redeem(person=worker, reward=apartment, night_date=night, idempotency_key="n1")
    with pytest.raises(PointsError, match="已无空房"):
        points_redeem(person=worker, reward=apartment, night_date=night, idempotency_key="n2")
    with pytest.raises(PointsError, match="已无空房"):
        points_redeem(person=worker, reward=apartment, night_date=night + timedelta(days=1), idempotency_key="n3")
    with pytest.raises(PointsError, match="不在您可兑换的范围内"):
        points_redeem(person=xuanwu_worker, reward=apartment, night_date=night, idempotency_key="n4")
    assert RewardNight.objects.get().taken == 1
    with pytest.raises(PointsError, match="早于今天"):
        points_redeem(person=worker, reward=apartment, night_date=date(2020, 1, 1), idempotency_key="n5")


def test_body_publishes_and_member_unit_confirms(catalogue, member_unit_officer, world, worker, api_client):
    rule = catalogue["volunteer"]
    rule.award_roles = [*rule.award_roles, "member_unit"]
    rule.save()
    now = timezone.now()
    task = task_publish(
        actor=member_unit_officer,
        kind=VolunteerTask.Kind.FOOD_SAFETY,
        title="食安卫士 外卖封签抽查",
        place="夫子庙美食街",
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=3),
        slots=5,
        points=8,
        rule=rule,
        publisher_body=world.scjg,
    )
    claim = task_claim(task=task, person=worker)
    api_client.force_authenticate(member_unit_officer)
    listed = api_client.get("/api/v1/points/claims/").json()["results"]
    assert [c["id"] for c in listed] == [claim.pk]
    confirmed = api_client.post(f"/api/v1/points/claims/{claim.pk}/confirm/", {"completed": True}, format="json")
    assert confirmed.status_code == 200
    assert PointEntry.objects.get().delta == 8
