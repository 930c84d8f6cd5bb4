"""The grievance timeline partitioned by month (PostgreSQL): where lines land, and a case's
timeline read back whole and in order across months."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.partitions import add_months, default_partition, ensure_partitions, month_start, partition_name
from grievances.models import GrievanceEvent

TABLE = "grievances_grievanceevent"
pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="declarative partitioning is PostgreSQL's")


def home_of(event_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tableoid::regclass::text FROM {TABLE} WHERE id = %s", [event_id])
        return cursor.fetchone()[0]


def test_the_timeline_is_partitioned_by_month_of_at(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pt.partstrat, a.attname FROM pg_partitioned_table pt "
            "JOIN pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0] "
            "WHERE pt.partrelid = %s::regclass",
            [TABLE],
        )
        assert cursor.fetchall() == [("r", "at")]


def test_lines_land_in_their_month_and_the_timeline_reads_back_in_order(submit):
    grievance = submit()
    events = list(grievance.events.all())
    assert events and all(home_of(e.pk) == partition_name(TABLE, month_start(e.at)) for e in events)
    # A line far ahead (a clock gone wrong, an imported plan) goes to the default, never fails.
    far = GrievanceEvent.objects.create(
        grievance=grievance, kind="note", actor_label="系统", at=timezone.now() + timedelta(days=3650), note="远期"
    )
    nextmonth = GrievanceEvent.objects.create(
        grievance=grievance, kind="note", actor_label="系统", at=timezone.now() + timedelta(days=35), note="下月"
    )
    assert home_of(far.pk) == default_partition(TABLE)
    assert home_of(nextmonth.pk) == partition_name(TABLE, month_start(nextmonth.at))
    assert [e.pk for e in grievance.events.all()] == [*(e.pk for e in events), nextmonth.pk, far.pk]


def test_ensure_partitions_moves_a_case_line_out_of_the_default(submit):
    grievance = submit()
    later = timezone.now() + timedelta(days=200)
    line = GrievanceEvent.objects.create(grievance=grievance, kind="note", actor_label="系统", at=later)
    assert home_of(line.pk) == default_partition(TABLE)
    created = ensure_partitions(ahead=8)
    assert partition_name(TABLE, month_start(later)) in created
    assert partition_name(TABLE, add_months(month_start(timezone.now()), 8)) in created
    assert home_of(line.pk) == partition_name(TABLE, month_start(later))
    assert ensure_partitions(ahead=8) == []
    assert grievance.events.filter(pk=line.pk).count() == 1
