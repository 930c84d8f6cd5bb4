"""Tasks started by a write, through a transactional outbox.

``enqueue_on_commit(name, *args)`` records an ``OutboxMessage`` in the caller's transaction and
publishes it right after commit. If the broker refuses (Redis restarting, network), the row stays
pending and ``relay_outbox`` publishes it later, with back-off: the write and its follow-up work
commit together, and the request that made the write still succeeds.

Services name their tasks instead of importing their app's ``tasks`` module (tasks import
services, not the other way round). ``send_task`` alone would ignore ``task_always_eager``
(development without a worker, the test suite), so a task the process knows — after the
registered apps' task modules are loaded once — is sent with ``apply_async``, which honours it.
Every task started this way must be idempotent: a relay may publish a message twice if a
process dies between publishing and marking it sent.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import current_app
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.models import OutboxMessage

logger = logging.getLogger("portal.outbox")

# A message the after-commit publish has not yet handled is left alone by the relay this long.
RELAY_GRACE = timedelta(seconds=30)
MAX_BACKOFF = timedelta(minutes=10)
RELAY_BATCH = 500
KEEP_SENT = timedelta(days=7)


def enqueue_on_commit(name: str, *args) -> None:
    """Record task ``name`` with ``args`` in the current transaction; publish it after commit."""
    enqueue_many_on_commit([(name, args)])


def enqueue_many_on_commit(tasks: list[tuple[str, tuple | list]]) -> None:
    """Record every ``(name, args)`` of one write in one INSERT; after commit publish them all and
    mark the published ones sent in one UPDATE (an intake's triage and receipt SMS: two statements
    for both instead of four)."""
    if not tasks:
        return
    messages = [OutboxMessage(task=name, args=list(args)) for name, args in tasks]
    if len(messages) == 1:
        messages[0].save(force_insert=True)
    else:
        messages = OutboxMessage.objects.bulk_create(messages)
        if any(message.pk is None for message in messages):  # a backend without RETURNING
            raise RuntimeError("the outbox needs the rows' keys back from its INSERT")
    transaction.on_commit(lambda: publish_many(messages))


def publish(message: OutboxMessage) -> bool:
    """Hand ``message`` to the broker and mark it sent; on failure schedule a retry. Never raises
    for a broker failure (the caller's write has committed and must be reported as such)."""
    return publish_many([message]) == 1


def publish_many(messages: list[OutboxMessage]) -> int:
    """Publish ``messages`` in order and mark the published ones sent in one UPDATE; returns how
    many were published. The first broker failure schedules a retry for it and every message
    after it (the broker is away: the rest would fail the same way), and is never raised."""
    if current_app.conf.task_always_eager:
        # No broker: the tasks run inline here, and their own errors are the caller's to see.
        _mark_sent(messages)
        for message in messages:
            send_task(message.task, *message.args)
        return len(messages)
    sent: list[OutboxMessage] = []
    for message in messages:
        try:
            send_task(message.task, *message.args)
        except Exception as exc:  # kombu/redis raise many kinds; every one means "not taken"
            _mark_sent(sent)
            for failed in messages[len(sent) :]:
                _retry_later(failed, exc)
            return len(sent)
        sent.append(message)
    _mark_sent(sent)
    return len(sent)


def _retry_later(message: OutboxMessage, exc: Exception) -> None:
    attempts = message.attempts + 1
    backoff = min(MAX_BACKOFF, timedelta(seconds=5 * 2 ** min(attempts, 10)))
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=F("attempts") + 1, next_attempt_at=timezone.now() + backoff, last_error=repr(exc)[:500]
    )
    logger.warning("outbox: %s%s not published (%s); retry in %s", message.task, message.args, exc, backoff)


def _mark_sent(messages: list[OutboxMessage]) -> None:
    if messages:
        OutboxMessage.objects.filter(pk__in=[m.pk for m in messages]).update(
            sent_at=timezone.now(), attempts=F("attempts") + 1
        )


def relay_pending(*, now=None, grace: timedelta = RELAY_GRACE) -> tuple[int, int]:
    """Publish pending messages whose time has come; returns (sent, failed). Rows are claimed with
    SKIP LOCKED so two relays never publish the same message at once."""
    now = now or timezone.now()
    sent = failed = 0
    with transaction.atomic():
        pending = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True, next_attempt_at__lte=now, created_at__lte=now - grace)
            .order_by("next_attempt_at", "pk")[:RELAY_BATCH]
        )
        for message in pending:
            if publish(message):
                sent += 1
            else:
                failed += 1
                break  # the broker is down: the rest would fail the same way
    OutboxMessage.objects.filter(sent_at__lt=now - KEEP_SENT).delete()
    return sent, failed


def send_task(name: str, *args) -> None:
    task = current_app.tasks.get(name)
    if task is None:
        # Task modules are discovered lazily; web processes load them on first use.
        current_app.loader.import_default_modules()
        task = current_app.tasks.get(name)
    if task is None:
        current_app.send_task(name, args=args)
    else:
        task.apply_async(args=args)
