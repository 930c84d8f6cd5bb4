"""A frozen copy of the table conversion the partitioning migrations run (points 0005,
grievances 0007), taken from ``core.partitions`` on 2026-12-01.

A migration replays the past, so it may not call live code that later changes
(tests/architecture/test_floors.py): never edit this module. A later migration that converts
tables differently gets a module of its own (``_partitioning_v2``). The upkeep of partitions
(``ensure_partitions``) stays in ``core.partitions``, which may change freely. The leading
underscore keeps Django's migration loader from taking this module for a migration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection as default_connection
from django.utils import timezone

# The transaction-local setting under which rows may leave a default partition (see
# core.partitions.MOVE_SETTING and the ledger's append-only trigger).
MOVE_SETTING = "portal.partition_move"


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


@dataclass
class _Definitions:
    primary_key: str = ""
    indexes: list[tuple[str, str, bool]] = field(default_factory=list)  # name, CREATE …, unique
    foreign_keys: list[tuple[str, str]] = field(default_factory=list)  # name, definition
    triggers: list[str] = field(default_factory=list)


def _definitions(cursor, table: str) -> _Definitions:
    found = _Definitions()
    cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'", [_q(table)])
    row = cursor.fetchone()
    found.primary_key = row[0] if row else f"{table}_pkey"
    cursor.execute(
        "SELECT i.relname, pg_get_indexdef(x.indexrelid), x.indisunique FROM pg_index x "
        "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
        "ORDER BY i.relname",
        [_q(table)],
    )
    found.indexes = list(cursor.fetchall())
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname",
        [_q(table)],
    )
    found.foreign_keys = list(cursor.fetchall())
    cursor.execute(
        "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal "
        "ORDER BY tgname",
        [_q(table)],
    )
    found.triggers = [row[0] for row in cursor.fetchall()]
    return found


def _next_id(cursor, table: str, pk: str) -> int:
    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
    sequence = cursor.fetchone()[0]
    cursor.execute(f"SELECT COALESCE(MAX({_q(pk)}), 0) FROM {_q(table)}")
    top = cursor.fetchone()[0]
    if sequence is None:
        return top + 1
    cursor.execute(f"SELECT last_value, is_called FROM {sequence}")
    last, called = cursor.fetchone()
    return max(top, last if called else last - 1) + 1


def partition_table(schema_editor, table: str, key: str, *, pk: str = "id", now: datetime | None = None) -> list[str]:
    """Turn ``table`` into a parent partitioned by month on ``key``, keeping its rows, its id
    sequence (the next id stays the next id), its checks, indexes, outgoing foreign keys and
    triggers. Months from the oldest row to ``PARTITION_MONTHS_AHEAD`` ahead get a partition,
    plus the default. Returns the names of the unique indexes that became plain ones (their
    uniqueness is now the caller's to enforce). Runs in the migration's transaction."""
    if schema_editor.connection.vendor != "postgresql":
        return []
    demoted = []
    with schema_editor.connection.cursor() as cursor:
        if is_partitioned(cursor, table):
            return []
        found = _definitions(cursor, table)
        next_id = _next_id(cursor, table, pk)
        cursor.execute(f"SELECT MIN({_q(key)}) FROM {_q(table)}")
        oldest = cursor.fetchone()[0]
        old = f"{table}_unpartitioned"
        cursor.execute(f"ALTER TABLE {_q(table)} RENAME TO {_q(old)}")
        cursor.execute(f"ALTER TABLE {_q(old)} ALTER COLUMN {_q(pk)} DROP IDENTITY IF EXISTS")
        cursor.execute(
            f"CREATE TABLE {_q(table)} (LIKE {_q(old)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
            f"INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE ({_q(key)})"
        )
        cursor.execute(
            f"ALTER TABLE {_q(table)} ALTER COLUMN {_q(pk)} ADD GENERATED BY DEFAULT AS IDENTITY (START WITH {next_id})"
        )
        this_month = month_start(now or timezone.now())
        month = min(this_month, month_start(oldest)) if oldest is not None else this_month
        while month <= add_months(this_month, months_ahead()):
            lo, hi = bound(month), bound(add_months(month, 1))
            cursor.execute(
                f"CREATE TABLE {_q(partition_name(table, month))} PARTITION OF {_q(table)} "
                f"FOR VALUES FROM ('{lo.isoformat()}') TO ('{hi.isoformat()}')"
            )
            month = add_months(month, 1)
        cursor.execute(f"CREATE TABLE {_q(default_partition(table))} PARTITION OF {_q(table)} DEFAULT")
        cursor.execute(f"INSERT INTO {_q(table)} SELECT * FROM {_q(old)}")
        cursor.execute(f"DROP TABLE {_q(old)}")
        primary_key = f"PRIMARY KEY ({_q(pk)}, {_q(key)})"
        cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(found.primary_key)} {primary_key}")
        for name, definition, unique in found.indexes:
            columns = definition[definition.index("(") :]
            if unique and _q(key) not in columns and key not in columns:
                definition = definition.replace("CREATE UNIQUE INDEX", "CREATE INDEX", 1)
                demoted.append(name)
            cursor.execute(definition)
        for name, definition in found.foreign_keys:
            cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {definition}")
        for definition in found.triggers:
            cursor.execute(definition)
        cursor.execute(f"ANALYZE {_q(table)}")
    return demoted


def unpartition_table(
    schema_editor, table: str, key: str, *, pk: str = "id", unique_columns: tuple[str, ...] = ()
) -> None:
    """The way back (the migration's reverse): one plain table again, ``PRIMARY KEY (pk)``, the
    plain indexes on exactly one of ``unique_columns`` unique again."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        if not is_partitioned(cursor, table):
            return
        found = _definitions(cursor, table)
        next_id = _next_id(cursor, table, pk)
        old = f"{table}_partitioned"
        cursor.execute(f"ALTER TABLE {_q(table)} RENAME TO {_q(old)}")
        cursor.execute(f"ALTER TABLE {_q(old)} ALTER COLUMN {_q(pk)} DROP IDENTITY IF EXISTS")
        cursor.execute(
            f"CREATE TABLE {_q(table)} (LIKE {_q(old)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
            f"INCLUDING STORAGE INCLUDING COMMENTS)"
        )
        cursor.execute(
            f"ALTER TABLE {_q(table)} ALTER COLUMN {_q(pk)} ADD GENERATED BY DEFAULT AS IDENTITY (START WITH {next_id})"
        )
        cursor.execute(f"INSERT INTO {_q(table)} SELECT * FROM {_q(old)}")
        cursor.execute(f"DROP TABLE {_q(old)}")
        cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(found.primary_key)} PRIMARY KEY ({_q(pk)})")
        for _name, definition, _unique in found.indexes:
            columns = definition[definition.index("(") :]
            if any(columns in (f"({column})", f"({_q(column)})") for column in unique_columns):
                definition = definition.replace("CREATE INDEX", "CREATE UNIQUE INDEX", 1)
            cursor.execute(definition.replace(" ON ONLY ", " ON ", 1))
        for name, definition in found.foreign_keys:
            cursor.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {definition}")
        for definition in found.triggers:
            cursor.execute(definition)
