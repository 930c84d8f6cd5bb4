"""分解 (decompose): new and changed rows become verification tasks for the responsible street."""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from surveys.models import ImportBatch, RowStatus, StagedRow, VerificationTask


def decompose(batch: ImportBatch) -> None:
    """分解: each new or changed row becomes a verification task for the responsible street.

    One INSERT … SELECT: the tasks never pass through Python. A row that has its task already
    keeps it (ON CONFLICT on the one-task-per-row key), which costs one index probe per row where
    an anti-join against the task table could be planned as a scan of it per row."""
    task_table = VerificationTask._meta.db_table
    row_table = StagedRow._meta.db_table
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(task_table)} ({q('batch_id')}, {q('row_id')}, {q('territory_id')}, {q('status')}, "
            f"{q('note')}, {q('created_at')}) "
            f"SELECT r.{q('batch_id')}, r.{q('id')}, r.{q('territory_id_hint')}, %s, '', %s FROM {q(row_table)} r "
            f"WHERE r.{q('batch_id')} = %s AND r.{q('status')} IN (%s, %s) AND r.{q('territory_id_hint')} IS NOT NULL "
            f"ON CONFLICT ({q('row_id')}) DO NOTHING",
            [
                VerificationTask.Status.PENDING,
                connection.ops.adapt_datetimefield_value(timezone.now()),
                batch.pk,
                RowStatus.NEW,
                RowStatus.CHANGED,
            ],
        )
