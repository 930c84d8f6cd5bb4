"""Monthly RANGE partitions for append-only timelines (PostgreSQL declarative partitioning).

A partitioned table is a parent with one child table per calendar month (local time,
``TIME_ZONE``), named ``<table>_pYYYY_MM``, plus ``<table>_default``, which takes any row no month
partition covers (a far-future date, a month not created yet), so an INSERT never fails for want
of a partition. Queries that bound the partition key (a month's caps, a period's leaderboard)
read only the months they name; the others are pruned at plan time.

The migrations of the points ledger and of the grievance timeline converted the plain tables in
place with a frozen copy of the conversion (``core/migrations/_partitioning_v1.py``);
``ensure_partitions`` creates the coming months ahead of time and
is idempotent (the ``ensure_partitions`` command, and a daily beat entry). When it creates a
month whose rows already sit in the default partition, it moves them into the new partition in
the same transaction (PostgreSQL refuses to add a partition whose rows the default still holds).

PostgreSQL only: on SQLite (the embedded default) every function here does nothing.

Limits a partitioned table has, and how the two tables live with them: its primary key and its
unique indexes must contain the partition key, so ``id`` becomes ``PRIMARY KEY (id, key)`` (the
identity sequence still hands out each id once) and a unique index without the key becomes a plain
index — whatever must stay unique is enforced by the owning app (the ledger keeps its unique
idempotency keys in a side table). No foreign key can point at such a table's ``id`` alone, so
the models that reference it declare ``db_constraint=False``.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection as default_connection
from django.db import transaction
from django.utils import timezone

# Set (transaction-local) while ensure_partitions moves rows out of a default partition, so an
# append-only trigger can tell that move from a real DELETE (see points' ledger trigger).
MOVE_SETTING = "portal.partition_move"
_LOCK_KEY = "portal.partitions"


def month_start(value: date | datetime) -> date:
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return date(value.year, value.month, 1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def bound(month: date) -> datetime:
    """The first instant of ``month`` in local time (a partition's lower bound)."""
    return datetime(month.year, month.month, 1, tzinfo=ZoneInfo(settings.TIME_ZONE))


def partition_name(table: str, month: date) -> str:
    return f"{table}_p{month:%Y_%m}"


def default_partition(table: str) -> str:
    return f"{table}_default"


def months_ahead() -> int:
    return getattr(settings, "PARTITION_MONTHS_AHEAD", 3)


def _q(name: str) -> str:
    return default_connection.ops.quote_name(name)


def is_partitioned(cursor, table: str) -> bool:
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table pt JOIN pg_class c ON c.oid = pt.partrelid "
        "WHERE c.relname = %s AND c.relnamespace = current_schema()::regnamespace)",
        [table],
    )
    return cursor.fetchone()[0]


def partitioned_tables(cursor) -> list[tuple[str, str]]:
    """(table, key column) of every table partitioned by RANGE on one column in this schema."""
    cursor.execute(
        "SELECT c.relname, a.attname FROM pg_partitioned_table pt JOIN pg_class c ON c.oid = pt.partrelid "
        "JOIN pg_attribute a ON a.attrelid = pt.partrelid AND a.attnum = pt.partattrs[0] "
        "WHERE pt.partstrat = 'r' AND pt.partnatts = 1 AND c.relnamespace = current_schema()::regnamespace "
        "ORDER BY c.relname"
    )
    return list(cursor.fetchall())


def partitions_of(cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_class p ON p.oid = i.inhparent "
        "WHERE p.relname = %s AND p.relnamespace = current_schema()::regnamespace ORDER BY c.relname",
        [table],
    )
    return [row[0] for row in cursor.fetchall()]


def _create_month(cursor, table: str, key: str, month: date) -> None:
    """Create ``month``'s partition; rows of that month waiting in the default move into it."""
    name, default = partition_name(table, month), default_partition(table)
    lo, hi = bound(month), bound(add_months(month, 1))
    values = f"FOR VALUES FROM ('{lo.isoformat()}') TO ('{hi.isoformat()}')"
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {_q(default)} WHERE {_q(key)} >= %s AND {_q(key)} < %s)", [lo, hi])
    if not cursor.fetchone()[0]:
        cursor.execute(f"CREATE TABLE {_q(name)} PARTITION OF {_q(table)} {values}")
        return
    # Build the month beside the parent, fill it from the default, then attach it: PostgreSQL
    # checks on attach that the default no longer holds any row of the month.
    cursor.execute("SELECT set_config(%s, 'on', true)", [MOVE_SETTING])
    cursor.execute(f"CREATE TABLE {_q(name)} (LIKE {_q(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    cursor.execute(
        f"WITH moved AS (DELETE FROM {_q(default)} WHERE {_q(key)} >= %s AND {_q(key)} < %s RETURNING *) "
        f"INSERT INTO {_q(name)} SELECT * FROM moved",
        [lo, hi],
    )
    cursor.execute("SELECT set_config(%s, 'off', true)", [MOVE_SETTING])
    cursor.execute(f"ALTER TABLE {_q(table)} ATTACH PARTITION {_q(name)} {values}")


def _months_in_default(cursor, table: str, key: str, before: datetime) -> set[date]:
    cursor.execute(
        f"SELECT DISTINCT date_trunc('month', {_q(key)} AT TIME ZONE %s)::date FROM {_q(default_partition(table))} "
        f"WHERE {_q(key)} < %s",
        [settings.TIME_ZONE, before],
    )
    return {row[0] for row in cursor.fetchall()}


def ensure_partitions(
    *, ahead: int | None = None, since: date | datetime | None = None, now: datetime | None = None, using=None
) -> list[str]:
    """Create the month partitions every partitioned table lacks, from this month (or ``since``)
    to ``ahead`` months ahead, plus those of past months that have rows in the default; returns
    the names created (empty on a second run: idempotent). Far-future rows stay in the default."""
    connection = using or default_connection
    if connection.vendor != "postgresql":
        return []
    ahead = months_ahead() if ahead is None else ahead
    this_month = month_start(now or timezone.now())
    first = min(this_month, month_start(since)) if since is not None else this_month
    horizon = add_months(this_month, ahead + 1)
    wanted = set()
    month = first
    while month < horizon:
        wanted.add(month)
        month = add_months(month, 1)
    created = []
    with connection.cursor() as cursor:
        tables = partitioned_tables(cursor)
    for table, key in tables:
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"{_LOCK_KEY}:{table}"])
            existing = set(partitions_of(cursor, table))
            if default_partition(table) not in existing:
                continue  # not one of ours
            months = wanted | _months_in_default(cursor, table, key, bound(horizon))
            for month in sorted(months):
                if partition_name(table, month) not in existing:
                    _create_month(cursor, table, key, month)
                    created.append(partition_name(table, month))
    return created
