"""Fast loading: COPY on PostgreSQL, batched bulk_create elsewhere (the `small` profile in tests).

Rows are dicts keyed by field ``attname``; fields a row leaves out take the model's default, so
the generator keeps working as models gain fields with defaults.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from django.db import connection, models
from django.utils import timezone

from core.db import analyze  # noqa: F401  (re-exported for the loaders)

BATCH = 5_000


def next_id(model: type[models.Model]) -> int:
    last = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def _fields(model: type[models.Model]) -> list[models.Field]:
    return list(model._meta.concrete_fields)


def _value(field: models.Field, row: dict, now):
    if field.attname in row:
        return row[field.attname]
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if field.primary_key:
        raise ValueError(f"{field.model.__name__}: rows must carry explicit ids for COPY")
    if isinstance(field, models.CharField | models.TextField):
        return ""
    raise ValueError(f"{field.model.__name__}.{field.name} has no value and no default")


def _batches(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, size)):
        yield batch


def bulk_load(model: type[models.Model], rows: Iterable[dict]) -> int:
    """Insert ``rows`` (each with an explicit ``id``); returns how many went in."""
    fields = _fields(model)
    now = timezone.now()
    count = 0
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([f.get_db_prep_save(_value(f, row, now), connection) for f in fields])
                count += 1
        reset_sequence(model)
        return count
    for batch in _batches(rows, BATCH):
        objs = [model(**{f.attname: _value(f, row, now) for f in fields}) for row in batch]
        model._default_manager.bulk_create(objs, batch_size=1000)
        count += len(objs)
    return count


def reset_sequence(model: type[models.Model]) -> None:
    if connection.vendor != "postgresql":
        return
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE(MAX({pk}), 1)) FROM {table}",
            [table, pk],
        )
