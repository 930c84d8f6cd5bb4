"""Staff pages and the worker phone pages (phone + one-time code)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core import sms
from points.models import PhotoReport, PointAccount, PointEntry, Redemption, TaskClaim, VolunteerTask
from points.services import points_award, points_redeem, task_claim
from tests.points.conftest import jpeg_with_gps
from tests.points.test_workflows import publish


@pytest.fixture(autouse=True)
def memory_sms(settings):
    from django.core.cache import cache

    settings.SMS_BACKEND = "core.sms.MemoryBackend"
    sms.outbox.clear()
    cache.clear()  # one-time codes and their resend throttle live in the cache


def phone_login(client, phone):
    login = reverse("points:phone-login")
    client.post(login, {"phone": phone})
    code = re.search(r"验证码是 (\d{6})", sms.outbox[-1].text)
    response = client.post(login, {"phone": phone, "code": code.group(1), "next": reverse("points:phone-home")})
    assert response.status_code == 302


# --- staff -----------------------------------------------------------------------------------


@pytest.mark.smoke
def test_award_page_finds_person_in_scope_and_awards_once(client, station_manager, catalogue, worker, xuanwu_worker):
    client.force_login(station_manager)
    page = client.get(reverse("points:award"), {"q": "骑手"})
    assert "张骑手" in page.content.decode()
    assert "李快递" not in client.get(reverse("points:award"), {"q": "李"}).content.decode()
    assert client.get(reverse("points:award"), {"person": xuanwu_worker.pk}).status_code == 404
    form = client.get(reverse("points:award"), {"person": worker.pk}).context["form"]
    rule_ids = [c[0] for c in form.fields["rule"].choices]
    assert catalogue["district_only"].pk not in rule_ids  # a station may not award a district item
    data = {"person": worker.pk, "rule": catalogue["volunteer"].pk, "note": "协助疏导", "token": form.initial["token"]}
    assert client.post(reverse("points:award"), data).status_code == 302
    assert client.post(reverse("points:award"), data).status_code == 302  # double submit
    assert PointEntry.objects.count() == 1


def test_award_page_shows_cap_error(client, station_manager, catalogue, worker):
    client.force_login(station_manager)
    for i in range(3):
        points_award(person=worker, rule=catalogue["volunteer"], actor=station_manager, idempotency_key=f"c{i}")
    data = {"person": worker.pk, "rule": catalogue["volunteer"].pk, "token": "t-over"}
    page = client.post(reverse("points:award"), data)
    assert page.status_code == 200 and "每人每日上限 30 分" in page.content.decode()


def test_staff_pages_for_outsider(client, outsider, catalogue, worker, station_manager, reward):
    points_award(person=worker, rule=catalogue["study"], points=60, actor=station_manager, idempotency_key="x")
    account = PointAccount.objects.get()
    client.force_login(outsider)
    for name in ["award", "accounts", "tasks", "reports", "redemptions", "leaderboard"]:
        assert client.get(reverse(f"points:{name}")).status_code == 403
    assert client.get(reverse("points:account", args=[account.pk])).status_code == 403


def test_other_street_gets_404_on_account(client, xinjiekou_cadre, catalogue, worker, station_manager):
    points_award(person=worker, rule=catalogue["study"], points=5, actor=station_manager, idempotency_key="x")
    client.force_login(xinjiekou_cadre)
    assert client.get(reverse("points:account", args=[PointAccount.objects.get().pk])).status_code == 404


def test_account_page_and_reversal(client, qinhuai_organizer, catalogue, worker, station_manager):
    entry = points_award(person=worker, rule=catalogue["volunteer"], actor=station_manager, idempotency_key="x").entry
    client.force_login(qinhuai_organizer)
    page = client.get(reverse("points:account", args=[entry.account_id]))
    assert "138****0001" in page.content.decode() and "13800000001" not in page.content.decode()
    client.post(reverse("points:reverse", args=[entry.pk]), {"reason": "登记错人"})
    assert PointAccount.objects.get().balance == 0


def test_task_pages_publish_and_confirm(client, station_manager, catalogue, station, worker):
    client.force_login(station_manager)
    form = client.get(reverse("points:task-new")).context["form"]
    assert f"station:{station.pk}" in dict(form.fields["publisher"].choices[0][1])
    response = client.post(
        reverse("points:task-new"),
        {
            "kind": "volunteer",
            "title": "暑期送清凉",
            "place": "驿站门口",
            "starts_at": "2030-07-01T09:00",
            "ends_at": "2030-07-01T12:00",
            "slots": 3,
            "points": 10,
            "rule": catalogue["volunteer"].pk,
            "publisher": f"station:{station.pk}",
        },
    )
    assert response.status_code == 302
    claim = task_claim(task=VolunteerTask.objects.get(), person=worker)
    client.post(reverse("points:claim-confirm", args=[claim.pk]), {"completed": "1"})
    claim.refresh_from_db()
    assert claim.status == TaskClaim.Status.COMPLETED and claim.entry.delta == 10


def test_report_review_and_photo_is_scoped(client, station_manager, xinjiekou_cadre, catalogue, station, worker):
    from points.services import photo_report_submit

    report = photo_report_submit(
        station=station,
        phone=worker.phone,
        kind="hazard",
        text="电动车充电线私拉乱接",
        photo=SimpleUploadedFile("a.jpg", jpeg_with_gps(), content_type="image/jpeg"),
    )
    client.force_login(xinjiekou_cadre)
    assert client.get(reverse("points:report-photo", args=[report.pk])).status_code == 404
    client.force_login(station_manager)
    assert client.get(reverse("points:report-photo", args=[report.pk])).status_code == 200
    client.post(reverse("points:report", args=[report.pk]), {"verify": "1"})
    report.refresh_from_db()
    assert report.status == PhotoReport.Status.VERIFIED and report.entry.delta == 5
    # The review and the worker's own list name the case by its ticket, linked, never its id.
    from grievances.models import Grievance

    ticket = Grievance.objects.get(pk=report.grievance_id).ticket
    review = client.get(reverse("points:report", args=[report.pk])).content.decode()
    assert f'href="/grievances/{ticket}/"' in review and f"诉求编号 {report.grievance_id}" not in review
    phone_login(client, worker.phone)
    mine = client.get(reverse("points:phone-report", args=[station.code])).content.decode()
    assert f'href="/g/status/{ticket}/"' in mine


def test_station_people_lists_the_regulars_with_award_links(client, station_manager, worker, xuanwu_worker, station):
    client.force_login(station_manager)
    html = client.get(reverse("points:station-people", args=[station.code])).content.decode()
    assert worker.name in html and xuanwu_worker.name not in html
    assert f"/points/award/?person={worker.pk}" in html and worker.phone not in html
    assert client.get(reverse("points:station-people", args=["XW-XJK-001"])).status_code == 404


def test_redemption_page_fulfil(client, station_manager, catalogue, worker, reward):
    points_award(person=worker, rule=catalogue["study"], points=60, actor=station_manager, idempotency_key="x")
    redemption = points_redeem(person=worker, reward=reward, idempotency_key="r")
    client.force_login(station_manager)
    page = client.get(reverse("points:redemptions")).content.decode()
    assert "保温餐箱" in page
    # Handed over at the station counter on a phone: each row a card, its cells labelled (a
    # five-column table broke names and goods into one character a line at 390 px).
    assert '<table class="grid cards" id="redemptions">' in page
    assert f'<td data-label="兑换人">{worker.name}</td>' in page
    client.post(reverse("points:redemption-decide", args=[redemption.pk]), {"fulfil": "1"})
    assert Redemption.objects.get().status == "fulfilled"


def test_leaderboard_groups_and_scope(
    client, qinhuai_organizer, xinjiekou_cadre, catalogue, worker, xuanwu_worker, station_manager, municipal
):
    points_award(person=worker, rule=catalogue["study"], points=7, actor=station_manager, idempotency_key="a")
    points_award(person=xuanwu_worker, rule=catalogue["study"], points=9, actor=municipal, idempotency_key="b")
    client.force_login(municipal)
    rows = client.get(reverse("points:leaderboard"), {"group": "district"}).context["rows"]
    assert [(r.name, r.points) for r in rows] == [("玄武区", 9), ("秦淮区", 7)]
    rows = client.get(reverse("points:leaderboard"), {"group": "street", "within": "320104"}).context["rows"]
    assert [(r.name, r.points) for r in rows] == [("夫子庙街道", 7)]
    rows = client.get(reverse("points:leaderboard"), {"group": "station"}).context["rows"]
    assert [r.name for r in rows] == ["新街口宁小蜂驿站", "夫子庙宁小蜂驿站"]
    client.force_login(qinhuai_organizer)
    rows = client.get(reverse("points:leaderboard"), {"group": "person", "period": "year"}).context["rows"]
    assert [r.name for r in rows] == ["张骑手"]
    csv = client.get(reverse("points:leaderboard"), {"group": "person", "format": "csv"}).content.decode()
    assert "张骑手" in csv and "138****0001" in csv and "李快递" not in csv
    bad = client.get(reverse("points:leaderboard"), {"period": "custom", "start": "2026-13-01", "end": "x"})
    assert "格式应为" in bad.content.decode()


# --- worker phone pages ------------------------------------------------------------------------


def test_phone_pages_need_the_code(client, worker):
    response = client.get(reverse("points:phone-home"))
    assert response.status_code == 302 and reverse("points:phone-login") in response["Location"]
    client.post(reverse("points:phone-login"), {"phone": worker.phone})
    wrong = client.post(reverse("points:phone-login"), {"phone": worker.phone, "code": "000000"})
    assert "验证码不正确" in wrong.content.decode() or "过期" in wrong.content.decode()


@pytest.mark.smoke
def test_worker_sees_balance_redeems_and_claims(client, worker, catalogue, station_manager, reward, station):
    points_award(person=worker, rule=catalogue["study"], points=60, actor=station_manager, idempotency_key="x")
    task = publish(station_manager, catalogue["volunteer"], station)
    phone_login(client, worker.phone)
    home = client.get(reverse("points:phone-home"))
    assert home.context["account"].balance == 60
    page = client.get(reverse("points:phone-rewards"))
    token = page.context["token"]
    # The first tap only asks for confirmation: nothing is spent yet.
    asked = client.post(reverse("points:phone-rewards"), {"reward": reward.pk, "token": token})
    assert "确认兑换" in asked.content.decode() and asked.context["after"] == 10
    assert not Redemption.objects.exists()
    confirmed = {"reward": reward.pk, "token": token, "confirm": "1"}
    client.post(reverse("points:phone-rewards"), confirmed)
    client.post(reverse("points:phone-rewards"), confirmed)  # double tap
    assert Redemption.objects.count() == 1 and PointAccount.objects.get().balance == 10
    client.post(reverse("points:phone-tasks"), {"task": task.pk})
    assert TaskClaim.objects.get().person == worker
    redemption = Redemption.objects.get()
    client.post(reverse("points:phone-redemption-cancel", args=[redemption.pk]))
    assert PointAccount.objects.get().balance == 60


def test_worker_cannot_touch_someone_elses_redemption(client, worker, xuanwu_worker, catalogue, municipal, world):
    from points.models import Reward

    reward = Reward.objects.create(name="毛巾", cost=5, stock=5, territory=world.city)
    points_award(person=xuanwu_worker, rule=catalogue["study"], points=10, actor=municipal, idempotency_key="x")
    theirs = points_redeem(person=xuanwu_worker, reward=reward, idempotency_key="r")
    phone_login(client, worker.phone)
    assert client.post(reverse("points:phone-redemption-cancel", args=[theirs.pk])).status_code == 404


def test_photo_report_from_station_page(client, worker, station):
    phone_login(client, worker.phone)
    url = reverse("points:phone-report", args=[station.code])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "kind": "hazard",
            "text": "消防通道被占用",
            "location_text": "东牌楼",
            "photo": SimpleUploadedFile("p.jpg", jpeg_with_gps(), content_type="image/jpeg"),
        },
    )
    assert response.status_code == 302
    report = PhotoReport.objects.get()
    assert report.person == worker and report.station == station
    bad = client.post(url, {"kind": "hazard", "text": "短", "photo": SimpleUploadedFile("p.jpg", b"x")})
    assert bad.status_code == 200 and PhotoReport.objects.count() == 1


def test_unregistered_phone_gets_explanation(client, db):
    phone_login(client, "13511112222")
    assert "尚未登记" in client.get(reverse("points:phone-home")).content.decode()


def test_phone_actions_registered(station):
    from stations.phone_actions import phone_actions_for

    keys = {link.key: link.url for link in phone_actions_for(station)}
    assert keys["points"] == reverse("points:phone-home")
    assert keys["photo_report"] == reverse("points:phone-report", args=[station.code])


def test_list_pages_query_counts_are_pinned(
    client, municipal, catalogue, worker, xuanwu_worker, station_manager, django_assert_max_num_queries
):
    for i, person in enumerate([worker, xuanwu_worker] * 3):
        points_award(
            person=person,
            rule=catalogue["study"],
            actor=station_manager,
            idempotency_key=f"q{i}",
            check_award_roles=False,
        )
    client.force_login(municipal)
    for name in ["accounts", "leaderboard", "redemptions", "reports", "tasks"]:
        with django_assert_max_num_queries(14):
            assert client.get(reverse(f"points:{name}")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("points:account", args=[PointAccount.objects.first().pk])).status_code == 200


@pytest.mark.parametrize("field", ["reward", "night"])
def test_phone_redeem_with_a_tampered_choice_is_no_500(client, worker, reward, field):
    """A posted reward or night that is not a number answers like a missing one, never a 500."""
    phone_login(client, worker.phone)
    data = {"reward": reward.pk, "night": "1", "token": "t", field: "abc"}
    response = client.post(reverse("points:phone-rewards"), data)
    assert response.status_code in (200, 404)


def test_phone_redeem_confirm_never_shows_a_negative_balance(client, worker, reward):
    reward.cost = 30
    reward.save(update_fields=["cost"])
    phone_login(client, worker.phone)
    asked = client.post(reverse("points:phone-rewards"), {"reward": reward.pk, "token": "t"}).content.decode()
    assert "积分不足" in asked and "还差" in asked
    assert 'id="after">-' not in asked


def test_award_again_within_minutes_asks_to_confirm(client, station_manager, catalogue, worker):
    """Browser back and 确认授予 again posts a fresh token (the page was reloaded): the same rule
    for the same person a few minutes later is asked to be confirmed, not paid twice unasked."""
    client.force_login(station_manager)
    url = reverse("points:award")

    def fresh_form():
        return client.get(url, {"person": worker.pk}).context["form"].initial["token"]

    data = {"person": worker.pk, "rule": catalogue["volunteer"].pk, "note": "协助疏导"}
    assert client.post(url, {**data, "token": fresh_form()}).status_code == 302
    again = {**data, "token": fresh_form()}
    page = client.post(url, again)
    text = page.content.decode()
    assert page.status_code == 200 and 'id="award-again"' in text
    assert "已获得“" in text and "如确需再次发放，请勾选“确认再次发放”" in text
    assert PointEntry.objects.count() == 1
    # The same refused form, confirmed: paid once more; confirmed again (resent), still once.
    assert client.post(url, {**again, "again": "on"}).status_code == 302
    assert client.post(url, {**again, "again": "on"}).status_code == 302
    assert PointEntry.objects.count() == 2
    # Another rule for the same person is not asked about.
    other = {**data, "rule": catalogue["study"].pk, "token": fresh_form()}
    assert client.post(url, other).status_code == 302 and PointEntry.objects.count() == 3
