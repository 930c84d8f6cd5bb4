"""The station manager's phone pages (六个一 self-check, 聚心行动, linked people) and the riders'
one-tap feedback on the QR page."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from stations.models import CareActivity, Inspection, Station, StationFeedback
from tests.browser.axe import axe_violations, report
from tests.conftest import login_in_browser
from tests.stations.test_inspections import jpeg_with_gps

pytestmark = pytest.mark.django_db


def test_manager_records_an_inspection_with_a_photo_through_the_service(client, station_manager, checklist):
    station = Station.objects.get(manager_post__user=station_manager)
    client.force_login(station_manager)
    url = f"/stations/{station.code}/inspect/"
    page = client.get(url)
    assert page.status_code == 200 and page.content.decode().count('class="step"') == len(checklist) + 1
    answers = {f"item{item.pk}": "1" for item in checklist[1:]}
    # One item unanswered: nothing written, the message names it.
    missing = client.post(url, answers)
    assert missing.status_code == 200 and checklist[0].name in missing.content.decode()
    assert not Inspection.objects.exists()
    answers[f"item{checklist[0].pk}"] = "0"
    answers[f"note{checklist[0].pk}"] = "党建标识褪色"
    photo = SimpleUploadedFile("a.jpg", jpeg_with_gps(), content_type="image/jpeg")
    done = client.post(url, {**answers, "photos": photo, "inspected_on": timezone.localdate().isoformat()})
    assert done.status_code == 302 and done.url == f"/stations/{station.code}/manage/"
    inspection = Inspection.objects.get()
    assert inspection.is_compliant is False and inspection.photos.count() == 1
    assert inspection.inspector == station_manager
    assert inspection.results.get(item=checklist[0]).note == "党建标识褪色"
    station.refresh_from_db()
    assert station.compliant is False and station.last_inspected_on == timezone.localdate()


def test_care_activity_and_manage_page_are_scoped(client, managed_station, station_manager, xinjiekou_cadre):
    client.force_login(station_manager)
    url = f"/stations/{managed_station.code}/care/"
    bad = client.post(url, {"held_on": (timezone.localdate() + timedelta(days=2)).isoformat(), "kind": "summer"})
    assert bad.status_code == 200 and not CareActivity.objects.exists()
    ok = client.post(
        url,
        {
            "held_on": timezone.localdate().isoformat(),
            "kind": "summer",
            "title": "夏送清凉 · 绿豆汤",
            "participants": "35",
            "items_given": "清凉礼包",
            "items_count": "30",
        },
    )
    assert ok.status_code == 302
    activity = CareActivity.objects.get()
    assert activity.created_by == station_manager and activity.title == "夏送清凉 · 绿豆汤"
    manage = client.get(f"/stations/{managed_station.code}/manage/").content.decode()
    assert "夏送清凉 · 绿豆汤" in manage and "六个一检查" in manage and "常驻人员与积分" in manage
    client.force_login(xinjiekou_cadre)
    for path in ("manage", "inspect", "care"):
        assert client.get(f"/stations/{managed_station.code}/{path}/").status_code == 404


def test_one_tap_feedback_is_kept_as_typed_and_limited(client, managed_station, settings):
    cache.clear()
    url = f"/s/{managed_station.code}/feedback/"
    page = client.get(f"/s/{managed_station.code}/").content.decode()
    for label in ("没水", "没电", "门关了", "环境差"):
        assert f">{label}</button>" in page
    done = client.post(url, {"kind": "water", "text": "  二楼饮水机，没水了！ "})
    assert done.status_code == 200 and "已收到：没水" in done.content.decode()
    assert StationFeedback.objects.get().text == "二楼饮水机，没水了！"
    assert client.post(url, {"kind": "other"}).status_code == 400
    assert client.post(url, {"kind": "nonsense"}).status_code == 400
    for _ in range(3):
        client.post(url, {"kind": "power"})
    assert client.post(url, {"kind": "power"}).status_code == 429
    assert StationFeedback.objects.count() == 4
    cache.clear()


@pytest.mark.smoke
def test_suspended_station_shows_its_state_not_24h_nor_navigation(client, managed_station):
    Station.objects.filter(pk=managed_station.pk).update(status=Station.Status.SUSPENDED, is_24h=True)
    html = client.get(f"/s/{managed_station.code}/").content.decode()
    assert "暂停服务" in html and "24小时" not in html and 'id="nav"' not in html
    assert "暂停期间不开放" in html
    Station.objects.filter(pk=managed_station.pk).update(status=Station.Status.OPEN)
    html = client.get(f"/s/{managed_station.code}/").content.decode()
    assert "24小时" in html and 'id="nav"' in html


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_manager_on_a_phone_inspects_one_item_at_a_time(phone_page, live_server, station_manager, checklist):
    station = Station.objects.get(manager_post__user=station_manager)
    login_in_browser(phone_page, live_server, "yizhan")
    phone_page.goto(f"{live_server.url}/s/{station.code}/")
    phone_page.get_by_role("link", name="站长入口").click()
    phone_page.get_by_role("link", name="六个一检查").click()
    found = {"inspect": axe_violations(phone_page)}
    progress = phone_page.locator("#stepper-progress")
    assert progress.inner_text() == f"第 1 步，共 {len(checklist) + 1} 步"
    assert phone_page.locator("fieldset.step:visible").count() == 1
    for item in checklist[:-1]:
        phone_page.locator(f"fieldset.current input[name=item{item.pk}][value='1']").check()
    last = checklist[-1]
    phone_page.locator(f"fieldset.current input[name=item{last.pk}][value='0']").check()
    phone_page.fill(f"#note{last.pk}", "台账未更新")
    phone_page.screenshot(path="/tmp/phone-inspect-step.png")
    phone_page.click("#step-next")
    phone_page.set_input_files(
        "#id_photos", files=[{"name": "p.jpg", "mimeType": "image/jpeg", "buffer": jpeg_with_gps()}]
    )
    phone_page.click("text=提交检查结果")
    phone_page.wait_for_load_state("networkidle")
    assert "有未达标项" in phone_page.locator(".messages").inner_text()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    found["manage"] = axe_violations(phone_page)
    assert not any(found.values()), report(found)
    phone_page.screenshot(path="/tmp/phone-manage.png", full_page=True)
    assert Inspection.objects.get().photos.count() == 1
    assert phone_page.external_requests == []


def test_care_activity_sent_again_is_not_recorded_twice(client, managed_station, station_manager):
    """Back to the form (the browser restores what was typed) and 保存 again wrote a second,
    identical 聚心行动: the station's counts of activities and people served doubled."""
    client.force_login(station_manager)
    url = f"/stations/{managed_station.code}/care/"
    typed = {
        "held_on": timezone.localdate().isoformat(),
        "kind": "winter",
        "title": "冬送温暖 · 暖心包",
        "participants": "30",
        "items_given": "手套、热饮",
        "items_count": "30",
    }
    assert client.post(url, typed).status_code == 302
    again = client.post(url, {**typed, "title": " 冬送温暖 · 暖心包 "})
    assert again.status_code == 200
    assert "已记录过“冬送温暖 · 暖心包”" in again.content.decode()
    assert CareActivity.objects.count() == 1
    # Another activity the same day under its own name is recorded.
    assert client.post(url, {**typed, "title": "冬送温暖 · 第二场"}).status_code == 302
    assert CareActivity.objects.count() == 2
