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


def test_awards_and_redemptions_racing_on_one_account_keep_it_consistent(funded, world, catalogue, station_manager):
    # Half the threads award (the one-statement award), half redeem (debit, then the lots read in a
    # snapshot taken after the account lock): every redemption draws lots that exist, none
    # overdraws, and balance = entries = lots afterwards, whatever the order.
    from tests.points.test_ledger import assert_consistent

    reward = Reward.objects.create(name="毛巾", cost=10, stock=100, territory=world.city)
    person_id, rule_id, actor_id = funded.pk, catalogue["study"].pk, station_manager.pk

    def act(i):
        from django.contrib.auth import get_user_model

        from points.models import PointRule

        person = Person.objects.get(pk=person_id)
        if i % 2:
            return points_award(
                person=person, rule=PointRule.objects.get(pk=rule_id), points=10,
                actor=get_user_model().objects.get(pk=actor_id), idempotency_key=f"mix-a{i}",
            ).entry.pk  # fmt: skip
        return points_redeem(person=person, reward=Reward.objects.get(pk=reward.pk), idempotency_key=f"mix-r{i}").pk

    results, errors = _race(act, THREADS)
    assert all("不足" in e for e in errors)
    assert len(results) + len(errors) == THREADS
    redeemed = Redemption.objects.count()
    assert PointEntry.objects.filter(kind="award").count() == 1 + THREADS // 2
    assert assert_consistent(funded) == 50 + 10 * (THREADS // 2) - 10 * redeemed
    reward.refresh_from_db()
    assert reward.stock == 100 - redeemed


def test_a_failed_redemption_outside_a_transaction_leaves_nothing(funded, world):
    # Outside a transaction the redemption's two statements go as one query, which PostgreSQL runs
    # as one implicit transaction: the second failing (the lots cannot cover the cost) undoes the
    # first's debit and stock, and the locked path then refuses with the reason.
    from points.models import PointLot
    from tests.points.test_ledger import assert_consistent
    from tests.points.test_statements import assert_refused_and_undone

    assert connection.get_autocommit()
    reward = Reward.objects.create(name="手电", cost=40, stock=3, territory=world.city)
    PointLot.objects.update(remaining=30)  # the lots now hold 30 of the 50
    assert_refused_and_undone(funded, reward, balance=50, stock=3, key="lost")
    PointLot.objects.update(remaining=50)
    points_redeem(person=funded, reward=reward, idempotency_key="found")
    assert assert_consistent(funded) == 10
