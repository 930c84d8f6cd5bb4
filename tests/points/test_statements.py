"""How many statements the ledger's common operations cost, pinned exactly (PostgreSQL: the fast
paths use UPDATE … FROM … RETURNING and data-modifying CTEs)."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from points.models import LotDraw, PointAccount, PointLot, Redemption, Reward
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


def test_award_is_one_update_and_two_inserts(funded, catalogue, station_manager, django_assert_num_queries):
    # SAVEPOINT, UPDATE account … RETURNING, INSERT entry, INSERT lot, RELEASE SAVEPOINT.
    with django_assert_num_queries(5):
        result = points_award(
            person=funded, rule=catalogue["study"], points=5, actor=station_manager, idempotency_key="k1"
        )
    assert result.created and result.entry.balance_after == 85
    assert PointAccount.objects.get(person=funded).balance == 85
    assert_consistent(funded)


def test_award_replayed_key_gives_the_first_entry(funded, catalogue, station_manager):
    first = points_award(person=funded, rule=catalogue["study"], points=5, actor=station_manager, idempotency_key="k")
    again = points_award(person=funded, rule=catalogue["study"], points=5, actor=station_manager, idempotency_key="k")
    assert not again.created and again.entry.pk == first.entry.pk
    assert PointAccount.objects.get(person=funded).balance == 85


def test_redemption_is_three_round_trips(funded, world, django_assert_num_queries):
    reward = Reward.objects.create(name="雨衣", cost=60, stock=2, territory=world.city)
    # 1. SAVEPOINT + (UPDATE account, UPDATE stock) in one statement; 2. (INSERT redemption, entry,
    # lot remainders, draws) in one statement + RELEASE; 3. INSERT its audit entry (redemptions are
    # audited). Three round trips.
    with django_assert_num_queries(3) as captured:
        redemption = points_redeem(person=funded, reward=reward, idempotency_key="r1")
    first, second, audit = (q["sql"] for q in captured.captured_queries)
    assert first.startswith("SAVEPOINT points_redeem_fast; WITH moved AS (UPDATE")
    assert second.startswith("WITH ids AS") and second.endswith("; RELEASE SAVEPOINT points_redeem_fast")
    assert audit.startswith('INSERT INTO "auditlog_logentry"')
    assert redemption.debit_entry.source == redemption
    redemption.refresh_from_db()
    assert redemption.debit_entry.delta == -60
    assert redemption.debit_entry.source_id == redemption.pk
    assert sorted(LotDraw.objects.filter(entry=redemption.debit_entry).values_list("amount", flat=True)) == [10, 50]
    assert list(PointLot.objects.order_by("id").values_list("remaining", flat=True)) == [0, 20]
    reward.refresh_from_db()
    assert reward.stock == 1
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


def test_lots_that_cannot_cover_the_balance_refuse_and_undo_everything(funded, world):
    from points.services import PointsError

    reward = Reward.objects.create(name="手电", cost=60, stock=3, territory=world.city)
    PointLot.objects.filter(remaining=50).update(remaining=0)  # the lots now hold 30 of the 80
    with pytest.raises(PointsError, match="不一致"):
        points_redeem(person=funded, reward=reward, idempotency_key="r5")
    assert PointAccount.objects.get(person=funded).balance == 80
    reward.refresh_from_db()
    assert reward.stock == 3
    assert not Redemption.objects.exists() and not LotDraw.objects.exists()
    # The transaction is still usable: the next request's work goes on.
    assert points_redeem(person=funded, reward=Reward.objects.create(name="扇", cost=20, stock=1, territory=world.city),
                         idempotency_key="r6").debit_entry.delta == -20  # fmt: skip
