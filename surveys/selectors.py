"""Reads of the survey pipeline that carry rules: what a row looks like to the viewer (ID
numbers and phones masked), task tallies."""

from __future__ import annotations

from django.db.models import Count

from core.masking import mask_id_number, mask_phone
from surveys.models import ImportBatch, RowStatus, StagedRow, VerificationTask
from surveys.specs import SPECS

# Sensitive columns per kind → the masking function. The uploader gets the full values in the
# error report (it is their own file, to be fixed); pages and inboxes show them masked.
MASKS = {"members": {"id_number": mask_id_number, "phone": mask_phone}}


def _masker(kind: str, name: str):
    return MASKS.get(kind, {}).get(name)


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
