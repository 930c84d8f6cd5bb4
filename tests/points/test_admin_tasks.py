"""Admin pages (scoped, ledger read-only), the expiry beat task and the expiry command."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from points.models import PointEntry
from points.services import points_award
from points.tasks import expire_points


@pytest.fixture
def awarded(catalogue, worker, xuanwu_worker, station_manager, municipal):
    points_award(person=worker, rule=catalogue["study"], actor=station_manager, idempotency_key="a")
    points_award(person=xuanwu_worker, rule=catalogue["study"], actor=municipal, idempotency_key="b")


@pytest.mark.parametrize("model", ["pointrule", "pointaccount", "pointentry", "volunteertask", "reward", "redemption"])
def test_admin_changelists(client, municipal, outsider, awarded, model):
    url = reverse(f"admin:points_{model}_changelist")
    client.force_login(municipal)
    assert client.get(url).status_code == 200
    client.force_login(outsider)
    assert client.get(url).status_code == 403


def test_admin_ledger_is_read_only_and_scoped(client, fuzimiao_cadre, municipal, awarded, worker):
    client.force_login(municipal)
    assert client.get(reverse("admin:points_pointentry_add")).status_code == 403
    entry = PointEntry.objects.exclude(account__person=worker).get()
    client.force_login(fuzimiao_cadre)
    page = client.get(reverse("admin:points_pointentry_changelist")).content.decode()
    assert "张骑手" in page and "李快递" not in page
    assert client.get(reverse("admin:points_pointentry_change", args=[entry.pk])).status_code == 404


def test_expiry_is_scheduled_and_runs(catalogue, worker, station_manager):
    assert settings.CELERY_BEAT_SCHEDULE["points-expire"]["task"] == "points.tasks.expire_points"
    points_award(
        person=worker,
        rule=catalogue["study"],
        actor=station_manager,
        idempotency_key="old",
        at=timezone.now() - timedelta(days=31),
    )
    assert expire_points.delay() is not None
    assert PointEntry.objects.filter(kind="expiry").count() == 1
    call_command("expire_points")  # nothing left: idempotent
    assert PointEntry.objects.filter(kind="expiry").count() == 1
    worker.point_account.refresh_from_db()
    assert worker.point_account.balance == 0
