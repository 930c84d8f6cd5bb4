"""筛核 over the whole batch: in-file duplicates, the counts by status, and the records the
portal holds that a full list lacks. (Row-level screening happens in ``compare``.)"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, Subquery

from surveys.models import ImportBatch, RowStatus, StagedRow
from surveys.pipeline.read import CHUNK_ROWS
from surveys.specs import SPECS


def flag_duplicates(batch: ImportBatch) -> None:
    """In-file duplicates by natural key, in SQL: each later row is flagged against the first.

    Only the duplicates are written (an index probe per row finds them): rewriting every staged
    row would double the table for a column that stays empty in almost all of them."""
    first = StagedRow.objects.filter(batch=batch, key=OuterRef("key")).order_by("row_number").values("row_number")[:1]
    earlier = StagedRow.objects.filter(batch=batch, key=OuterRef("key"), row_number__lt=OuterRef("row_number"))
    StagedRow.objects.filter(batch=batch).exclude(key="").filter(Exists(earlier)).update(first_row=Subquery(first))
    duplicates = StagedRow.objects.filter(batch=batch, first_row__isnull=False).order_by("row_number")
    label = SPECS[batch.kind].field(SPECS[batch.kind].key).label
    key_column = next((c for c in batch.columns if c["field"] == SPECS[batch.kind].key), {})
    pending: list[StagedRow] = []
    for row in duplicates.only("pk", "row_number", "first_row", "issues", "status").iterator(chunk_size=CHUNK_ROWS):
        row.status = RowStatus.DUPLICATE
        row.issues = [
            *row.issues,
            {
                "field": SPECS[batch.kind].key,
                "column": key_column.get("title", label),
                "letter": key_column.get("letter", ""),
                "message": f"与第{row.first_row}行的{label}重复",
                "severity": "duplicate",
            },
        ]
        pending.append(row)
        if len(pending) >= CHUNK_ROWS:
            StagedRow.objects.bulk_update(pending, ["status", "issues"])
            pending = []
    if pending:
        StagedRow.objects.bulk_update(pending, ["status", "issues"])


def count_rows(batch: ImportBatch) -> dict:
    # One pass over the batch's rows: per status, its rows, those with a warning and those flagged.
    by_status = {
        status: (n, warned, flagged)
        for status, n, warned, flagged in StagedRow.objects.filter(batch=batch)
        .values_list("status")
        .annotate(
            n=Count("pk"),
            warned=Count("pk", filter=Q(has_warning=True)),
            flagged=Count("pk", filter=Q(has_warning=True) | Q(status__in=[RowStatus.ERROR, RowStatus.DUPLICATE])),
        )
        .values_list("status", "n", "warned", "flagged")
    }
    counts = {status: by_status.get(status, (0,))[0] for status in RowStatus.values}
    counts["rows"] = sum(n for n, _, _ in by_status.values())
    counts["warnings"] = sum(warned for status, (_, warned, _) in by_status.items() if status != RowStatus.ERROR)
    counts["flagged"] = sum(flagged for _, _, flagged in by_status.values())
    counts["missing"] = missing_from_source(batch).count() if batch.full_list else 0
    counts.setdefault("created", 0)
    counts.setdefault("updated", 0)
    counts.update({k: v for k, v in (batch.counts or {}).items() if k in ("created", "updated", "unmapped")})
    return counts


def missing_from_source(batch: ImportBatch):
    """Records the portal holds in the batch's territory whose key the (full) file lacks."""
    spec = SPECS[batch.kind]
    return (
        spec.model._default_manager.filter(**{f"{spec.territory_path}__path__startswith": batch.territory.path})
        .exclude(**{f"{spec.key_attr}__isnull": True})
        .exclude(**{f"{spec.key_attr}__in": StagedRow.objects.filter(batch=batch).values("key")})
        .order_by(spec.key_attr)
    )
