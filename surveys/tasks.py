from contextlib import suppress

from celery import shared_task
from django.conf import settings

from surveys.readers import UnreadableFile


@shared_task(
    name="surveys.process_batch",
    ignore_result=True,
    autoretry_for=(ConnectionError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=settings.SURVEY_TASK_TIME_LIMIT - 60,
    time_limit=settings.SURVEY_TASK_TIME_LIMIT,
)
def process_batch(batch_id: int) -> None:
    """Read, compare, screen and decompose an uploaded batch. Idempotent: the service claims
    the pending batch atomically, so a redelivered message finds nothing to do."""
    from surveys.services import batch_process

    # An unreadable file is recorded on the batch as a failure the user can read; nothing to retry.
    with suppress(UnreadableFile):
        batch_process(batch_id=batch_id)


@shared_task(
    name="surveys.apply_batch",
    ignore_result=True,
    soft_time_limit=settings.SURVEY_TASK_TIME_LIMIT - 60,
    time_limit=settings.SURVEY_TASK_TIME_LIMIT,
)
def apply_batch(batch_id: int, actor_id: int | None, mode: str, claim: str | None = None) -> None:
    """Write a batch the batch page claimed (写入中). Idempotent: the message's claim is taken once
    (see ``apply_queue``). Not retried: a failed write puts the batch back, with the reason, for
    the officer to apply again."""
    from surveys.apply_queue import batch_apply_claimed

    batch_apply_claimed(batch_id=batch_id, actor_id=actor_id, mode=mode, claim=claim)


@shared_task(name="surveys.expire_stale", ignore_result=True)
def expire_stale() -> int:
    from surveys.apply_queue import applies_expire_stale
    from surveys.services import batches_expire_stale

    return batches_expire_stale() + applies_expire_stale()
