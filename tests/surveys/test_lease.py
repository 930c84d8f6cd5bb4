"""A staging run killed half-way (timeout, OOM, restart) leaves a batch whose lease runs out: it
is marked failed, its staged rows go, and the same file can be imported again from the start."""

from datetime import timedelta

import pytest
from django.core.management.base import CommandError
from django.utils import timezone

from surveys.models import ImportBatch, StagedRow
from surveys.services import batches_expire_stale
from tests.surveys.test_command import run, units_file

pytestmark = pytest.mark.django_db


def _killed_mid_staging(path, settings) -> ImportBatch:
    """What a killed run leaves: the batch running, some rows staged, no more heartbeats."""
    report = run(str(path), "--kind", "units")
    batch = ImportBatch.objects.get(pk=report["batch"])
    stale = timezone.now() - timedelta(seconds=settings.SURVEY_LEASE_SECONDS + 60)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.RUNNING, heartbeat_at=stale, progress=40)
    return batch


def test_a_killed_staging_run_is_failed_and_the_same_file_imports_again(world, tmp_path, settings):
    path = units_file(tmp_path)
    stuck = _killed_mid_staging(path, settings)
    assert StagedRow.objects.filter(batch=stuck).exists()

    report = run(str(path), "--kind", "units")
    stuck.refresh_from_db()
    assert stuck.status == ImportBatch.Status.FAILED and "可重新导入" in stuck.message
    assert not StagedRow.objects.filter(batch=stuck).exists()
    fresh = ImportBatch.objects.get(pk=report["batch"])
    assert fresh.pk != stuck.pk and fresh.status == ImportBatch.Status.REVIEW
    assert report["rows"] == 3


def test_a_batch_still_running_is_not_reported_as_done(world, tmp_path, settings):
    path = units_file(tmp_path)
    report = run(str(path), "--kind", "units")
    ImportBatch.objects.filter(pk=report["batch"]).update(
        status=ImportBatch.Status.RUNNING, heartbeat_at=timezone.now()
    )
    with pytest.raises(CommandError, match="正由批次"):
        run(str(path), "--kind", "units")
    assert batches_expire_stale() == 0  # its lease is fresh: nothing is expired
