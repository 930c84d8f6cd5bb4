"""REAL concurrency on PostgreSQL: threads, each with its own connection, race one balance."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.db.models import Sum

from members.models import Person
from points.models import PointAccount, PointEntry, Redemption, Reward
from points.services import PointsError, home_station_set, points_award, points_redeem, points_redemption_fulfil

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 12


def _race(worker_fn, n: int):
    """Run ``worker_fn(i)`` in ``n`` threads released at once; return (results, errors)."""
    barrier = threading.Barrier(n)
    results, errors = [], []
    lock = threading.Lock()

    def run(i):
        try:
            barrier.wait(timeout=20)
            outcome = worker_fn(i)
            with lock:
                results.append(outcome)
        except PointsError as exc:
            with lock:
                errors.append(str(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results, errors


@pytest.fixture
def funded(catalogue, worker, station_manager):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    points_award(person=worker, rule=catalogue["study"], points=50, actor=station_manager, idempotency_key="seed")
    return worker


def test_simultaneous_redemptions_fulfil_exactly_what_the_balance_affords(funded, station, station_manager, world):
    reward = Reward.objects.create(name="充电宝", cost=10, stock=100, territory=world.city, station=station)
    person_id = funded.pk

    def redeem(i):
        person = Person.objects.get(pk=person_id)
        redemption = points_redeem(person=person, reward=Reward.objects.get(pk=reward.pk), idempotency_key=f"race{i}")
        return points_redemption_fulfil(redemption=redemption, actor=None).pk

    results, errors = _race(redeem, THREADS)
    assert len(results) == 5 and len(errors) == THREADS - 5
    assert all("不足" in e for e in errors)
    account = PointAccount.objects.get(person=funded)
    assert account.balance == 0
    assert account.entries.aggregate(s=Sum("delta"))["s"] == 0
    assert Redemption.objects.filter(status=Redemption.Status.FULFILLED).count() == 5
    reward.refresh_from_db()
    assert reward.stock == 95


def test_many_people_one_stock_never_oversell(catalogue, station, station_manager, world):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    people = [
        Person.objects.create(name=f"骑手{i}", phone=f"1370000{i:04d}", territory=world.chaokujie)
        for i in range(THREADS)
    ]
    for person in people:
        home_station_set(person=person, station=station)
    for person in people:
        points_award(person=person, rule=catalogue["volunteer"], actor=station_manager, idempotency_key=f"s{person.pk}")
    reward = Reward.objects.create(name="体检券", cost=10, stock=3, territory=world.city)

    def redeem(i):
        return points_redeem(
            person=Person.objects.get(pk=people[i].pk), reward=Reward.objects.get(pk=reward.pk), idempotency_key=f"p{i}"
        ).pk

    results, errors = _race(redeem, THREADS)
    assert len(results) == 3 and all("已兑完" in e for e in errors)
    reward.refresh_from_db()
    assert reward.stock == 0
    assert PointEntry.objects.filter(kind="redemption").count() == 3
    assert sum(PointAccount.objects.values_list("balance", flat=True)) == THREADS * 10 - 30


def test_simultaneous_awards_cannot_squeeze_past_the_daily_cap(catalogue, worker, station_manager):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    rule_id, person_id, actor_id = catalogue["volunteer"].pk, worker.pk, station_manager.pk

    def give(i):
        from django.contrib.auth import get_user_model

        from points.models import PointRule

        return points_award(
            person=Person.objects.get(pk=person_id),
            rule=PointRule.objects.get(pk=rule_id),
            actor=get_user_model().objects.get(pk=actor_id),
            idempotency_key=f"cap{i}",
        ).entry.pk

    results, errors = _race(give, THREADS)
    assert len(results) == 3  # 30 per day at 10 each
    assert len(errors) == THREADS - 3 and all("上限" in e for e in errors)
    assert PointAccount.objects.get(person=worker).balance == 30
