"""Scope and masking on the staff pages and the API; the inbox actions; metrics; public intake API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from grievances.models import ExtensionRequest, Grievance
from grievances.selectors import grievance_metrics
from grievances.services import grievance_rate, grievance_resolve

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(submit):
    return submit(contact_name="王师傅", contact_phone="13812345678")


def login(client, user):
    client.force_login(user)
    return client


@pytest.mark.smoke
def test_scope_on_detail(client, case, fuzimiao_cadre, xinjiekou_cadre, qinhuai_organizer, outsider):
    url = reverse("grievances:detail", args=[case.ticket])
    assert login(client, fuzimiao_cadre).get(url).status_code == 200
    assert login(client, qinhuai_organizer).get(url).status_code == 200
    assert login(client, xinjiekou_cadre).get(url).status_code == 404
    assert login(client, outsider).get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302


def test_member_unit_sees_only_routed_cases(client, submit, meals_rule, member_unit_officer):
    routed = submit("驿站微波炉坏了，中午没法热饭")
    other = submit("孩子明年上小学")
    login(client, member_unit_officer)
    assert client.get(reverse("grievances:detail", args=[routed.ticket])).status_code == 200
    assert client.get(reverse("grievances:detail", args=[other.ticket])).status_code == 404
    body = client.get(reverse("grievances:inbox")).content.decode()
    assert routed.ticket in body and other.ticket not in body


def test_station_manager_sees_station_cases_masked(client, submit, managed_station, station_manager, fuzimiao_cadre):
    grievance = submit("驿站饮水机坏了", station=managed_station, territory=None, contact_name="王师傅")
    page = login(client, station_manager).get(reverse("grievances:detail", args=[grievance.ticket])).content.decode()
    assert "138****5678" in page and "13812345678" not in page and "王**" in page
    assert 'id="actions"' not in page
    response = client.post(reverse("grievances:act", args=[grievance.ticket, "accept"]))
    assert response.status_code == 403
    page = login(client, fuzimiao_cadre).get(reverse("grievances:detail", args=[grievance.ticket])).content.decode()
    assert "13812345678" in page and 'id="actions"' in page


def test_actions_through_the_inbox(client, case, fuzimiao_cadre):
    login(client, fuzimiao_cadre)
    inbox = client.get(reverse("grievances:inbox")).content.decode()
    assert case.ticket in inbox
    client.post(reverse("grievances:act", args=[case.ticket, "accept"]))
    client.post(reverse("grievances:act", args=[case.ticket, "reply"]), {"text": "正在协调物业"})
    response = client.post(reverse("grievances:act", args=[case.ticket, "resolve"]), {"text": ""}, follow=True)
    assert "内容：请填写内容" in response.content.decode()
    client.post(reverse("grievances:act", args=[case.ticket, "resolve"]), {"text": "已办结", "state": "in_progress"})
    case.refresh_from_db()
    assert case.state == Grievance.State.RESOLVED
    assert list(case.events.filter(actor=fuzimiao_cadre).values_list("kind", flat=True)) == [
        "transition",
        "reply",
        "transition",
    ]


def test_transfer_and_duplicate_actions(client, submit, world, fuzimiao_cadre, member_unit_officer):
    first, second = submit("一号小区保安不让进"), submit("二号小区的保安不让快递员进")
    login(client, fuzimiao_cadre)
    client.post(reverse("grievances:act", args=[second.ticket, "duplicate"]), {"master": first.ticket})
    second.refresh_from_db()
    assert second.state == Grievance.State.DUPLICATE and second.duplicate_of == first
    client.post(
        reverse("grievances:act", args=[first.ticket, "transfer"]), {"body": world.scjg.pk, "text": "属食品安全"}
    )
    first.refresh_from_db()
    assert first.body == world.scjg and first.assignee.user == member_unit_officer


def test_extension_request_and_approval_pages(client, case, fuzimiao_cadre, qinhuai_organizer):
    login(client, fuzimiao_cadre).post(
        reverse("grievances:act", args=[case.ticket, "extension"]), {"days": "3", "reason": "需协调物业"}
    )
    extension = ExtensionRequest.objects.get()
    inbox = login(client, qinhuai_organizer).get(reverse("grievances:inbox")).content.decode()
    assert "待审批的延期申请" in inbox
    client.post(reverse("grievances:extension-decide", args=[extension.pk]), {"approve": "1"})
    extension.refresh_from_db()
    assert extension.status == "approved"


def test_staff_intake_for_hotline(client, world, categories, fuzimiao_cadre, django_capture_on_commit_callbacks):
    login(client, fuzimiao_cadre)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("grievances:staff-new"),
            {"channel": "hotline", "priority": "urgent", "territory": world.fuzimiao.pk, "text": "来电反映欠薪"},
        )
    grievance = Grievance.objects.get()
    assert response.status_code == 302 and grievance.channel == "hotline" and grievance.priority == "urgent"
    assert grievance.events.first().actor == fuzimiao_cadre
    # a street cadre cannot file a case in another street
    response = client.post(
        reverse("grievances:staff-new"),
        {"channel": "hotline", "priority": "normal", "territory": world.xinjiekou.pk, "text": "x"},
    )
    assert "所选街道不存在" in response.content.decode()


# --- API --------------------------------------------------------------------------------------


def test_api_scope_and_masking(
    api_client, case, managed_station, submit, fuzimiao_cadre, xinjiekou_cadre, station_manager
):
    at_station = submit("驿站饮水机坏了", station=managed_station, territory=None, contact_phone="13900001234")
    api_client.force_authenticate(fuzimiao_cadre)
    data = api_client.get("/api/v1/grievances/").json()
    tickets = {row["ticket"]: row for row in data["results"]}
    assert set(tickets) == {case.ticket, at_station.ticket}
    assert tickets[case.ticket]["submitter"] == {"name": "王师傅", "phone": "13812345678", "masked": False}
    api_client.force_authenticate(station_manager)
    rows = api_client.get("/api/v1/grievances/").json()["results"]
    assert [r["ticket"] for r in rows] == [at_station.ticket]
    assert rows[0]["submitter"]["phone"] == "139****1234" and rows[0]["submitter"]["masked"]
    api_client.force_authenticate(xinjiekou_cadre)
    assert api_client.get("/api/v1/grievances/").json()["results"] == []
    assert api_client.get(f"/api/v1/grievances/{case.ticket}/").status_code == 404


def test_api_outsider_and_anonymous(api_client, case, outsider):
    assert api_client.get("/api/v1/grievances/").status_code in (401, 403)
    api_client.force_authenticate(outsider)
    assert api_client.get("/api/v1/grievances/").status_code == 403
    assert api_client.get(f"/api/v1/grievances/{case.ticket}/").status_code == 404


def test_api_detail_has_timeline(api_client, case, fuzimiao_cadre):
    api_client.force_authenticate(fuzimiao_cadre)
    data = api_client.get(f"/api/v1/grievances/{case.ticket}/").json()
    assert [e["kind"] for e in data["events"]] == ["submitted", "triage", "routed"]


def test_api_list_query_count(api_client, submit, fuzimiao_cadre, django_assert_max_num_queries):
    for i in range(6):
        submit(f"第{i}件诉求")
    api_client.force_authenticate(fuzimiao_cadre)
    with django_assert_max_num_queries(8):
        response = api_client.get("/api/v1/grievances/")
    assert len(response.json()["results"]) == 6


def test_public_intake_endpoint(api_client, world, managed_station, categories, settings):
    response = api_client.post(
        "/api/v1/grievances/intake/",
        {"text": "驿站充电插座坏了", "contact_phone": "13812345678", "station": managed_station.code},
        format="json",
    )
    assert response.status_code == 201, response.content
    grievance = Grievance.objects.get(ticket=response.json()["ticket"])
    assert grievance.station == managed_station
    bad = api_client.post("/api/v1/grievances/intake/", {"text": "x", "contact_phone": "123"}, format="json")
    assert bad.status_code == 400 and "territory" in bad.json()
    settings.GRIEVANCES = {"RATE_LIMITS": {"submit_phone": (1, 86400)}}
    again = api_client.post(
        "/api/v1/grievances/intake/",
        {"text": "再次", "contact_phone": "13812345678", "territory": world.fuzimiao.code},
        format="json",
    )
    assert again.status_code == 429


def test_openapi_documents_public_intake(client):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/grievances/intake/" in schema


# --- metrics ----------------------------------------------------------------------------------


def test_metrics_rates_and_minimum_sample(
    submit, meals_rule, fuzimiao_cadre, municipal, qinhuai_organizer, xinjiekou_cadre
):
    meals = [submit(f"第{i}家驿站微波炉坏了，没法热饭") for i in range(3)]
    street = submit("孩子明年上小学")
    for g in meals[:2]:
        grievance_resolve(grievance=g, actor=fuzimiao_cadre, resolution="已修好")
    grievance_rate(grievance=Grievance.objects.get(pk=meals[0].pk), rating=5)
    grievance_rate(grievance=Grievance.objects.get(pk=meals[1].pk), rating=2)
    Grievance.objects.filter(pk=street.pk).update(respond_due_at=timezone.now() - timedelta(hours=1))
    m = grievance_metrics(user=municipal, min_sample=3)
    assert (m["collected"], m["solved"]) == (4, 2)
    rows = {r.label: r for r in m["rows"]}
    scjg = rows["市场监管局"]
    assert scjg.ranked and scjg.total == 3
    assert scjg.resolution_rate == pytest.approx(2 / 3)
    assert scjg.satisfaction_rate == pytest.approx(0.5)
    assert scjg.response_rate == pytest.approx(2 / 3)
    fallback = rows["夫子庙街道（属地）"]
    assert not fallback.ranked and fallback.response_rate == 0
    assert m["rows"][0] is scjg  # ranked rows first
    assert grievance_metrics(user=xinjiekou_cadre)["collected"] == 0
    assert grievance_metrics(user=qinhuai_organizer)["collected"] == 4


def test_metrics_page(client, case, municipal, outsider):
    assert login(client, municipal).get(reverse("grievances:metrics")).status_code == 200
    assert login(client, outsider).get(reverse("grievances:metrics")).status_code == 403


def test_an_action_from_a_page_opened_before_a_transfer_is_refused(client, case, fuzimiao_cadre, world):
    """resolve vs transfer: the page the resolve comes from still shows the case before the
    transfer, so the resolve is refused with a message, whatever the two states are."""
    login(client, fuzimiao_cadre)
    client.post(reverse("grievances:act", args=[case.ticket, "accept"]))
    case.refresh_from_db()
    stale = case.updated_at.isoformat()
    # Someone else transfers the case back to the street (assigned → assigned is possible too).
    from grievances.services import grievance_transfer

    grievance_transfer(grievance=case, actor=fuzimiao_cadre, note="请属地处理")
    response = client.post(
        reverse("grievances:act", args=[case.ticket, "resolve"]),
        {"text": "已办结", "version": stale},
        follow=True,
    )
    assert "在您打开页面后已被他人更新" in response.content.decode()
    case.refresh_from_db()
    assert case.state != Grievance.State.RESOLVED
    # The page shows the new version; acting from it works.
    page = client.get(reverse("grievances:detail", args=[case.ticket])).content.decode()
    assert f'name="version" value="{case.updated_at.isoformat()}"' in page


def test_transfer_offers_and_takes_only_bodies_over_the_case(client, case, world, fuzimiao_cadre):
    """A 秦淮 case may go to a city body or a 秦淮 hub, never to another district's hub."""
    from organizations.models import Body

    own = Body.objects.create(code="QH-HUB", name="秦淮硅巷党建联盟", kind=Body.Kind.HUB, territory=world.qinhuai)
    other = Body.objects.create(code="XW-HUB", name="玄武湖畔党建联盟", kind=Body.Kind.HUB, territory=world.xuanwu)
    login(client, fuzimiao_cadre)
    page = client.get(reverse("grievances:detail", args=[case.ticket])).content.decode()
    page = page[page.index('name="body"') :]
    page = page[: page.index("</select>")]
    assert f'<option value="{own.pk}"' in page and f'<option value="{world.scjg.pk}"' in page
    assert f'<option value="{other.pk}"' not in page
    response = client.post(reverse("grievances:act", args=[case.ticket, "transfer"]), {"body": other.pk}, follow=True)
    case.refresh_from_db()
    assert case.body_id != other.pk
    assert "转至单位" in response.content.decode()
    # and the service refuses it from any door
    from django.core.exceptions import ValidationError

    from grievances.services import grievance_transfer

    with pytest.raises(ValidationError, match="不负责此诉求所在辖区"):
        grievance_transfer(grievance=case, actor=fuzimiao_cadre, body=other)


def test_inbox_street_filter_offers_only_the_station_street(client, station_manager, world):
    """The station manager sees its station's cases: the 街道 filter must not list the city."""
    page = login(client, station_manager).get(reverse("grievances:inbox")).content.decode()
    if 'name="street"' in page:
        picker = page[page.index('name="street"') :]
        picker = picker[: picker.index("</select>")]
        assert world.xinjiekou.name not in picker and world.zhonghuamen.name not in picker


def test_a_transfer_sent_again_writes_nothing_twice(client, case, world, fuzimiao_cadre):
    """Back and 转办 again (the page reloaded, so its version is fresh): the case is already with
    that body, so nothing is written and the owner is not told a second time."""
    from grievances.models import Notice

    login(client, fuzimiao_cadre)
    url = reverse("grievances:act", args=[case.ticket, "transfer"])
    client.post(url, {"body": world.scjg.pk, "text": "属食品安全"})
    case.refresh_from_db()
    events, notices = case.events.count(), Notice.objects.count()
    response = client.post(url, {"body": world.scjg.pk, "text": "属食品安全", "version": case.updated_at.isoformat()})
    response = client.get(response.url)
    assert f"已由“{world.scjg}”承办，无需再次转办" in response.content.decode()
    assert case.events.count() == events and Notice.objects.count() == notices
