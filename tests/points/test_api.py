"""/api/v1/points/…: scoped lists and details, award/reverse/confirm/fulfil actions, outsiders."""

from __future__ import annotations

import pytest

from points.models import PointEntry, Redemption
from points.services import points_award, points_redeem, task_claim
from tests.points.test_workflows import publish

URLS = ["accounts", "entries", "tasks", "claims", "rewards", "redemptions"]


@pytest.fixture
def activity(catalogue, station, station_manager, worker, xuanwu_worker, xinjiekou_cadre, reward):
    points_award(person=worker, rule=catalogue["study"], points=60, actor=station_manager, idempotency_key="w")
    points_award(person=xuanwu_worker, rule=catalogue["study"], points=40, actor=xinjiekou_cadre, idempotency_key="x")
    task = publish(station_manager, catalogue["volunteer"], station)
    claim = task_claim(task=task, person=worker)
    redemption = points_redeem(person=worker, reward=reward, idempotency_key="r")
    return {"task": task, "claim": claim, "redemption": redemption}


@pytest.mark.parametrize("name", URLS)
def test_outsider_sees_nothing(api_client, outsider, activity, name):
    api_client.force_authenticate(outsider)
    assert api_client.get(f"/api/v1/points/{name}/").status_code == 403


def test_outsider_gets_404_on_objects(api_client, outsider, activity):
    api_client.force_authenticate(outsider)
    entry = PointEntry.objects.first()
    assert api_client.get(f"/api/v1/points/entries/{entry.pk}/").status_code == 404
    assert api_client.post(f"/api/v1/points/redemptions/{activity['redemption'].pk}/fulfil/").status_code in (403, 404)


def test_lists_are_scoped(api_client, fuzimiao_cadre, xinjiekou_cadre, municipal, activity, worker, xuanwu_worker):
    api_client.force_authenticate(fuzimiao_cadre)
    names = [a["person_name"] for a in api_client.get("/api/v1/points/accounts/").json()["results"]]
    assert names == ["张骑手"]
    api_client.force_authenticate(xinjiekou_cadre)
    names = [a["person_name"] for a in api_client.get("/api/v1/points/accounts/").json()["results"]]
    assert names == ["李快递"]
    entry = PointEntry.objects.filter(account__person=worker).first()
    assert api_client.get(f"/api/v1/points/entries/{entry.pk}/").status_code == 404
    api_client.force_authenticate(municipal)
    assert len(api_client.get("/api/v1/points/accounts/").json()["results"]) == 2


def test_station_manager_sees_their_station(api_client, station_manager, activity):
    api_client.force_authenticate(station_manager)
    body = api_client.get("/api/v1/points/accounts/").json()
    assert [a["person_name"] for a in body["results"]] == ["张骑手"]
    assert body["results"][0]["person_phone"] == "138****0001"
    assert len(api_client.get("/api/v1/points/tasks/").json()["results"]) == 1


def test_entries_list_query_count_is_pinned(api_client, municipal, activity, django_assert_max_num_queries):
    api_client.force_authenticate(municipal)
    with django_assert_max_num_queries(8):
        assert api_client.get("/api/v1/points/entries/").status_code == 200


def test_award_via_api_is_idempotent_and_capped(api_client, fuzimiao_cadre, catalogue, worker, xuanwu_worker):
    api_client.force_authenticate(fuzimiao_cadre)
    payload = {"person": worker.pk, "rule": catalogue["volunteer"].pk, "idempotency_key": "evt-1", "note": "清扫"}
    first = api_client.post("/api/v1/points/entries/award/", payload, format="json")
    assert first.status_code == 201 and first.json()["delta"] == 10
    assert api_client.post("/api/v1/points/entries/award/", payload, format="json").status_code == 200
    for i in range(2, 4):
        api_client.post("/api/v1/points/entries/award/", {**payload, "idempotency_key": f"evt-{i}"}, format="json")
    over = api_client.post("/api/v1/points/entries/award/", {**payload, "idempotency_key": "evt-9"}, format="json")
    assert over.status_code == 400 and "上限" in over.json()["detail"]
    # a person outside the cadre's street: 404, like a missing one
    other = api_client.post("/api/v1/points/entries/award/", {**payload, "person": xuanwu_worker.pk}, format="json")
    assert other.status_code == 404


def test_reverse_needs_permission(api_client, fuzimiao_cadre, qinhuai_organizer, activity, worker):
    entry = PointEntry.objects.filter(account__person=worker, kind="award").first()
    api_client.force_authenticate(fuzimiao_cadre)
    # without the right, a detail action answers like a missing record
    assert api_client.post(f"/api/v1/points/entries/{entry.pk}/reverse/", {"reason": "x"}).status_code == 404
    api_client.force_authenticate(qinhuai_organizer)
    response = api_client.post(f"/api/v1/points/entries/{entry.pk}/reverse/", {"reason": "错记"})
    assert response.status_code == 400 and "已被使用" in response.json()["detail"]  # 50 of 60 spent


def test_confirm_claim_and_fulfil(api_client, station_manager, activity):
    api_client.force_authenticate(station_manager)
    response = api_client.post(
        f"/api/v1/points/claims/{activity['claim'].pk}/confirm/", {"completed": True}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "completed"
    response = api_client.post(f"/api/v1/points/redemptions/{activity['redemption'].pk}/fulfil/")
    assert response.status_code == 200
    assert Redemption.objects.get().status == "fulfilled"


def test_publish_task_via_api(api_client, station_manager, station, catalogue):
    api_client.force_authenticate(station_manager)
    payload = {
        "kind": "food_safety",
        "title": "食安卫士 巡查",
        "place": "夫子庙美食街",
        "starts_at": "2030-01-01T09:00:00+08:00",
        "ends_at": "2030-01-01T11:00:00+08:00",
        "slots": 5,
        "points": 8,
        "rule": catalogue["volunteer"].pk,
        "station": station.pk,
    }
    response = api_client.post("/api/v1/points/tasks/", payload, format="json")
    assert response.status_code == 201, response.json()
    bad = api_client.post("/api/v1/points/tasks/", {**payload, "rule": catalogue["district_only"].pk}, format="json")
    assert bad.status_code == 400 and "不能授予" in bad.json()["detail"]
