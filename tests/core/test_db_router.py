"""The replica router: off without DATABASE_REPLICA_URL; with it, only reads inside
``replica_reads()`` leave the primary."""

import pytest
from django.conf import settings

from core.db_router import ReplicaRouter, replica_reads


@pytest.mark.smoke
def test_without_a_replica_everything_stays_on_the_primary():
    assert "replica" not in settings.DATABASES
    with replica_reads():
        assert ReplicaRouter().db_for_read(None) == "default"


@pytest.mark.smoke
def test_with_a_replica_only_marked_reads_go_there(monkeypatch):
    monkeypatch.setitem(settings.DATABASES, "replica", dict(settings.DATABASES["default"]))
    router = ReplicaRouter()
    assert router.db_for_read(None) == "default"
    with replica_reads():
        assert router.db_for_read(None) == "replica"
        assert router.db_for_write(None) == "default"
    assert router.db_for_read(None) == "default"
    assert router.allow_migrate("replica", "points") is False
