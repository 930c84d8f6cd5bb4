"""Records created straight from their staged rows, in the database (PostgreSQL).

A row compared as new whose key still has no record needs no decision in Python: its values are
in the staged row's ``values`` (JSON, parsed and checked on import). One statement per chunk
draws the ids in row order, inserts the records from those values (each column cast from JSON
text to its type, the spec's defaults and the model's where a value is absent), and writes their
lineage. Nothing of the row goes through Python, which is most of what apply cost per row.

Only for specs written in bulk anyway (no ``save()``, no signals: ``KindSpec.bulk``), without
linked models, whose fields are all of types a text cast reproduces exactly; anything else takes
``apply_rows``' path. ``tests/surveys/test_from_staging.py`` holds the two paths to the same
records, column for column."""

from __future__ import annotations

from functools import cache

from django.db import connection
from django.db.models import NOT_PROVIDED
from django.utils import timezone

from surveys.models import ImportBatch, Lineage, StagedRow
from surveys.pipeline.bulk import blank_values
from surveys.specs import SPECS, KindSpec

# Column types whose value is the JSON text cast to the column's type: what COPY does with the
# same text on the other path. Text columns take the text as is (no cast to varchar(n): a cast
# would cut a value too long, where the column refuses it).
_TEXT = {"CharField", "TextField", "EmailField", "SlugField", "URLField"}
_CAST = {
    "BigIntegerField",
    "BooleanField",
    "DateField",
    "DateTimeField",
    "ForeignKey",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
}


def usable(spec: KindSpec) -> bool:
    return connection.vendor == "postgresql" and _statement(spec.kind) is not None


_STAMP = object()  # a parameter filled with the time of each call


@cache
def _statement(kind: str) -> tuple[str, list] | None:
    """(SQL, parameters in order with ``_STAMP`` for the time) for ``kind``, built once per
    process; None when a field of the model is of a kind this path does not reproduce."""
    spec = SPECS[kind]
    if not spec.bulk or spec.links or spec.create is not None:
        return None
    model = spec.model
    meta = model._meta
    q = connection.ops.quote_name
    blanks = blank_values(model, spec.defaults)
    columns, expressions, params = [q(meta.pk.column)], ["s.new_id"], []
    for f in meta.concrete_fields:
        if f.primary_key:
            continue
        kind_of = f.get_internal_type()
        if kind_of not in _TEXT | _CAST or f.db_default is not NOT_PROVIDED:
            return None
        columns.append(q(f.column))
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            expressions.append("%s")
            params.append(_STAMP)
            continue
        if f.has_default() and callable(f.default) and f.attname not in spec.defaults:
            return None  # a value per row (uuid4, dict): Python's to draw
        db_type = f.db_type(connection)
        # As apply_rows builds a new record: the row's value, the blank value of a NOT NULL
        # column for a blank cell, the spec's default or else the field's for an absent column.
        value = f"s.v ->> '{f.attname}'" if kind_of in _TEXT else f"(s.v ->> '{f.attname}')::{db_type}"
        if f.attname in blanks:
            value = f"COALESCE({value}, %s::{db_type})"
            params.append(f.get_db_prep_save(blanks[f.attname], connection))
        absent = spec.defaults[f.attname] if f.attname in spec.defaults else f.get_default()
        expressions.append(f"CASE WHEN s.v ? '{f.attname}' THEN {value} ELSE %s::{db_type} END")
        params.append(f.get_db_prep_save(absent, connection))
    rows, lineage = q(StagedRow._meta.db_table), q(Lineage._meta.db_table)
    sql = (
        # Ids drawn over the rows already in row order, as the other path draws them.
        f"WITH s AS (SELECT o.row_number, o.v, nextval(pg_get_serial_sequence(%s, %s)) AS new_id "
        f"FROM (SELECT r.{q('row_number')}, r.{q('values')} AS v FROM {rows} r "
        f"WHERE r.{q('id')} = ANY(%s) ORDER BY r.{q('row_number')}) o), "
        f"created AS (INSERT INTO {q(meta.db_table)} ({', '.join(columns)}) "
        f"SELECT {', '.join(expressions)} FROM s ORDER BY s.new_id) "
        f"INSERT INTO {lineage} ({q('content_type_id')}, {q('object_id')}, {q('batch_id')}, {q('row_number')}, "
        f"{q('file_hash')}, {q('action')}, {q('fields')}, {q('created_at')}) "
        # The fields a lineage entry lists are the row's values' names, sorted as Python sorts.
        f"SELECT %s, s.new_id, %s, s.row_number, %s, %s, "
        f"COALESCE((SELECT jsonb_agg(k ORDER BY k COLLATE \"C\") FROM jsonb_object_keys(s.v) k), '[]'::jsonb), %s "
        f"FROM s"
    )
    return sql, params


def create(spec: KindSpec, batch: ImportBatch, content_type_id: int, row_ids: list[int]) -> int:
    """Create the records of the staged rows ``row_ids`` (compared as new, no record since) with
    their lineage; returns how many were created."""
    if not row_ids:
        return 0
    sql, params = _statement(spec.kind)
    meta = spec.model._meta
    now = timezone.now()
    now_value = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                meta.db_table,
                meta.pk.column,
                row_ids,
                *(now_value if p is _STAMP else p for p in params),
                content_type_id,
                batch.pk,
                batch.file_hash,
                Lineage.Action.CREATED,
                now_value,
            ],
        )
        return cursor.rowcount
