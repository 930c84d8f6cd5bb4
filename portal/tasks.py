from celery import shared_task
from django.db.models import F
from django.utils import timezone

from portal.models import WorkerHeartbeat


@shared_task(name="portal.tasks.record_heartbeat", ignore_result=True)
def record_heartbeat(name: str = "worker") -> None:
    """Idempotent by construction: an upsert of one row keyed by ``name``.

    Beat queues it each minute without arguments, so the "worker" row proves that a worker takes
    tasks off the broker; beat calls it in-process with "beat" (portal/beat.py)."""
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(name=name).update(seen_at=now, runs=F("runs") + 1)
    if not updated:
        WorkerHeartbeat.objects.get_or_create(name=name, defaults={"seen_at": now, "runs": 1})
