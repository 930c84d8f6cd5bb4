"""Writes of the survey pipeline: create and run a batch, decide verification tasks, apply."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import DataError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core.audit import acting_as
from organizations.models import Body, Territory
from organizations.scope import scope_for
from surveys import pipeline
from surveys.models import ImportBatch, RowStatus, StagedRow, VerificationTask
from surveys.pipeline.apply import APPLY_CHUNK, RowData, apply_rows, recorded_since_compare
from surveys.readers import UnreadableFile, file_sha256
from surveys.refusals import refusal_message
from surveys.specs import SPECS

logger = logging.getLogger(__name__)

VERIFIED = (VerificationTask.Status.CONFIRMED, VerificationTask.Status.CORRECTED)


class ApplyMode:
    VERIFIED = "verified"  # rows whose street confirmed or corrected them
    CLEAN = "clean"  # additionally every row without any issue (non-interactive runs)


# --- where a user's batch may write -----------------------------------------------------------


def batch_place_for(user) -> tuple[Territory, Body | None]:
    """The territory a user's upload may write into, and the body it comes from.

    Municipal officers and member units (departments) write city-wide; a district organizer
    writes into their district. Street cadres verify, they do not import.
    """
    scope = scope_for(user)
    city = Territory.objects.get_root_nodes().first()
    if scope.everything:
        return city, None
    if scope.body_ids:
        return city, Body.objects.filter(pk__in=scope.body_ids).order_by("pk").first()
    if scope.territory_paths:
        path = sorted(scope.territory_paths, key=len)[0]
        return Territory.objects.get(path=path), None
    if scope.organization_paths:
        return city, None
    raise ValidationError("您没有可导入数据的岗位")


def batch_place_within(user, territory: Territory | None) -> Territory:
    """The territory a batch of ``user`` writes into: theirs, or a part of it they name. A place
    outside their scope is refused, whatever the command line says."""
    own, _ = batch_place_for(user)
    if territory is None:
        return own
    if not territory.path.startswith(own.path):
        raise ValidationError(f"{territory.name}不在您的辖区（{own.name}）内，不能导入到该辖区")
    return territory


# --- creating and running batches -------------------------------------------------------------


def batch_create(
    *,
    kind: str,
    path: Path,
    file_name: str,
    user=None,
    source: str = "",
    full_list: bool = False,
    territory: Territory | None = None,
    keep_file: bool = True,
) -> ImportBatch:
    if kind not in SPECS:
        raise ValidationError(f"未知的导入类别：{kind}")
    body = None
    if user is not None:
        territory = batch_place_within(user, territory)
        body = batch_place_for(user)[1]
    elif territory is None:
        territory = Territory.objects.get_root_nodes().first()
    batch = ImportBatch(
        kind=kind,
        source=source,
        source_body=body,
        territory=territory,
        full_list=full_list,
        file_name=file_name[:255],
        file_hash=file_sha256(path),
        created_by=user,
    )
    if keep_file:
        with open(path, "rb") as fh:
            batch.file.save(Path(file_name).name, File(fh), save=False)
    batch.save()
    return batch


def lease_expired_before() -> datetime:
    return timezone.now() - timedelta(seconds=settings.SURVEY_LEASE_SECONDS)


def batches_expire_stale() -> int:
    """Mark running batches whose lease ran out as failed (their process died: a timeout, an
    out-of-memory kill, a restart) and drop their staged rows, so the same file can be imported
    again. Returns how many were expired."""
    cutoff = lease_expired_before()
    stale = list(
        ImportBatch.objects.filter(status=ImportBatch.Status.RUNNING).filter(
            Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
        )
    )
    for batch in stale:
        minutes = settings.SURVEY_LEASE_SECONDS // 60
        _fail(batch, f"读取比对过程中断（超过{minutes}分钟没有进展），可重新导入同一文件从头处理")
    return len(stale)


def batch_process(*, batch_id: int) -> ImportBatch | None:
    """Run the pipeline for a pending batch. Claimed atomically: a second call does nothing."""
    claimed = ImportBatch.objects.filter(pk=batch_id, status=ImportBatch.Status.PENDING).update(
        status=ImportBatch.Status.RUNNING, progress=1, heartbeat_at=timezone.now()
    )
    if not claimed:
        return None
    batch = ImportBatch.objects.select_related("territory").get(pk=batch_id)
    return _run(batch, batch.file.path)


def _run(batch: ImportBatch, path) -> ImportBatch:
    try:
        return pipeline.run(batch, path)
    except UnreadableFile as exc:
        _fail(batch, str(exc))
        raise
    except Exception:
        logger.exception("survey batch %s failed", batch.pk)
        _fail(batch, "处理过程中出现系统错误，请联系管理员（已记录日志）")
        raise


def _fail(batch: ImportBatch, message: str) -> None:
    # Staged rows of a failed run are removed: a batch is either reviewable or failed, never half.
    with transaction.atomic():
        StagedRow.objects.filter(batch=batch).delete()
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportBatch.Status.FAILED, message=message, progress=0, finished_at=timezone.now()
        )
    batch.status, batch.message = ImportBatch.Status.FAILED, message


def previous_batch(*, kind: str, file_hash: str, territory: Territory) -> ImportBatch | None:
    """An earlier, successfully read batch of the very same file (same SHA-256)."""
    return (
        ImportBatch.objects.filter(kind=kind, file_hash=file_hash, territory=territory)
        .exclude(status=ImportBatch.Status.FAILED)
        .order_by("-pk")
        .first()
    )


@dataclass
class ImportOutcome:
    batch: ImportBatch | None
    dry_run: bool
    applied: bool = False
    created: int = 0
    updated: int = 0
    message: str = ""
    same_as: ImportBatch | None = None
    counts: dict = field(default_factory=dict)


class _DryRun(Exception):
    pass


def import_file(
    *,
    kind: str,
    path: Path,
    user=None,
    source: str = "",
    full_list: bool = False,
    dry_run: bool = False,
    apply: str | None = None,
    territory: Territory | None = None,
) -> tuple[ImportOutcome, dict]:
    """The command's whole run. Returns the outcome and the report dict (see ``report``).

    A dry run does everything inside a transaction that is rolled back, and stores no file:
    the database is exactly as before. The same file imported again is not staged twice:
    the earlier batch is reported (and applied, if asked), and nothing changes.
    """
    if kind not in SPECS:
        raise ValidationError(f"未知的导入类别：{kind}")
    file_hash = file_sha256(path)
    place = territory or (batch_place_for(user)[0] if user else Territory.objects.get_root_nodes().first())
    if user is not None and territory is not None:
        # --territory narrows a user's batch, never widens it: a street officer cannot name
        # another district and have its units created there.
        own = batch_place_for(user)[0]
        if not territory.path.startswith(own.path):
            who = user.get_username()
            raise ValidationError(f"辖区{territory.code}不在用户{who}的管辖范围（{own.name}）内，未导入")
    batches_expire_stale()
    earlier = previous_batch(kind=kind, file_hash=file_hash, territory=place)
    if earlier is not None and earlier.is_running and not dry_run:
        raise ValidationError(
            f"该文件正由批次#{earlier.pk}处理中（{earlier.created_at:%Y-%m-%d %H:%M} 开始，进度{earlier.progress}%），"
            "请等待其完成后再试"
        )
    if earlier is not None and earlier.status != ImportBatch.Status.FAILED and not dry_run:
        if apply and earlier.status == ImportBatch.Status.APPLYING:
            raise ValidationError(f"该文件的批次#{earlier.pk}正在写入中，请稍后再试（完成后重复导入不会带来任何变化）")
        outcome = ImportOutcome(batch=earlier, dry_run=False, same_as=earlier)
        if apply and earlier.status in (ImportBatch.Status.REVIEW, ImportBatch.Status.PARTIAL):
            outcome.created, outcome.updated = batch_apply(batch=earlier, actor=user, mode=apply)
            outcome.applied = True
        earlier.refresh_from_db()
        outcome.message = (
            f"该文件与批次#{earlier.pk}（{earlier.created_at:%Y-%m-%d %H:%M}）完全相同（SHA-256一致），"
            f"未重复导入；本次新增{outcome.created}条、更新{outcome.updated}条"
        )
        return outcome, report(outcome)

    if dry_run:
        result: dict = {}
        try:
            with transaction.atomic():
                batch = batch_create(
                    kind=kind,
                    path=path,
                    file_name=Path(path).name,
                    user=user,
                    source=source,
                    full_list=full_list,
                    territory=place,
                    keep_file=False,
                )
                batch.status = ImportBatch.Status.RUNNING
                batch.save(update_fields=["status"])
                pipeline.run(batch, path, progress=False)
                outcome = ImportOutcome(batch=batch, dry_run=True, message="试运行：未写入任何数据")
                result["report"] = report(outcome)
                raise _DryRun
        except _DryRun:
            pass
        return outcome, result["report"]

    batch = batch_create(
        kind=kind, path=path, file_name=Path(path).name, user=user, source=source, full_list=full_list, territory=place
    )
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING, heartbeat_at=timezone.now())
    batch.status = ImportBatch.Status.RUNNING
    _run(batch, path)
    outcome = ImportOutcome(batch=batch, dry_run=False)
    if apply:
        outcome.created, outcome.updated = batch_apply(batch=batch, actor=user, mode=apply)
        batch.refresh_from_db()  # the report shows the batch as apply left it, not as "review"
        outcome.applied = True
        outcome.message = f"已应用：新增{outcome.created}条、更新{outcome.updated}条"
    else:
        outcome.message = "已完成比对和筛查，等待街道核实后应用"
    return outcome, report(outcome)


def report(outcome: ImportOutcome) -> dict:
    """The one JSON object of ``import_survey --format json``."""
    batch = outcome.batch
    counts = pipeline.count_rows(batch) if batch and batch.pk else {}
    created = outcome.created if outcome.applied else counts.get(RowStatus.NEW, 0)
    updated = outcome.updated if outcome.applied else counts.get(RowStatus.CHANGED, 0)
    if outcome.same_as is not None:
        created, updated = outcome.created, outcome.updated
    errors, duplicates, warnings = [], [], []
    if batch and batch.pk:
        flagged = (
            StagedRow.objects.filter(batch=batch)
            .filter(Q(status__in=[RowStatus.ERROR, RowStatus.DUPLICATE]) | Q(has_warning=True))
            .order_by("row_number")
            .values_list("row_number", "issues", "first_row")
        )
        for row_number, issues, first_row in flagged.iterator(chunk_size=2000):
            for issue in issues:
                item = {"row": row_number, "column": issue.get("column", ""), "message": issue["message"]}
                if issue["severity"] == "error":
                    errors.append(item)
                elif issue["severity"] == "warning":
                    warnings.append(item)
            if first_row:
                duplicates.append({"row": row_number, "first_row": first_row})
    return {
        "batch": batch.pk if batch else None,
        "rows": counts.get("rows", 0),
        "created": created,
        "updated": updated,
        "unchanged": counts.get(RowStatus.UNCHANGED, 0),
        "flagged": counts.get("flagged", 0),
        "errors": errors,
        "duplicates": duplicates,
        "warnings": warnings,
        "missing": counts.get("missing", 0),
        "dry_run": outcome.dry_run,
        "applied": outcome.applied,
        "status": batch.status if batch else "",
        "message": outcome.message,
    }


# --- verification tasks (分解 → 铁脚板) --------------------------------------------------------


@transaction.atomic
def task_decide(*, task: VerificationTask, actor, decision: str, note: str = "") -> VerificationTask:
    """Confirm or reject a row after the on-site check."""
    if decision not in (VerificationTask.Status.CONFIRMED, VerificationTask.Status.REJECTED):
        raise ValidationError("无效的核实结果")
    task = VerificationTask.objects.select_for_update().select_related("row", "batch").get(pk=task.pk)
    # A district's placing task stays open after its district-level record is written: the
    # district confirms once it has placed it. Nothing written can be rejected any more.
    if task.row.applied and not (task.status == VerificationTask.Status.PENDING and decision == "confirmed"):
        raise ValidationError("该行已写入平台，不能再更改核实结果")
    if decision == VerificationTask.Status.REJECTED and not note.strip():
        raise ValidationError({"note": "不予采纳时请写明原因"})
    task.status = decision
    task.note = note.strip()
    task.decided_by = actor
    task.decided_at = timezone.now()
    task.save(update_fields=["status", "note", "decided_by", "decided_at"])
    return task


@transaction.atomic
def tasks_decide(*, tasks, actor, decision: str, note: str = "") -> int:
    """Confirm or reject several pending tasks at once (the street's list): all or none.

    ``tasks`` is a queryset the caller has already narrowed to what the actor may see; tasks
    decided meanwhile (by a colleague, or by this very form sent twice) are left as they are.
    Returns how many were decided."""
    if decision == VerificationTask.Status.REJECTED and not note.strip():
        raise ValidationError({"note": "不予采纳时请写明原因"})
    pending = tasks.filter(status=VerificationTask.Status.PENDING).order_by("pk")
    decided = 0
    for task in pending.select_for_update(of=("self",)):
        task_decide(task=task, actor=actor, decision=decision, note=note)
        decided += 1
    return decided


@transaction.atomic
def task_correct(*, task: VerificationTask, actor, changes: dict[str, str], note: str = "") -> VerificationTask:
    """Correct a row's cells after the on-site check; the row is screened again exactly as on import.

    ``changes`` maps field names to the text the street typed. Raises ValidationError naming the
    field when the corrected row still has a blocking error.
    """
    task = VerificationTask.objects.select_for_update().select_related("row", "batch__territory").get(pk=task.pk)
    row, batch = task.row, task.batch
    if row.applied:
        raise ValidationError("该行已写入平台，请到对应记录中修改")
    spec = SPECS[batch.kind]
    header = _header_of(batch)
    cells = list(row.raw)
    columns = {name: col for col, name in header.columns.items()}
    for name, text in changes.items():
        if name not in columns:
            raise ValidationError({name: "文件中没有这一列，不能更正"})
        col = columns[name]
        cells.extend([""] * (col + 1 - len(cells)))
        cells[col] = text
    ctx = pipeline.Context(spec=spec, batch=batch, header=header, letters=_letter_of(batch))
    (fresh,) = pipeline.process_chunk(ctx, [(row.row_number, cells)])
    blocking = [i for i in fresh.issues if i["severity"] == "error"]
    if blocking:
        raise ValidationError({i["field"]: i["message"] for i in blocking})
    duplicate = (
        StagedRow.objects.filter(batch=batch, key=fresh.key)
        .exclude(pk=row.pk)
        .exclude(status__in=[RowStatus.ERROR])
        .order_by("row_number")
        .first()
    )
    if duplicate is not None and fresh.key != row.key:
        raise ValidationError({spec.key: f"与第{duplicate.row_number}行重复"})
    for attr in ("key", "status", "has_warning", "raw", "values", "diff", "issues", "target_id"):
        setattr(row, attr, getattr(fresh, attr))
    if row.status == RowStatus.UNCHANGED:
        row.status = RowStatus.CHANGED if row.target_id else RowStatus.NEW
    row.save(update_fields=["key", "status", "has_warning", "raw", "values", "diff", "issues", "target_id"])
    task.status = VerificationTask.Status.CORRECTED
    task.note = note.strip()
    task.decided_by = actor
    task.decided_at = timezone.now()
    task.save(update_fields=["status", "note", "decided_by", "decided_at"])
    return task


def _header_of(batch: ImportBatch):
    from surveys.readers import Header

    columns, titles = {}, {}
    for item in batch.columns:
        col = item["index"]
        titles[col] = item["title"]
        if item["field"]:
            columns[col] = item["field"]
    return Header(row_number=batch.header_row or 1, columns=columns, titles=titles, unknown=[])


def _letter_of(batch: ImportBatch):
    from surveys.readers import column_index, column_letter

    first = batch.columns[0] if batch.columns else {"letter": "A", "index": 0}
    offset = column_index(first["letter"]) - first["index"]
    return lambda col: column_letter(col + offset)


# --- apply ------------------------------------------------------------------------------------


def eligible_rows(batch: ImportBatch, mode: str):
    rows = StagedRow.objects.filter(batch=batch, applied=False, status__in=[RowStatus.NEW, RowStatus.CHANGED])
    verified = Q(task__status__in=VERIFIED)
    if mode == ApplyMode.CLEAN:
        clean = Q(has_warning=False) & (Q(task__isnull=True) | ~Q(task__status=VerificationTask.Status.REJECTED))
        return rows.filter(verified | clean)
    return rows.filter(verified)


def batch_apply(*, batch: ImportBatch, actor, mode: str = ApplyMode.VERIFIED, claimed: bool = False) -> tuple[int, int]:
    """Write the eligible rows of ``batch`` in ONE transaction: all of them or none.

    ``claimed``: the batch is 写入中, claimed for this write by ``apply_queue.batch_apply_request``
    (the batch page hands apply to the worker); otherwise it must be 待核实 or 部分已应用.

    Rows are re-compared with what the portal holds at this moment, so a record changed since
    the comparison is updated field by field, and a record created meanwhile is updated rather
    than duplicated. Returns (created, updated).

    A record with one of the batch's keys written by someone else while the batch is written
    (a unit typed in by hand, another batch applied at the same moment) makes the database refuse
    the duplicate: nothing of the batch is written, and the message says to apply again, which
    then updates that record."""
    try:
        with acting_as(actor):  # the trail names the officer, also when the worker writes
            return _apply(batch, actor, mode, claimed)
    except (IntegrityError, DataError) as exc:
        raise ValidationError(refusal_message(exc)) from exc


def _apply(batch: ImportBatch, actor, mode: str, claimed: bool) -> tuple[int, int]:
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().select_related("territory").get(pk=batch.pk)
        allowed = (ImportBatch.Status.APPLYING,) if claimed else (ImportBatch.Status.REVIEW, ImportBatch.Status.PARTIAL)
        if batch.status not in allowed:
            raise ValidationError(f"批次状态为“{batch.get_status_display()}”，不能应用")
        spec = SPECS[batch.kind]
        present = {c["field"] for c in batch.columns if c["field"]}
        created = updated = 0
        eligible = eligible_rows(batch, mode)
        appeared = recorded_since_compare(spec, eligible)
        # Rows created from staging are never read here; for other kinds the values come along.
        columns = ("pk", "row_number", "key", "target_id", *(() if pipeline.from_staging.usable(spec) else ("values",)))
        rows = eligible.order_by("row_number").values_list(*columns)
        chunk: list[RowData] = []
        for row in rows.iterator(chunk_size=APPLY_CHUNK):
            chunk.append(RowData(*row))
            if len(chunk) >= APPLY_CHUNK:
                c, u = apply_rows(spec, batch, chunk, present, appeared)
                created, updated = created + c, updated + u
                chunk = []
        if chunk:
            c, u = apply_rows(spec, batch, chunk, present, appeared)
            created, updated = created + c, updated + u
        remaining = (
            StagedRow.objects.filter(batch=batch, applied=False, status__in=[RowStatus.NEW, RowStatus.CHANGED])
            .exclude(task__status=VerificationTask.Status.REJECTED)
            .exists()
        )
        counts = dict(batch.counts or {})
        counts["created"] = counts.get("created", 0) + created
        counts["updated"] = counts.get("updated", 0) + updated
        batch.counts = {**pipeline.count_rows(batch), "created": counts["created"], "updated": counts["updated"]}
        batch.status = ImportBatch.Status.PARTIAL if remaining else ImportBatch.Status.APPLIED
        batch.applied_at = timezone.now()
        batch.applied_by = actor if getattr(actor, "pk", None) else None
        batch.message = ""  # the reason an earlier apply was refused, if any: this one went through
        batch.save(update_fields=["counts", "status", "applied_at", "applied_by", "message"])
    return created, updated


# --- learned mappings (取值对应) -----------------------------------------------------------------


@transaction.atomic
def value_mapping_save(*, batch: ImportBatch, field: str, value: str, target: str, actor) -> int:
    """Map a word of ``batch``'s source in a choice column to a portal value, for this and every
    later batch from that source; the rows of this batch carrying the word are screened again.
    Returns how many rows were screened again."""
    from core.text import clean_text
    from surveys.mappings import source_key
    from surveys.models import ValueMapping

    spec = SPECS[batch.kind]
    spec_field = spec.field(field)
    if spec_field is None or spec_field.choice is None:
        raise ValidationError("该列不是选项列，无需设置对应")
    choices = spec_field.choice.choices()
    if target not in choices:
        raise ValidationError({"target": f"请选择{spec_field.label}的一个取值"})
    value = clean_text(value)[:100]
    if not value:
        raise ValidationError({"value": "文件中的写法不能为空"})
    ValueMapping.objects.update_or_create(
        kind=batch.kind,
        source=source_key(batch),
        field=field,
        value=value,
        defaults={
            "target": target,
            "territory": batch.territory,
            "source_body": batch.source_body,
            "created_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    if batch.status not in (ImportBatch.Status.REVIEW, ImportBatch.Status.PARTIAL):
        return 0
    return batch_rescreen(batch=batch, field=field, value=value)


def value_mapping_write(*, mapping, actor):
    """Create or edit a mapping from the admin: the same rules as mapping from a batch page."""
    from core.text import clean_text

    mapping.value = clean_text(mapping.value)[:100]
    mapping.source = clean_text(mapping.source)[:100]
    if not mapping.territory_id:
        mapping.territory = batch_place_for(actor)[0]
    if mapping.created_by_id is None and getattr(actor, "pk", None):
        mapping.created_by = actor
    mapping.full_clean()
    mapping.save()
    return mapping


def batch_rescreen(*, batch: ImportBatch, field: str, value: str) -> int:
    """Screen again the unwritten rows of ``batch`` whose ``field`` cell was the unknown ``value``,
    now that a mapping exists: they become new/changed rows (and tasks) like any other."""
    batch = ImportBatch.objects.select_for_update().select_related("territory").get(pk=batch.pk)
    spec = SPECS[batch.kind]
    ctx = pipeline.Context(spec=spec, batch=batch, header=_header_of(batch), letters=_letter_of(batch))
    affected = [
        row
        for row in StagedRow.objects.filter(batch=batch, has_warning=True, applied=False).order_by("row_number")
        if any(i.get("field") == field and i.get("unknown") == value for i in row.issues)
    ]
    fresh_rows = pipeline.process_chunk(ctx, [(row.row_number, list(row.raw)) for row in affected]) if affected else []
    for row, fresh in zip(affected, fresh_rows, strict=True):
        duplicate = [i for i in row.issues if i["severity"] == "duplicate"]
        for attr in ("key", "status", "has_warning", "values", "diff", "issues", "target_id", "territory_id_hint"):
            setattr(row, attr, getattr(fresh, attr))
        if duplicate:  # in-file duplicates were found over the whole file; they stay duplicates
            row.status, row.issues = RowStatus.DUPLICATE, [*row.issues, *duplicate]
    StagedRow.objects.bulk_update(
        affected, ["key", "status", "has_warning", "values", "diff", "issues", "target_id", "territory_id_hint"]
    )
    pipeline.decompose(batch)
    counts = dict(batch.counts or {})
    unmapped = counts.get("unmapped", {})
    unmapped.get(field, {}).pop(value, None)
    batch.counts = {**pipeline.count_rows(batch), "unmapped": {k: v for k, v in unmapped.items() if v}}
    batch.save(update_fields=["counts"])
    return len(affected)
