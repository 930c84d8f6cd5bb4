"""Apply handed to the worker: the batch page's door to ``services.batch_apply``.

A batch of a few hundred thousand rows takes longer to write than a web request may run (gunicorn
stops a worker after 30 s, and the transaction dies with it), so the page only claims the batch —
its status becomes 写入中 at once, and a second click or another officer finds it taken — and the
``imports`` queue's worker writes it, in one transaction as before. The page polls the batch and
reloads when the worker is done. If the database refuses the write, or the worker fails or dies,
nothing of it is written (one transaction), and the batch goes back to 待核实 or 部分已应用 with the
reason on it, ready to be applied again.

The command line (``import_survey --apply-*``) still calls ``batch_apply`` directly: it has no
request to outlast.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.queue import enqueue_on_commit
from surveys.models import ImportBatch, StagedRow
from surveys.services import ApplyMode, batch_apply, eligible_rows, lease_expired_before

logger = logging.getLogger(__name__)

TASK = "surveys.apply_batch"
_OPEN = (ImportBatch.Status.REVIEW, ImportBatch.Status.PARTIAL)
NOTHING_TO_WRITE = "没有可写入的行（尚无核实通过的行，或记录已与文件一致）"


def batch_apply_request(*, batch: ImportBatch, actor, mode: str) -> ImportBatch:
    """Claim ``batch`` for apply (写入中) and hand the write to the worker, after commit. The claim
    is a fresh token the message carries: only that message, and only once, starts the write."""
    if mode not in (ApplyMode.VERIFIED, ApplyMode.CLEAN):
        raise ValidationError(f"未知的写入方式：{mode}")
    # Said here, before anything is claimed: the worker would write nothing and leave the batch
    # 部分已应用 without a word.
    if batch.status in _OPEN and not eligible_rows(batch, mode).exists():
        raise ValidationError(NOTHING_TO_WRITE)
    claim = uuid.uuid4()
    claimed = ImportBatch.objects.filter(pk=batch.pk, status__in=_OPEN).update(
        status=ImportBatch.Status.APPLYING, apply_claim=claim, heartbeat_at=timezone.now(), message=""
    )
    batch.refresh_from_db()
    if not claimed:
        raise ValidationError(f"批次状态为“{batch.get_status_display()}”，不能应用")
    enqueue_on_commit(TASK, batch.pk, getattr(actor, "pk", None), mode, str(claim))
    return batch


def batch_apply_claimed(*, batch_id: int, actor_id: int | None, mode: str, claim: str | None) -> tuple[int, int] | None:
    """The worker's half: write a batch claimed by ``batch_apply_request``. Returns (created,
    updated), or None when there was nothing to do or the write was refused (the reason is on the
    batch).

    The message's claim is taken once, as the write starts. So a message delivered twice writes
    nothing twice; a message of an earlier claim (its batch put back, then claimed again by
    someone else, perhaps in the other mode) writes nothing; and a message redelivered after its
    worker died mid-write does not start it again and again: the batch's lease, which counts from
    the start of the write, runs out and puts it back."""
    if claim is None:
        return None
    taken = ImportBatch.objects.filter(
        pk=batch_id, status=ImportBatch.Status.APPLYING, apply_claim=uuid.UUID(claim)
    ).update(apply_claim=None, heartbeat_at=timezone.now())
    if not taken:
        return None
    batch = ImportBatch.objects.get(pk=batch_id)
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    try:
        return batch_apply(batch=batch, actor=actor, mode=mode, claimed=True)
    except ValidationError as exc:
        put_back(batch, "未写入：" + "；".join(exc.messages), over_lease=True)
        return None
    except Exception:
        logger.exception("survey batch %s: apply failed", batch_id)
        put_back(batch, "写入过程中出现系统错误，未写入任何数据，请联系管理员（已记录日志）", over_lease=True)
        raise


def put_back(
    batch: ImportBatch, message: str, *, silent_since: datetime | None = None, over_lease: bool = False
) -> bool:
    """Return a 写入中 batch to the status apply found it in, with ``message``. A failed apply wrote
    nothing, so rows applied by an earlier apply tell which: 部分已应用 if any, else 待核实.

    Conditional on the batch still being 写入中 (and, with ``silent_since``, silent since then).
    On PostgreSQL a write that is still running holds the batch's row, so the lease's check waits
    for it, then finds the batch written and changes nothing. ``over_lease``: the worker's own
    reason replaces the lease's message if the lease put the batch back first (a write that ran
    past the lease and then failed), as long as no one has claimed the batch again."""
    earlier = StagedRow.objects.filter(batch_id=batch.pk, applied=True).exists()
    status = ImportBatch.Status.PARTIAL if earlier else ImportBatch.Status.REVIEW
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.APPLYING)
    if silent_since is not None:
        claimed = claimed.filter(heartbeat_at__lt=silent_since)
    if claimed.update(status=status, message=message, apply_claim=None):
        return True
    if over_lease:
        ImportBatch.objects.filter(pk=batch.pk, status__in=_OPEN, message=lease_message()).update(message=message)
    return False


def lease_message() -> str:
    minutes = settings.SURVEY_LEASE_SECONDS // 60
    return f"写入在{minutes}分钟内未完成（处理进程中断或繁忙），未写入任何数据，可重新写入"


def applies_expire_stale() -> int:
    """Put back batches 写入中 for longer than ``SURVEY_LEASE_SECONDS`` since the click or since
    their write started: their worker died (or never got to them), and their write, one
    transaction, left nothing. Returns how many."""
    cutoff = lease_expired_before()
    stale = ImportBatch.objects.filter(status=ImportBatch.Status.APPLYING, heartbeat_at__lt=cutoff)
    return sum(put_back(batch, lease_message(), silent_since=cutoff) for batch in stale)
