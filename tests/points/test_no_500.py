"""Input that used to answer 500: a protected delete, a task without its kind, a huge page
number, an account page with a system (actor-less) entry."""

from __future__ import annotations

import pytest

from points.models import PointEntry, Reward
from points.services.ledger import account_for, points_award
from points.services.rewards import points_redeem

pytestmark = pytest.mark.django_db


@pytest.fixture
def redeemed(catalogue, worker, reward, station_manager):
    reward.cost = 10
    reward.save(update_fields=["cost"])
    points_award(person=worker, rule=catalogue["volunteer"], actor=station_manager, idempotency_key="a1", points=20)
    return points_redeem(person=worker, reward=reward, idempotency_key="r1", actor=station_manager)


def test_deleting_a_referenced_reward_answers_409_in_chinese(api_client, municipal, redeemed):
    api_client.force_authenticate(municipal)
    response = api_client.delete(f"/api/v1/points/rewards/{redeemed.reward_id}/")
    assert response.status_code == 409
    assert "引用" in response.json()["detail"]
    assert Reward.objects.filter(pk=redeemed.reward_id).exists()


def test_task_without_kind_is_a_400_naming_the_field(api_client, municipal, catalogue, station):
    api_client.force_authenticate(municipal)
    response = api_client.post(
        "/api/v1/points/tasks/",
        {"title": "清扫", "place": "夫子庙", "slots": 2, "points": 10, "rule": catalogue["volunteer"].pk},
        format="json",
    )
    assert response.status_code == 400
    assert "kind" in response.json()


@pytest.mark.parametrize("page", ["99999999999999999999", "-1", "abc", "0", str(2**63)])
def test_any_page_number_is_clamped(api_client, municipal, page):
    api_client.force_authenticate(municipal)
    response = api_client.get(f"/api/v1/points/rewards/?page={page}")
    assert response.status_code == 200


def test_account_page_shows_system_entries(client, municipal, catalogue, worker):
    points_award(person=worker, rule=catalogue["volunteer"], actor=None, idempotency_key="sys", check_award_roles=False)
    assert PointEntry.objects.filter(actor__isnull=True).exists()
    client.force_login(municipal)
    response = client.get(f"/points/accounts/{account_for(worker).pk}/")
    assert response.status_code == 200 and "系统" in response.content.decode()
