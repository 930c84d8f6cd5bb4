"""Beat's own heartbeat, so /healthz/ can tell a stopped beat from a stopped worker.

The worker's heartbeat is written when it runs the task beat queues each minute, so it goes
stale when either process stops. Beat writes this one itself, from its scheduling loop.
"""

from __future__ import annotations

import logging
import time

from django.db import close_old_connections
from django_celery_beat.schedulers import DatabaseScheduler

from portal.tasks import record_heartbeat

logger = logging.getLogger(__name__)

HEARTBEAT_EVERY = 30  # seconds; well under HEALTH_BEAT_MAX_AGE


class HeartbeatScheduler(DatabaseScheduler):
    _last_heartbeat = float("-inf")

    def tick(self, *args, **kwargs):
        now = time.monotonic()
        if now - self._last_heartbeat >= HEARTBEAT_EVERY:
            try:
                close_old_connections()
                record_heartbeat("beat")
                self._last_heartbeat = now
            except Exception:  # a database hiccup must not stop the schedule; health reports it
                logger.exception("beat heartbeat not recorded")
        return min(super().tick(*args, **kwargs), HEARTBEAT_EVERY)
