"""The read replica end to end: with DATABASE_REPLICA_URL set, a dashboard's figures are read
through the router's replica branch, and nothing written goes there. The test database has no
second server, so a recording router answers "default" while noting what ReplicaRouter would do."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import override_settings

from core.db_router import ReplicaRouter

pytestmark = pytest.mark.django_db


class Recorder:
    def __init__(self):
        self.reads: list[tuple[str, str]] = []
        self.writes: list[tuple[str, str]] = []
        self.real = ReplicaRouter()

    def db_for_read(self, model, **hints):
        self.reads.append((model._meta.label, self.real.db_for_read(model, **hints)))
        return "default"

    def db_for_write(self, model, **hints):
        self.writes.append((model._meta.label, self.real.db_for_write(model, **hints)))
        return "default"


@pytest.mark.parametrize("replica", [True, False])
def test_dashboard_figures_are_read_on_the_replica_when_one_is_set(
    client, data, qinhuai_organizer, monkeypatch, replica
):
    client.force_login(qinhuai_organizer)
    if replica:
        # What DATABASE_REPLICA_URL adds to the settings, seen by the router module only (a real
        # "replica" alias would make every request open a connection the test database lacks).
        configured = {**settings.DATABASES, "replica": dict(settings.DATABASES["default"])}
        monkeypatch.setattr("core.db_router.settings", SimpleNamespace(DATABASES=configured))
    recorder = Recorder()
    with override_settings(DATABASE_ROUTERS=[recorder]):
        response = client.get("/dashboard/?live=1")
    assert response.status_code == 200
    on_replica = {label for label, db in recorder.reads if db == "replica"}
    if replica:
        # the figures (units, people, cases …) come from the replica; the login, the session and
        # the scope rule's lookups from the primary, so a user never reads stale data they wrote
        assert {"organizations.Unit", "grievances.Grievance"} <= on_replica
        assert any(db == "default" for _label, db in recorder.reads)
    else:
        assert on_replica == set()
    assert {db for _label, db in recorder.writes} <= {"default"}
