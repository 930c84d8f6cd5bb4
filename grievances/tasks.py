"""Celery side of the loop. Each task takes ids, calls a service and is safe to run twice:
the services claim their work with a row lock or a conditional UPDATE, so a redelivered message
(acks_late, a worker killed mid-task) finds the work done and does nothing."""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from grievances import services
from grievances.models import OPEN_STATES, Grievance

logger = logging.getLogger(__name__)

RETRY = {
    "autoretry_for": (OperationalError, ConnectionError),
    "retry_backoff": True,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}
BATCH = 500


@shared_task(**RETRY)
def triage_grievance(grievance_id: int) -> bool:
    return services.grievance_triage(grievance_id=grievance_id)


@shared_task(**RETRY)
def prepare_ticket_sequences() -> int:
    """The coming days' ticket sequences, made ahead so no intake waits for one (daily beat)."""
    return services.prepare_ticket_sequences()


@shared_task(**RETRY)
def sla_monitor() -> int:
    """Escalate overdue open cases (street → district → municipal), in bounded batches."""
    now = timezone.now()
    ids = list(
        Grievance.objects.filter(state__in=OPEN_STATES, resolve_due_at__lt=now, escalation_level__lt=2)
        .order_by("resolve_due_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    return sum(services.grievance_escalate(grievance_id=pk, now=now) for pk in ids)


@shared_task(**RETRY)
def send_feedback_requests() -> int:
    ids = list(
        Grievance.objects.filter(state=Grievance.State.RESOLVED, feedback_requested_at__isnull=True)
        .order_by("resolved_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    return sum(services.feedback_request(grievance_id=pk) for pk in ids)


@shared_task(**RETRY)
def auto_close() -> int:
    now = timezone.now()
    ids = list(
        Grievance.objects.filter(state=Grievance.State.RESOLVED, resolved_at__lt=now - services.reopen_window())
        .order_by("resolved_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    return sum(services.grievance_autoclose(grievance_id=pk, now=now) for pk in ids)


@shared_task(**RETRY)
def retriage_stuck() -> int:
    """Cases left in 'submitted' (broker down at intake) are picked up again."""
    cutoff = timezone.now() - timedelta(minutes=10)
    ids = list(
        Grievance.objects.filter(state=Grievance.State.SUBMITTED, submitted_at__lt=cutoff).values_list("pk", flat=True)[
            :BATCH
        ]
    )
    return sum(services.grievance_triage(grievance_id=pk) for pk in ids)


@shared_task(**RETRY)
def weekly_clustering() -> int:
    return len(services.cluster_propose())
