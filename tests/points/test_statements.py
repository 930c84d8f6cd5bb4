"""How many statements the ledger's common operations cost, pinned exactly (PostgreSQL: the fast
paths use UPDATE … FROM … RETURNING and data-modifying CTEs)."""

from __future__ import annotations

import pytest
from auditlog.context import set_actor
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from points.models import LotDraw, PointAccount, PointEntry, PointLot, Redemption, Reward
from points.services import points_award, points_redeem
from tests.points.test_ledger import assert_consistent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the fast paths are PostgreSQL SQL")


@pytest.fixture
def funded(catalogue, worker, station_manager):
    points_award(person=worker, rule=catalogue["study"], points=50, actor=station_manager, idempotency_key="seed")
    points_award(person=worker, rule=catalogue["study"], points=30, actor=station_manager, idempotency_key="seed2")
    ContentType.objects.get_for_model(Redemption)  # the content-type cache is warm in any running process
    return worker


def test_award_is_one_statement_in_one_round_trip(funded, catalogue, station_manager, django_assert_num_queries):
    # SAVEPOINT; WITH moved AS (UPDATE account … RETURNING), entry AS (INSERT), lot AS (INSERT)
    # SELECT …; RELEASE SAVEPOINT — one round trip.
    with django_assert_num_queries(1) as captured:
        result = points_award(
            person=funded, rule=catalogue["study"], points=5, actor=station_manager, idempotency_key="k1"
        )
    (sql,) = (q["sql"] for q in captured.captured_queries)
    assert sql.startswith("SAVEPOINT points_ledger_fast; WITH moved AS (UPDATE")
    assert sql.endswith("; RELEASE SAVEPOINT points_ledger_fast")
    assert sql.count("INSERT INTO") == 2
    assert result.created and result.entry.balance_after == 85
    assert result.entry.lot.pk == PointLot.objects.get(entry_id=result.entry.pk).pk
    entry = PointEntry.objects.get(pk=result.entry.pk)
    assert (entry.account_id, entry.territory_id, entry.station_id) == (
        result.entry.account_id, funded.territory_id, result.entry.station_id,
    )  # fmt: skip
    assert PointAccount.objects.get(person=funded).balance == 85
    assert_consistent(funded)


def test_award_outside_a_transaction_is_one_statement(
    funded, catalogue, station_manager, django_assert_num_queries, monkeypatch
):
    # Outside a transaction (autocommit) the statement is atomic by itself: no savepoint.
    monkeypatch.setattr(connection, "get_autocommit", lambda: True)
    with django_assert_num_queries(1) as captured:
        points_award(person=funded, rule=catalogue["study"], points=5, actor=station_manager, idempotency_key="k1")
    assert captured.captured_queries[0]["sql"].startswith("WITH moved AS (UPDATE")
    assert PointAccount.objects.get(person=funded).balance == 85


def test_award_of_a_rule_of_another_district_writes_nothing_and_says_why(funded, world, station_manager):
    from points.models import PointCategory, PointRule
    from points.services import PointsError

    category = PointCategory.objects.create(code="XW", name="玄武特色", territory=world.xuanwu)
    rule = PointRule.objects.create(category=category, code="XW-1", name="玄武劝导", points=4, territory=world.xuanwu)
    with pytest.raises(PointsError, match="只适用于"):
        points_award(person=funded, rule=rule, actor=station_manager, idempotency_key="k2", check_award_roles=False)
    assert PointAccount.objects.get(person=funded).balance == 80
    assert_consistent(funded)


def test_award_replayed_key_gives_the_first_entry(funded, catalogue, station_manager):
    first = points_award(person=funded, rule=catalogue["study"], points=5, actor=station_manager, idempotency_key="k")
    again = points_award(person=funded, rule=catalogue["study"], points=5, actor=station_manager, idempotency_key="k")
    assert not again.created and again.entry.pk == first.entry.pk
    assert PointAccount.objects.get(person=funded).balance == 85


def test_redemption_is_one_round_trip(funded, world, station_manager, django_assert_num_queries):
    reward = Reward.objects.create(name="雨衣", cost=60, stock=2, territory=world.city)
    # SAVEPOINT; (UPDATE account, UPDATE stock) in one statement; (INSERT redemption, entry, lot
    # remainders, draws, the redemption's audit entry) in one statement; RELEASE — one round trip.
    with set_actor(station_manager, remote_addr="10.1.2.3"), django_assert_num_queries(1) as captured:
        redemption = points_redeem(person=funded, reward=reward, idempotency_key="r1", actor=station_manager)
    (sql,) = (q["sql"] for q in captured.captured_queries)
    assert sql.startswith("SAVEPOINT points_ledger_fast; WITH moved AS (UPDATE")
    assert sql.endswith("; RELEASE SAVEPOINT points_ledger_fast")
    assert sql.count("; WITH ") == 2 and "INSERT INTO auditlog_logentry" in sql
    assert redemption.debit_entry.source == redemption
    redemption.refresh_from_db()
    assert redemption.debit_entry.delta == -60 and redemption.debit_entry.balance_after == 20
    assert redemption.debit_entry.source_id == redemption.pk
    assert sorted(LotDraw.objects.filter(entry=redemption.debit_entry).values_list("amount", flat=True)) == [10, 50]
    assert list(PointLot.objects.order_by("id").values_list("remaining", flat=True)) == [0, 20]
    reward.refresh_from_db()
    assert reward.stock == 1
    assert_consistent(funded)
    # The audit entry is the one auditlog writes for a new redemption, once.
    (log,) = LogEntry.objects.get_for_object(redemption)
    assert log.action == LogEntry.Action.CREATE
    assert log.changes == {name: list(pair) for name, pair in model_instance_diff(None, redemption).items()}
    assert log.changes["debit_entry"] == ["None", str(redemption.debit_entry_id)]
    assert (log.object_pk, log.object_id, log.object_repr) == (str(redemption.pk), redemption.pk, str(redemption))
    assert (log.actor, log.remote_addr, log.serialized_data, log.cid) == (station_manager, "10.1.2.3", None, None)


def test_redemption_outside_a_transaction_is_one_round_trip(funded, world, django_assert_num_queries, monkeypatch):
    # Outside a transaction PostgreSQL runs the two statements as one implicit transaction.
    reward = Reward.objects.create(name="雨衣", cost=60, stock=2, territory=world.city)
    monkeypatch.setattr(connection, "get_autocommit", lambda: True)
    with django_assert_num_queries(1) as captured:
        points_redeem(person=funded, reward=reward, idempotency_key="r1")
    assert captured.captured_queries[0]["sql"].startswith("WITH moved AS (UPDATE")
    assert PointAccount.objects.get(person=funded).balance == 20
    assert_consistent(funded)


def test_redemption_refusals_undo_the_debit(funded, world):
    from points.services import PointsError

    sold_out = Reward.objects.create(name="雨伞", cost=10, stock=0, territory=world.city)
    with pytest.raises(PointsError, match="已兑完"):
        points_redeem(person=funded, reward=sold_out, idempotency_key="r2")
    elsewhere = Reward.objects.create(name="体检", cost=10, stock=5, territory=world.xuanwu)
    with pytest.raises(PointsError, match="不在您可兑换的范围内"):
        points_redeem(person=funded, reward=elsewhere, idempotency_key="r3")
    expensive = Reward.objects.create(name="电动车", cost=500, stock=5, territory=world.city)
    with pytest.raises(PointsError, match="积分不足"):
        points_redeem(person=funded, reward=expensive, idempotency_key="r4")
    assert PointAccount.objects.get(person=funded).balance == 80
    assert_consistent(funded)


def assert_refused_and_undone(person, reward, *, balance: int, stock: int, key: str) -> None:
    """A redemption the lots cannot cover is refused and leaves nothing: balance, stock, no
    redemption, no draw."""
    from points.services import PointsError

    with pytest.raises(PointsError, match="不一致"):
        points_redeem(person=person, reward=reward, idempotency_key=key)
    assert PointAccount.objects.get(person=person).balance == balance
    reward.refresh_from_db()
    assert reward.stock == stock
    assert not Redemption.objects.exists() and not LotDraw.objects.exists()


def test_lots_that_cannot_cover_the_balance_refuse_and_undo_everything(funded, world):

    reward = Reward.objects.create(name="手电", cost=60, stock=3, territory=world.city)
    PointLot.objects.filter(remaining=50).update(remaining=0)  # the lots now hold 30 of the 80
    assert_refused_and_undone(funded, reward, balance=80, stock=3, key="r5")
    # The transaction is still usable: the next request's work goes on.
    assert points_redeem(person=funded, reward=Reward.objects.create(name="扇", cost=20, stock=1, territory=world.city),
                         idempotency_key="r6").debit_entry.delta == -20  # fmt: skip
