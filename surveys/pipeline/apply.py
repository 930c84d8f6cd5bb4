"""Apply: write the eligible staged rows into the portal's records, with their lineage.

The service ``surveys.services.batch_apply`` is the door (lock, status, counts); this module
does the writing of one chunk of rows."""

from __future__ import annotations

import json
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone

from surveys.models import ImportBatch, Lineage, StagedRow, VerificationTask
from surveys.pipeline import from_staging
from surveys.pipeline.bulk import blank_values, copy_rows, insert_new
from surveys.pipeline.keys import key_in
from surveys.specs import KindSpec, jsonable

APPLY_CHUNK = 1000


class RowData(NamedTuple):
    pk: int
    row_number: int
    key: str
    target_id: int | None  # the record the row was compared with; None: compared as new
    values: dict | None = None  # None: not read yet (rows created from staging never need it)


def recorded_since_compare(spec: KindSpec, rows) -> set[str]:
    """Keys of the staged ``rows`` compared as new whose record exists now: created since the
    comparison, by another batch or by hand. Apply updates those rather than duplicating them.

    One semi-join for the whole batch, so that a chunk of rows compared as new needs no lookup of
    its own: those lookups ran while apply grew the table, on statistics of the table before it,
    and were planned as scans of the whole table (2 of the 8 seconds of a 100k-row apply)."""
    new_keys = rows.filter(target_id__isnull=True).exclude(key="").values("key")
    return set(
        spec.model._default_manager.filter(**{f"{spec.key_attr}__in": new_keys}).values_list(spec.key_attr, flat=True)
    )


def _auto_now_fields(model) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if getattr(f, "auto_now", False)]


def apply_rows(
    spec: KindSpec, batch: ImportBatch, rows: list[RowData], present: set[str], appeared: set[str]
) -> tuple[int, int]:
    """Write one chunk. ``appeared``: keys of rows compared as new that have a record by now
    (``recorded_since_compare``); only those and the rows compared with a record are looked up.
    Where the spec allows it, the rest are created in the database from their staged values
    (``from_staging``); the others are read and written here."""
    model = spec.model
    content_type = ContentType.objects.get_for_model(model)
    pks = [r.pk for r in rows]
    straight_created = 0
    if from_staging.usable(spec):
        straight = [r.pk for r in rows if r.target_id is None and r.key not in appeared]
        straight_created = from_staging.create(spec, batch, content_type.pk, straight)
        rows = [r for r in rows if r.target_id is not None or r.key in appeared]
    unread = [r.pk for r in rows if r.values is None]
    if unread:
        read = dict(StagedRow.objects.filter(pk__in=unread).values_list("pk", "values"))
        rows = [r if r.values is not None else RowData(*r[:4], read[r.pk]) for r in rows]
    attrs = spec.compared_attrs(present)
    links = [a for a in attrs if a in spec.links]
    keys = [r.key for r in rows if r.target_id is not None or r.key in appeared]
    existing = {getattr(o, spec.key_attr): o for o in key_in(model._default_manager.all(), spec.key_attr, keys)}
    linked = (
        {
            v[spec.key_attr]: v
            for v in key_in(model._default_manager.all(), spec.key_attr, existing).values(spec.key_attr, *links)
        }
        if links and existing
        else {}
    )
    link_writes: dict[str, list[tuple[int, object]]] = {a: [] for a in links}
    to_create: list[tuple[RowData, dict]] = []
    to_update: list[tuple[RowData, object, list[str]]] = []
    # A blank cell arrives as None; the column may be NOT NULL. A new record takes what it would
    # have had without the column (the default, "" for text), an existing one keeps what it has:
    # a blank cell means "not surveyed".
    blanks = blank_values(model, spec.defaults)
    for row in rows:
        obj = existing.get(row.key)
        if obj is None:
            data = {k: v for k, v in {**spec.defaults, **row.values}.items() if k not in spec.links}
            data.update({a: blank for a, blank in blanks.items() if a in data and data[a] is None})
            to_create.append((row, data))
        else:
            changed = [
                a
                for a in attrs
                if a in row.values
                and row.values[a] is not None  # a blank cell never erases
                and jsonable(linked[row.key][a] if a in spec.links else getattr(obj, a)) != row.values[a]
            ]
            if changed:
                for attr in changed:
                    if attr in spec.links:
                        link_writes[attr].append((obj.pk, row.values[attr]))
                    else:
                        setattr(obj, attr, row.values[attr])
                to_update.append((row, obj, changed))

    created: list[tuple[RowData, int]] = []
    # What each update writes to the record itself (the rest goes to the linked models below).
    own = {row.pk: [a for a in changed if a not in spec.links] for row, _, changed in to_update}
    if spec.bulk:
        ids = insert_new(model, [data for _, data in to_create])
        created = [(row, pk) for (row, _), pk in zip(to_create, ids, strict=True)]
        if to_update:
            fields = sorted(
                {a.removesuffix("_id") if a.endswith("_id") else a for row, _, _ in to_update for a in own[row.pk]}
            )
            now = timezone.now()
            stamps = _auto_now_fields(model)
            for _, obj, _ in to_update:
                for stamp in stamps:
                    setattr(obj, stamp, now)
            model._default_manager.bulk_update(
                [obj for _, obj, _ in to_update], [*fields, *stamps], batch_size=APPLY_CHUNK
            )
    else:
        for row, data in to_create:
            if spec.create is not None:
                obj = spec.create(spec, data)
            else:
                obj = model(**data)
                obj.save()
            created.append((row, obj.pk))
        for row, obj, _ in to_update:
            obj.save(
                update_fields=[
                    *{a.removesuffix("_id") if a.endswith("_id") else a for a in own[row.pk]},
                    *_auto_now_fields(model),
                ]
            )
    for row, pk in created:
        for attr in links:
            if attr in row.values:
                link_writes[attr].append((pk, row.values[attr]))
    for attr, pairs in link_writes.items():
        if pairs:
            spec.links[attr](pairs)

    lineage = [(pk, row.row_number, Lineage.Action.CREATED, sorted(row.values)) for row, pk in created] + [
        (obj.pk, row.row_number, Lineage.Action.UPDATED, changed) for row, obj, changed in to_update
    ]
    write_lineage(batch, content_type, lineage)
    if connection.vendor == "postgresql":
        close_written_tasks(pks, mark=True)
    else:
        mark_applied(pks)
        close_written_tasks(pks)
    return straight_created + len(created), len(to_update)


def close_written_tasks(pks: list[int], *, mark: bool = False) -> None:
    """The street's task for a row written without its decision leaves the inbox: there is nothing
    left to verify. A district's task to place a district-level record stays open — the record is
    written, but where in the district it belongs is still for the district to say.

    With ``mark`` (PostgreSQL) the rows are also marked applied, in the same statement."""
    from organizations.models import Territory

    if connection.vendor == "postgresql":
        # The chunk's rows as one array parameter, probed in the one-task-per-row index (a join
        # with the array was planned as a scan of every task of the table, once per chunk); a task
        # of a district or the city stays open.
        q = connection.ops.quote_name
        marked = (
            f"WITH written AS (UPDATE {q(StagedRow._meta.db_table)} SET {q('applied')} = true "
            f"WHERE {q('id')} = ANY(%s)) "
            if mark
            else ""
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"{marked}UPDATE {q(VerificationTask._meta.db_table)} t SET {q('status')} = %s, {q('decided_at')} = %s "
                f"WHERE t.{q('row_id')} = ANY(%s) AND t.{q('status')} = %s AND NOT EXISTS ("
                f"SELECT 1 FROM {q(Territory._meta.db_table)} p WHERE p.{q('id')} = t.{q('territory_id')} "
                f"AND p.{q('level')} IN (%s, %s))",
                [
                    *([pks] if mark else []),
                    VerificationTask.Status.WRITTEN,
                    timezone.now(),
                    pks,
                    VerificationTask.Status.PENDING,
                    Territory.Level.CITY,
                    Territory.Level.DISTRICT,
                ],
            )
        return
    (
        VerificationTask.objects.filter(row_id__in=pks, status=VerificationTask.Status.PENDING)
        .exclude(territory__level__in=[Territory.Level.CITY, Territory.Level.DISTRICT])
        .update(status=VerificationTask.Status.WRITTEN, decided_at=timezone.now())
    )


def mark_applied(pks: list[int]) -> None:
    if connection.vendor == "postgresql":
        # One array parameter instead of a thousand placeholders for the driver to splice in.
        table = connection.ops.quote_name(StagedRow._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET applied = true WHERE id = ANY(%s)", [pks])
        return
    StagedRow.objects.filter(pk__in=pks).update(applied=True)


def write_lineage(batch: ImportBatch, content_type, entries: list[tuple[int, int, str, list[str]]]) -> None:
    """(object id, Excel row, action, fields) per record; COPY on PostgreSQL."""
    if not entries:
        return
    if connection.vendor == "postgresql":
        now = timezone.now()
        copy_rows(
            Lineage,
            ("content_type_id", "object_id", "batch_id", "row_number", "file_hash", "action", "fields", "created_at"),
            (
                (content_type.pk, pk, batch.pk, row_number, batch.file_hash, action, json.dumps(fields), now)
                for pk, row_number, action, fields in entries
            ),
        )
        return
    Lineage.objects.bulk_create(
        [
            Lineage(
                content_type=content_type,
                object_id=pk,
                batch=batch,
                row_number=row_number,
                file_hash=batch.file_hash,
                action=action,
                fields=fields,
            )
            for pk, row_number, action, fields in entries
        ],
        batch_size=APPLY_CHUNK,
    )
