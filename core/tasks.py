"""The outbox relay: publishes task messages the after-commit publish could not hand over."""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_ready

from core import exports
from core.partitions import ensure_partitions
from core.queue import relay_pending
from core.sms import send_sms


@shared_task(name="core.relay_outbox", ignore_result=True)
def relay_outbox() -> dict:
    sent, failed = relay_pending()
    return {"sent": sent, "failed": failed}


@shared_task(name="core.send_sms", ignore_result=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_sms_task(phone: str, text: str) -> None:
    """Short messages leave from the worker: a slow gateway never holds up a request."""
    send_sms(phone=phone, text=text)


@shared_task(name="core.export_job_run", ignore_result=True, soft_time_limit=900, time_limit=960)
def export_job_run(job_id: int) -> None:
    """A big export (claimed atomically, so a retried or duplicated message writes once)."""
    exports.export_job_run(job_id=job_id)


@worker_ready.connect
def _relay_at_start(**kwargs) -> None:
    # A worker coming back after an outage publishes what piled up without waiting for the beat.
    relay_pending()


@shared_task(name="core.ensure_partitions", ignore_result=True)
def ensure_partitions_task() -> list[str]:
    """Month partitions created ahead for every partitioned table (idempotent; see core.partitions)."""
    return ensure_partitions()
