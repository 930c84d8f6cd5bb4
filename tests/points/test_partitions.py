"""The ledger partitioned by month (PostgreSQL): where rows land, the maintenance routine, the
uniqueness the side tables keep, and the references that no longer have a database FK."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.partitions import add_months, bound, default_partition, ensure_partitions, month_start, partition_name
from points.models import LotDraw, PointEntry, PointLot, Redemption
from points.services import (
    points_award,
    points_expire_due,
    points_redeem,
    points_redemption_cancel,
    points_reverse,
)

TABLE = "points_pointentry"
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="declarative partitioning is PostgreSQL's")


def award(person, rule, actor, key, **kw):
    return points_award(person=person, rule=rule, actor=actor, idempotency_key=key, **kw)


def home_of(entry_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE id = %s", [entry_id])
        return cursor.fetchone()[0]


def explain(sql: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@postgres_only
def test_the_ledger_is_a_monthly_range_partitioned_table(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pt.partstrat, a.attname FROM pg_partitioned_table pt "
            "JOIN pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0] "
            "WHERE pt.partrelid = %s::regclass",
            [TABLE],
        )
        assert cursor.fetchall() == [("r", "created_at")]
        cursor.execute(
            "SELECT array_agg(a.attname ORDER BY a.attnum) FROM pg_index x "
            "JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = ANY(x.indkey) "
            "WHERE x.indrelid = %s::regclass AND x.indisprimary",
            [TABLE],
        )
        assert cursor.fetchone()[0] == ["id", "created_at"]
        cursor.execute(
            "SELECT relname FROM pg_class "
            "WHERE oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = %s::regclass)",
            [TABLE],
        )
        names = {row[0] for row in cursor.fetchall()}
    this_month = month_start(timezone.now())
    assert default_partition(TABLE) in names
    assert {partition_name(TABLE, add_months(this_month, n)) for n in range(4)} <= names


@postgres_only
def test_entries_land_in_their_month_and_a_far_future_one_in_the_default(catalogue, worker, station_manager):
    now = timezone.now()
    this_month = award(worker, catalogue["study"], station_manager, "now", at=now).entry
    far = award(worker, catalogue["study"], station_manager, "far", at=now + timedelta(days=3650)).entry
    assert home_of(this_month.pk) == partition_name(TABLE, month_start(now))
    assert home_of(far.pk) == default_partition(TABLE)
    # Read back through the parent as before, newest first across partitions.
    assert list(worker.point_account.entries.values_list("idempotency_key", flat=True)) == ["far", "now"]


@postgres_only
def test_a_month_boundary_is_local_midnight(catalogue, worker, station_manager):
    first = bound(add_months(month_start(timezone.now()), 1))  # 00:00 Asia/Shanghai = 16:00 UTC the day before
    before = award(worker, catalogue["study"], station_manager, "before", at=first - timedelta(seconds=1)).entry
    at = award(worker, catalogue["study"], station_manager, "at", at=first).entry
    assert home_of(before.pk) == partition_name(TABLE, month_start(timezone.now()))
    assert home_of(at.pk) == partition_name(TABLE, month_start(first))


@postgres_only
def test_ensure_partitions_is_idempotent_and_moves_a_new_months_rows_out_of_the_default(
    catalogue, worker, station_manager
):
    now = timezone.now()
    later = bound(add_months(month_start(now), 6)) + timedelta(days=2)
    entry = award(worker, catalogue["study"], station_manager, "later", at=later).entry
    assert home_of(entry.pk) == default_partition(TABLE)

    created = ensure_partitions(ahead=6)
    assert partition_name(TABLE, month_start(later)) in created
    assert partition_name(TABLE, add_months(month_start(now), 4)) in created
    assert home_of(entry.pk) == partition_name(TABLE, month_start(later))
    assert ensure_partitions(ahead=6) == []  # idempotent
    call_command("ensure_partitions", "--ahead", "6", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert ensure_partitions(ahead=6) == []

    # Moved, not copied: one line, its key still taken, the ledger still append-only there.
    assert PointEntry.objects.filter(idempotency_key="later").count() == 1
    assert award(worker, catalogue["study"], station_manager, "later", at=later).created is False
    with pytest.raises(IntegrityError, match="不可修改或删除"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {partition_name(TABLE, month_start(later))}")


@postgres_only
def test_the_default_partition_refuses_deletes_outside_the_move(catalogue, worker, station_manager):
    award(worker, catalogue["study"], station_manager, "far", at=timezone.now() + timedelta(days=3650))
    with pytest.raises(IntegrityError, match="不可修改或删除"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {default_partition(TABLE)}")


@postgres_only
def test_keys_and_reversals_stay_unique_across_months(catalogue, worker, station_manager, qinhuai_organizer):
    now = timezone.now()
    entry = award(worker, catalogue["study"], station_manager, "k", at=now).entry
    for at in (now + timedelta(days=40), now + timedelta(days=3650)):  # another month, the default
        with pytest.raises(IntegrityError), transaction.atomic():
            PointEntry.objects.create(
                account=entry.account, kind="award", delta=1, balance_after=4, idempotency_key="k",
                territory=entry.territory, created_at=at,
            )  # fmt: skip
    reversal = points_reverse(entry=entry, actor=qinhuai_organizer, reason="错发")
    with pytest.raises(IntegrityError), transaction.atomic():
        PointEntry.objects.create(
            account=entry.account, kind="reversal", delta=-3, balance_after=0, idempotency_key="other",
            reverses=entry, territory=entry.territory, created_at=now + timedelta(days=40),
        )  # fmt: skip
    assert PointEntry.objects.get(pk=entry.pk).reversed_by == reversal


@postgres_only
def test_truncating_the_ledger_frees_its_keys(catalogue, worker, station_manager):
    award(worker, catalogue["study"], station_manager, "k")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # as after a commit (flush, test teardown)
        cursor.execute(f"TRUNCATE {TABLE}, points_pointlot, points_lotdraw")
        cursor.execute("SELECT count(*) FROM points_pointentry_key")
        assert cursor.fetchone()[0] == 0


@postgres_only
def test_a_months_caps_read_only_that_months_partition(catalogue, worker, station_manager):
    month = month_start(timezone.now())
    sql = (
        f"SELECT SUM(delta) FROM {TABLE} WHERE account_id = %s AND rule_id = %s "
        "AND created_at >= %s AND created_at < %s"
    )
    plan = explain(sql, [1, 1, bound(month), bound(add_months(month, 1))])
    assert plan.count(f"{TABLE}_p") == 1 and partition_name(TABLE, month) in plan
    assert default_partition(TABLE) not in plan


def test_every_lot_draw_and_redemption_has_its_entry(catalogue, worker, station_manager, reward, qinhuai_organizer):
    """No database FK backs these references any more; the services write each one with its entry
    in one transaction and entries are never deleted, so none can dangle."""
    t0 = timezone.now() - timedelta(days=60)
    award(worker, catalogue["study"], station_manager, "s", at=t0)  # expires after 30 days
    for n in range(5):
        award(worker, catalogue["volunteer"], station_manager, f"v{n}", at=t0 + timedelta(days=n))
    wrong = award(worker, catalogue["study_long"], station_manager, "wrong").entry
    points_reverse(entry=wrong, actor=qinhuai_organizer, reason="错发")
    first = points_redeem(person=worker, reward=reward, idempotency_key="r1")
    points_redemption_cancel(redemption=first, actor=qinhuai_organizer, reason="缺货")
    assert points_expire_due() == 1

    entries = PointEntry.objects.values("id")
    assert PointLot.objects.count() == 7 and LotDraw.objects.count() >= 3
    assert not PointLot.objects.exclude(entry_id__in=entries).exists()
    assert not LotDraw.objects.exclude(entry_id__in=entries).exists()
    assert not PointEntry.objects.filter(reverses__isnull=False).exclude(reverses_id__in=entries).exists()
    assert not Redemption.objects.exclude(debit_entry_id__in=entries).exists()
    assert not Redemption.objects.filter(refund_entry__isnull=False).exclude(refund_entry_id__in=entries).exists()
    # and an entry cannot go away from under its lot
    lot = PointLot.objects.select_related("entry").first()
    with pytest.raises(Exception):  # noqa: B017 — ImmutableEntryError, or the trigger's IntegrityError
        PointEntry.objects.filter(pk=lot.entry_id).delete()
    assert PointEntry.objects.filter(pk=lot.entry_id).exists()
