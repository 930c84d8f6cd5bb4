"""Bulk writers shared by the steps: staging rows (COPY on PostgreSQL), creating records from plain
dicts (apply), refreshing planner statistics."""

from __future__ import annotations

import json
from dataclasses import fields as fields_of

from django.db import connection, connections
from django.db.models import NOT_PROVIDED
from django.utils import timezone

from surveys.models import StagedRow
from surveys.pipeline.compare import Staged

_STAGE_COLUMNS = (
    "batch_id",
    "row_number",
    "key",
    "status",
    "has_warning",
    "raw",
    "values",
    "diff",
    "issues",
    "target_id",
    "territory_id_hint",
    "first_row",
    "applied",
)


# One encoder for every row: ``json.dumps(…, ensure_ascii=False)`` builds a new encoder per call.
_encode = json.JSONEncoder(ensure_ascii=False).encode


def to_json(value) -> str:
    """JSON text of a staged row's column (non-ASCII kept as is, as ``json.dumps`` with
    ``ensure_ascii=False`` writes it); the empty containers most rows carry need no encoder."""
    if not value:
        if value == {}:
            return "{}"
        if value == []:
            return "[]"
    return _encode(value)


def copy_rows(model, columns: tuple[str, ...], tuples) -> None:
    """COPY plain tuples into ``model``'s table (PostgreSQL). JSON columns must be passed as text."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    # psycopg's own cursor: its errors become Django's (a refused key is an IntegrityError).
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for values in tuples:
            copy.write_row(values)


# Field types whose Python values psycopg adapts as they are (COPY casts text to the column type).
_AS_IS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "DecimalField",
    "EmailField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
    "URLField",
}


def blank_values(model, defaults: dict) -> dict[str, object]:
    """attname → what a new record stores for a blank cell of a NOT NULL column: the spec's
    default, else the field's (not a per-row callable one), else "" for text. Columns with none
    of these are left out: a blank there is an error the comparison reports before apply."""
    blanks: dict[str, object] = {}
    for f in model._meta.concrete_fields:
        if f.null or f.primary_key:
            continue
        if f.attname in defaults:
            blanks[f.attname] = defaults[f.attname]
        elif f.has_default() and not callable(f.default):
            blanks[f.attname] = f.default
        elif f.get_internal_type() in ("CharField", "TextField"):
            blanks[f.attname] = ""
    return blanks


def insert_new(model, rows: list[dict]) -> list[int]:
    """Create ``model`` records from dicts of attribute values; returns their ids in order.

    On PostgreSQL one COPY, the ids drawn from the table's own sequence first: no model instance
    per row, no multi-row INSERT for Django to build and the server to parse. Elsewhere
    ``bulk_create``. Either way, like ``bulk_create``: no ``save()`` and no signals."""
    if not rows:
        return []
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    if connection.vendor != "postgresql" or any(f.db_default is not NOT_PROVIDED for f in fields):
        objs = [model(**data) for data in rows]
        model._default_manager.bulk_create(objs, batch_size=500)
        return [obj.pk for obj in objs]
    db = connections[model._default_manager.db]
    known = {f.attname for f in fields}
    now = timezone.now()
    stamped = {f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)}
    # A callable default (uuid4, dict) gives each row its own value; the others are prepared once.
    per_row = {f.attname for f in fields if f.has_default() and callable(f.default) and f.attname not in stamped}
    defaults = {
        f.attname: f.get_db_prep_save(now if f.attname in stamped else f.get_default(), db)
        for f in fields
        if f.attname not in per_row
    }
    as_is = {f.attname for f in fields if f.get_internal_type() in _AS_IS}
    by_attname = {f.attname: f for f in fields}
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]

    def values(pk: int, data: dict) -> list:
        unknown = data.keys() - known
        if unknown:
            raise TypeError(f"{meta.object_name} has no field {', '.join(sorted(unknown))}")
        out = [pk]
        for attname in by_attname:
            if attname in stamped or attname not in data:
                field = by_attname[attname]
                out.append(field.get_db_prep_save(field.get_default(), db) if attname in per_row else defaults[attname])
            elif attname in as_is:
                out.append(data[attname])
            else:
                out.append(by_attname[attname].get_db_prep_save(data[attname], db))
        return out

    columns = (meta.pk.column, *(f.column for f in fields))
    copy_rows(model, columns, (values(pk, data) for pk, data in zip(ids, rows, strict=True)))
    return ids


def stage(rows: list[Staged]) -> None:
    """Write staged rows: COPY on PostgreSQL (several times faster than INSERT for wide JSON
    rows), bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(StagedRow._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(c) for c in _STAGE_COLUMNS)
        with (
            connection.cursor() as cursor,
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(
                    (
                        row.batch_id,
                        row.row_number,
                        row.key,
                        row.status,
                        row.has_warning,
                        to_json(row.raw),
                        to_json(row.values),
                        to_json(row.diff),
                        to_json(row.issues),
                        row.target_id,
                        row.territory_id_hint,
                        row.first_row,
                        row.applied,
                    )
                )
    else:
        fields = [f.name for f in fields_of(Staged)]
        StagedRow.objects.bulk_create(
            [StagedRow(**{name: getattr(row, name) for name in fields}) for row in rows], batch_size=500
        )


def analyze(model, columns: tuple[str, ...] = ()) -> None:
    """Refresh the planner's statistics of a table that a batch has just filled (PostgreSQL).

    Without it the plans of the next statements rest on the table as it was before the file,
    typically empty, and a join planned for a handful of rows runs over a whole file."""
    if connection.vendor == "postgresql":
        q = connection.ops.quote_name
        # Only the columns statements filter and join on, when named: statistics of the wide JSON
        # columns (a staged row's cells, values and issues) cost most of the sample and plan nothing.
        named = f" ({', '.join(q(c) for c in columns)})" if columns else ""
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {q(model._meta.db_table)}{named}")
