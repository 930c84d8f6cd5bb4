"""Reads of dashboards and reports on a replica (``DATABASE_REPLICA_URL``; off when unset).

Only code that asks for it reads from the replica: ``replica_reads()`` around a dashboard's or a
report's figures routes the reads made inside it. Everything else — every write, every read in
a request that writes, the scope rule's lookups outside the block — stays on the primary, so a
user never reads back stale data they just wrote. Figures read through the replica may lag the
primary by its replication delay, which the daily inventory already tolerates (数据截至).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

_replica = ContextVar("portal_replica_reads", default=False)


@contextmanager
def replica_reads():
    """Route the reads made inside the block to the replica, when one is configured."""
    token = _replica.set("replica" in settings.DATABASES)
    try:
        yield
    finally:
        _replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return "replica" if _replica.get() else "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two connections to it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
