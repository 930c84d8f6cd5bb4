"""Reads of the survey pipeline that carry rules: what a row looks like to the viewer (ID
numbers and phones masked), task tallies."""

from __future__ import annotations

from django.db.models import Count

from core.masking import mask_id_number, mask_phone
from members.selectors import can_view_full_identity
from surveys.models import ImportBatch, RowStatus, StagedRow, VerificationTask
from surveys.specs import SPECS

# Sensitive columns per kind → the masking function. The uploader gets the full values in the
# error report (it is their own file, to be fixed); pages and inboxes show them masked.
MASKS = {"members": {"id_number": mask_id_number, "phone": mask_phone}}


def _masker(kind: str, name: str):
    return MASKS.get(kind, {}).get(name)


def report_masks(batch: ImportBatch, user) -> dict:
    """Column index → masking function for the error report: none for the uploader (their own
    file) or a viewer with the full-identity right; every sensitive column for anyone else who
    may open the batch (another officer of the same body, say)."""
    if user is None or user.pk == batch.created_by_id or can_view_full_identity(user):
        return {}
    masks = {}
    for column in batch.columns:
        if mask := _masker(batch.kind, column["field"]):
            masks[column["index"]] = mask
    return masks


def row_view(batch: ImportBatch, row: StagedRow) -> dict:
    spec = SPECS[batch.kind]
    key_mask = _masker(batch.kind, spec.key)
    cells = []
    for column in sorted(batch.columns, key=lambda c: c["index"]):
        value = row.raw[column["index"]] if column["index"] < len(row.raw) else ""
        mask = _masker(batch.kind, column["field"])
        cells.append({"title": column["title"], "value": mask(value) if mask and value else value})
    diff = []
    for attr, change in (row.diff or {}).items():
        mask = _masker(batch.kind, attr)
        before, after = change["before"], change["after"]
        if mask:
            before, after = mask(before), mask(after)
        diff.append({"label": change["label"], "before": before, "after": after})
    name_value = row.values.get("name", "")
    if not name_value:
        # A changed row keeps only what differs from the record: a name as on record is not
        # among its values, yet the street needs it to know which unit (or person) the row is.
        column = next((c for c in batch.columns if c["field"] == "name"), None)
        if column is not None and column["index"] < len(row.raw):
            name_value = row.raw[column["index"]]
    return {
        "pk": row.pk,
        "row_number": row.row_number,
        "key": key_mask(row.key) if key_mask else row.key,
        "name": name_value,
        "status": row.status,
        "status_display": RowStatus(row.status).label,
        "has_warning": row.has_warning,
        "applied": row.applied,
        "diff": diff,
        "issues": row.issues,
        "cells": cells,
        "first_row": row.first_row,
        "task": getattr(row, "task", None) if _has_task(row) else None,
    }


def _has_task(row: StagedRow) -> bool:
    try:
        row.task  # noqa: B018 - the reverse one-to-one raises when absent
    except VerificationTask.DoesNotExist:
        return False
    return True


def task_counts(batch: ImportBatch) -> dict[str, int]:
    counts = dict(batch.tasks.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {status: counts.get(status, 0) for status in VerificationTask.Status.values}


def unmapped_values(batch: ImportBatch) -> list[dict]:
    """The words of the batch's choice columns the portal did not know, most frequent first, each
    with its column, the suggested value and the choices to map it to."""
    spec = SPECS[batch.kind]
    letters = {c["field"]: c for c in batch.columns if c["field"]}
    items = []
    for name, words in ((batch.counts or {}).get("unmapped") or {}).items():
        spec_field = spec.field(name)
        if spec_field is None or spec_field.choice is None:
            continue
        choices = list(spec_field.choice.choices().items())
        for text, info in words.items():
            column = letters.get(name, {})
            items.append(
                {
                    "field": name,
                    "label": spec_field.label,
                    "column": column.get("title", spec_field.label),
                    "letter": column.get("letter", ""),
                    "value": text,
                    "rows": info.get("rows", 0),
                    "suggest": info.get("suggest", ""),
                    "choices": choices,
                }
            )
    return sorted(items, key=lambda item: (-item["rows"], item["field"], item["value"]))


def lineage_for(obj) -> list[dict]:
    """Which batch created or changed which fields of ``obj``, newest first (来源记录)."""
    from django.contrib.contenttypes.models import ContentType

    from surveys.models import Lineage

    spec = next((s for s in SPECS.values() if s.model is type(obj)), None)
    labels = {}
    if spec is not None:
        labels = {f.model_attr: f.label for f in spec.fields if f.model_attr}
        labels["territory_id"] = "属地"
    entries = (
        Lineage.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
        .select_related("batch")
        .order_by("-created_at", "-id")[:50]
    )
    return [
        {
            "entry": entry,
            "fields": "、".join(labels.get(f, f) for f in entry.fields),
        }
        for entry in entries
    ]
