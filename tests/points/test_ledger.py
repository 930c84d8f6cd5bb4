"""Ledger invariants: sum of entries = cached balance = sum of lots, never negative, idempotent,
reversal-only corrections, caps, expiry soonest first."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from points.models import ImmutableEntryError, PointAccount, PointEntry, PointLot
from points.services import (
    CapReached,
    InsufficientPoints,
    PointsError,
    points_award,
    points_expire_due,
    points_redeem,
    points_redemption_cancel,
    points_reverse,
)


def assert_consistent(person):
    account = PointAccount.objects.get(person=person)
    entries = account.entries.aggregate(s=Sum("delta"))["s"] or 0
    lots = PointLot.objects.filter(account=account).aggregate(s=Sum("remaining"))["s"] or 0
    earned = account.entries.filter(kind__in=PointEntry.EARNING_KINDS).aggregate(s=Sum("delta"))["s"] or 0
    assert account.balance == entries == lots
    assert account.earned_total == earned
    assert account.balance >= 0
    return account.balance


def award(person, rule, actor, key, **kw):
    return points_award(person=person, rule=rule, actor=actor, idempotency_key=key, **kw)


@pytest.mark.smoke
def test_award_writes_entry_lot_and_balance(catalogue, worker, station_manager):
    result = award(worker, catalogue["volunteer"], station_manager, "t:1", note="清扫")
    assert result.created and result.entry.delta == 10 and result.entry.balance_after == 10
    assert result.entry.station_id == worker.home_station_link.station_id
    assert result.entry.territory_id == worker.territory_id
    assert assert_consistent(worker) == 10


@pytest.mark.smoke
def test_same_source_twice_pays_once(catalogue, worker, station_manager):
    first = award(worker, catalogue["volunteer"], station_manager, "photo-report:7:award", source=worker)
    second = award(worker, catalogue["volunteer"], station_manager, "photo-report:7:award", source=worker)
    assert second.created is False and second.entry.pk == first.entry.pk
    assert PointEntry.objects.count() == 1
    assert assert_consistent(worker) == 10
    assert first.entry.source == worker


def test_idempotency_key_is_unique_in_the_database(catalogue, worker, station_manager):
    entry = award(worker, catalogue["volunteer"], station_manager, "k").entry
    with pytest.raises(IntegrityError), transaction.atomic():
        PointEntry.objects.create(
            account=entry.account,
            kind="award",
            delta=1,
            balance_after=11,
            idempotency_key="k",
            territory=entry.territory,
        )


def test_entries_are_immutable(catalogue, worker, station_manager):
    entry = award(worker, catalogue["volunteer"], station_manager, "k").entry
    entry.delta = 1000
    with pytest.raises(ImmutableEntryError):
        entry.save()
    with pytest.raises(ImmutableEntryError):
        entry.delete()
    entry.refresh_from_db()
    assert entry.delta == 10


def test_the_database_itself_refuses_to_edit_or_delete_a_ledger_line(catalogue, worker, station_manager):
    # save()/delete() are not the only doors: a queryset update, a bulk delete or raw SQL reach
    # the table directly, and the trigger from points/migrations/0002 refuses them there.
    from django.db import DatabaseError, connection

    entry = award(worker, catalogue["volunteer"], station_manager, "k").entry
    with pytest.raises(DatabaseError, match="积分流水不可修改"), transaction.atomic():
        PointEntry.objects.filter(pk=entry.pk).update(delta=1000)
    with pytest.raises(DatabaseError, match="积分流水不可修改"), transaction.atomic():
        PointEntry.objects.filter(pk=entry.pk)._raw_delete(PointEntry.objects.db)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE points_pointentry SET note = 'x' WHERE id = %s", [entry.pk])
    entry.refresh_from_db()
    assert (entry.delta, entry.note) == (10, entry.note)


def test_balance_check_constraint_holds_in_the_database(catalogue, worker, station_manager):
    award(worker, catalogue["volunteer"], station_manager, "k")
    with pytest.raises(IntegrityError), transaction.atomic():
        PointAccount.objects.filter(person=worker).update(balance=-1)


def test_reversal_is_a_new_entry_and_only_once(catalogue, worker, station_manager, qinhuai_organizer):
    entry = award(worker, catalogue["volunteer"], station_manager, "k").entry
    reversal = points_reverse(entry=entry, actor=qinhuai_organizer, reason="重复登记")
    again = points_reverse(entry=entry, actor=qinhuai_organizer, reason="再点一次")
    assert reversal.pk == again.pk and reversal.delta == -10 and reversal.reverses_id == entry.pk
    entry.refresh_from_db()
    assert entry.delta == 10  # untouched
    assert assert_consistent(worker) == 0
    with pytest.raises(PointsError, match="只有“授予”流水可以冲正"):
        points_reverse(entry=reversal, actor=qinhuai_organizer, reason="x")


def test_reversal_refused_when_points_already_spent(catalogue, worker, station_manager, qinhuai_organizer, reward):
    reward.cost = 10
    reward.save()
    entry = award(worker, catalogue["volunteer"], station_manager, "k").entry
    points_redeem(person=worker, reward=reward, idempotency_key="r1")
    with pytest.raises(InsufficientPoints, match="已被使用"):
        points_reverse(entry=entry, actor=qinhuai_organizer, reason="错发")
    assert assert_consistent(worker) == 0


def test_daily_and_monthly_caps(catalogue, worker, station_manager):
    rule = catalogue["volunteer"]  # 10 points, 30/day, 100/month
    day = timezone.make_aware(timezone.datetime(2026, 3, 2, 10, 0))
    for i in range(3):
        award(worker, rule, station_manager, f"d{i}", at=day)
    with pytest.raises(CapReached, match="每人每日上限 30 分，当日已得 30 分"):
        award(worker, rule, station_manager, "d3", at=day)
    # the next day has room again; the month stops at 100
    for d in range(1, 4):
        for i in range(3):
            if PointEntry.objects.filter(account__person=worker).aggregate(s=Sum("delta"))["s"] >= 100:
                break
            award(worker, rule, station_manager, f"m{d}{i}", at=day + timedelta(days=d))
    assert assert_consistent(worker) == 100
    with pytest.raises(CapReached, match="每人每月上限 100 分"):
        award(worker, rule, station_manager, "over", at=day + timedelta(days=5))
    # a new month starts afresh
    assert award(worker, rule, station_manager, "april", at=day + timedelta(days=31)).created


def test_reversal_gives_cap_room_back(catalogue, worker, station_manager, qinhuai_organizer):
    rule = catalogue["volunteer"]
    entries = [award(worker, rule, station_manager, f"d{i}").entry for i in range(3)]
    points_reverse(entry=entries[0], actor=qinhuai_organizer, reason="误记")
    assert award(worker, rule, station_manager, "after").created


def test_automatic_awards_truncate_to_cap(catalogue, worker, station_manager):
    rule = catalogue["volunteer"]
    award(worker, rule, station_manager, "a", points=25)
    result = award(worker, rule, station_manager, "b", points=10, truncate_to_cap=True)
    assert result.entry.delta == 5 and "减为 5 分" in result.entry.note
    nothing = award(worker, rule, station_manager, "c", points=10, truncate_to_cap=True)
    assert nothing.entry is None and "已达上限" in nothing.note
    assert assert_consistent(worker) == 30


def test_award_roles_and_local_items(
    catalogue, worker, xuanwu_worker, station_manager, qinhuai_organizer, xinjiekou_cadre
):
    with pytest.raises(PointsError, match="您的岗位不能授予"):
        award(worker, catalogue["district_only"], station_manager, "x")
    assert award(worker, catalogue["district_only"], qinhuai_organizer, "y").created
    # a Qinhuai item does not apply to a Xuanwu worker, whoever awards it
    with pytest.raises(PointsError, match="只适用于秦淮区"):
        award(xuanwu_worker, catalogue["district_only"], xinjiekou_cadre, "z", check_award_roles=False)


def test_debits_take_soonest_expiring_first_and_expiry_writes_entries(catalogue, worker, station_manager, reward):
    t0 = timezone.now() - timedelta(days=40)
    award(worker, catalogue["study_long"], station_manager, "long", at=t0)  # 5, expires t0+90
    award(worker, catalogue["volunteer"], station_manager, "forever", at=t0)  # 10, never expires
    award(worker, catalogue["study"], station_manager, "short", at=t0)  # 3, expires t0+30 (past)
    award(worker, catalogue["study"], station_manager, "short2", at=t0 + timedelta(days=5))  # 3, t0+35 (past)
    reward.cost = 4
    reward.save()
    points_redeem(person=worker, reward=reward, idempotency_key="r", at=t0 + timedelta(days=6))
    lots = {lot.entry.idempotency_key: lot.remaining for lot in PointLot.objects.select_related("entry")}
    assert lots == {"short": 0, "short2": 2, "long": 5, "forever": 10}
    assert points_expire_due() == 1
    assert points_expire_due() == 0  # idempotent
    expiry = PointEntry.objects.get(kind="expiry")
    assert expiry.delta == -2
    assert assert_consistent(worker) == 15


def test_refund_restores_the_same_lots(catalogue, worker, station_manager, reward, qinhuai_organizer):
    award(worker, catalogue["study"], station_manager, "s")
    award(worker, catalogue["volunteer"], station_manager, "v")
    reward.cost = 13
    reward.save()
    redemption = points_redeem(person=worker, reward=reward, idempotency_key="r")
    assert assert_consistent(worker) == 0
    points_redemption_cancel(redemption=redemption, actor=qinhuai_organizer, reason="缺货")
    assert sorted(PointLot.objects.values_list("remaining", flat=True)) == [3, 10]
    assert assert_consistent(worker) == 13
    assert PointEntry.objects.filter(kind="refund").get().delta == 13
