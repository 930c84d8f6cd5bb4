"""Apply from the batch page runs in the worker: the page claims the batch (写入中) and the worker
writes it in one transaction; a refusal or a failure puts the batch back with the reason, a dead
worker's claim runs out, and a message delivered twice writes nothing twice."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from organizations.models import Unit
from surveys import apply_queue
from surveys.apply_queue import applies_expire_stale, batch_apply_claimed, batch_apply_request
from surveys.models import ImportBatch, Lineage, StagedRow
from surveys.services import ApplyMode, batch_apply, import_file
from tests.surveys.helpers import code, write_csv

pytestmark = pytest.mark.django_db

HEADER = ["单位名称", "统一社会信用代码", "所属区", "所属街道"]


def review_batch(tmp_path, user, *numbers):
    rows = [HEADER, *([f"单位{n}", code(n), "秦淮区", "夫子庙街道"] for n in numbers)]
    outcome, _ = import_file(kind="units", path=write_csv(tmp_path / f"units-{numbers[0]}.csv", rows), user=user)
    assert outcome.batch.status == ImportBatch.Status.REVIEW
    return outcome.batch


def claim_of(batch) -> str:
    """The claim of the batch's write, as its message carries it."""
    return str(ImportBatch.objects.get(pk=batch.pk).apply_claim)


def age_claim(batch, settings) -> None:
    old = timezone.now() - timedelta(seconds=settings.SURVEY_LEASE_SECONDS + 1)
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=old)


def work(batch, claim, actor=None, mode=ApplyMode.CLEAN):
    """What the worker does with the message of ``claim``."""
    return batch_apply_claimed(batch_id=batch.pk, actor_id=getattr(actor, "pk", None), mode=mode, claim=claim)


def apply_url(batch):
    return reverse("surveys:batch-apply", args=[batch.pk])


@pytest.mark.smoke
def test_the_page_claims_the_batch_and_the_worker_writes_it(
    client, qinhuai_organizer, tmp_path, django_capture_on_commit_callbacks
):
    batch = review_batch(tmp_path, qinhuai_organizer, 31, 32)
    client.force_login(qinhuai_organizer)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        response = client.post(apply_url(batch), {"mode": "clean"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLYING and not Unit.objects.filter(credit_code=code(31)).exists()
    # Meanwhile the page waits for the worker and offers no second apply.
    page = client.get(reverse("surveys:batch-detail", args=[batch.pk])).content.decode()
    assert "写入中" in page and 'data-running="1"' in page and 'id="applying"' in page and "apply-clean" not in page
    assert client.get(reverse("surveys:batch-progress", args=[batch.pk])).json()["running"] is True
    again = client.post(apply_url(batch), {"mode": "clean"}, follow=True)
    assert "批次状态为“写入中”，不能应用" in again.content.decode()

    for callback in pending:  # the commit publishes the task; eager in the tests, so it runs here
        callback()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.APPLIED and batch.applied_by == qinhuai_organizer
    assert batch.counts["created"] == 2 and Unit.objects.filter(credit_code__in=[code(31), code(32)]).count() == 2
    assert Lineage.objects.filter(batch=batch).count() == 2
    assert client.get(reverse("surveys:batch-progress", args=[batch.pk])).json()["running"] is False


def test_a_refused_write_puts_the_batch_back_with_the_reason(qinhuai_organizer, tmp_path, monkeypatch):
    batch = review_batch(tmp_path, qinhuai_organizer, 33)
    batch_apply_request(batch=batch, actor=qinhuai_organizer, mode=ApplyMode.CLEAN)
    claim = claim_of(batch)

    def refused(**kwargs):
        raise ValidationError("统一社会信用代码列：该值已被另一条记录使用，请重新写入")

    monkeypatch.setattr(apply_queue, "batch_apply", refused)
    assert work(batch, claim, qinhuai_organizer) is None
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REVIEW
    assert batch.message == "未写入：统一社会信用代码列：该值已被另一条记录使用，请重新写入"
    monkeypatch.undo()
    # Applied again, it goes through and the reason is gone.
    batch_apply_request(batch=batch, actor=qinhuai_organizer, mode=ApplyMode.CLEAN)
    again = claim_of(batch)
    assert again != claim
    assert work(batch, again, qinhuai_organizer) == (
        1,
        0,
    )
    batch.refresh_from_db()
    assert (batch.status, batch.message, batch.apply_claim) == (ImportBatch.Status.APPLIED, "", None)


def test_a_failing_worker_writes_nothing_and_says_so(client, qinhuai_organizer, tmp_path, monkeypatch):
    batch = review_batch(tmp_path, qinhuai_organizer, 34)
    batch_apply_request(batch=batch, actor=qinhuai_organizer, mode=ApplyMode.CLEAN)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("surveys.pipeline.apply.write_lineage", broken)
    monkeypatch.setattr("surveys.pipeline.from_staging.usable", lambda spec: False)  # through write_lineage
    with pytest.raises(RuntimeError):
        batch_apply_claimed(batch_id=batch.pk, actor_id=None, mode=ApplyMode.CLEAN, claim=claim_of(batch))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REVIEW and "系统错误，未写入任何数据" in batch.message
    assert not Unit.objects.filter(credit_code=code(34)).exists()
    client.force_login(qinhuai_organizer)
    page = client.get(reverse("surveys:batch-detail", args=[batch.pk])).content.decode()
    assert 'id="batch-message"' in page and "系统错误" in page and "apply-clean" in page


def test_a_claim_whose_worker_died_runs_out(qinhuai_organizer, tmp_path, settings):
    verified = review_batch(tmp_path, qinhuai_organizer, 35)
    batch_apply_request(batch=verified, actor=qinhuai_organizer, mode=ApplyMode.CLEAN)
    dead = claim_of(verified)
    # A batch partly applied before goes back to 部分已应用, not 待核实.
    partial = review_batch(tmp_path, qinhuai_organizer, 36, 37)
    first = StagedRow.objects.filter(batch=partial).order_by("row_number").first()
    first.task.status = "confirmed"
    first.task.save()
    assert batch_apply(batch=partial, actor=qinhuai_organizer, mode=ApplyMode.VERIFIED) == (1, 0)
    partial.refresh_from_db()
    assert partial.status == ImportBatch.Status.PARTIAL
    batch_apply_request(batch=partial, actor=qinhuai_organizer, mode=ApplyMode.CLEAN)

    assert applies_expire_stale() == 0  # both claims are fresh
    old = timezone.now() - timedelta(seconds=settings.SURVEY_LEASE_SECONDS + 1)
    ImportBatch.objects.filter(pk__in=[verified.pk, partial.pk]).update(heartbeat_at=old)
    assert applies_expire_stale() == 2
    verified.refresh_from_db()
    partial.refresh_from_db()
    assert (verified.status, partial.status) == (ImportBatch.Status.REVIEW, ImportBatch.Status.PARTIAL)
    assert "未写入任何数据，可重新写入" in verified.message
    # The message of the dead claim, delivered late, finds nothing to do.
    assert batch_apply_claimed(batch_id=verified.pk, actor_id=None, mode=ApplyMode.CLEAN, claim=dead) is None
    assert not Unit.objects.filter(credit_code=code(35)).exists()


def test_a_message_delivered_twice_writes_once(qinhuai_organizer, tmp_path):
    batch = review_batch(tmp_path, qinhuai_organizer, 38)
    batch_apply_request(batch=batch, actor=qinhuai_organizer, mode=ApplyMode.CLEAN)
    claim = claim_of(batch)
    assert work(batch, claim, qinhuai_organizer) == (
        1,
        0,
    )
    assert work(batch, claim, qinhuai_organizer) is None
    assert Lineage.objects.filter(batch=batch).count() == 1


def test_streets_and_unknown_modes_cannot_claim(client, qinhuai_organizer, fuzimiao_cadre, tmp_path):
    batch = review_batch(tmp_path, qinhuai_organizer, 39)
    client.force_login(fuzimiao_cadre)
    assert client.post(apply_url(batch), {"mode": "clean"}).status_code == 403
    with pytest.raises(ValidationError, match="未知的写入方式"):
        batch_apply_request(batch=batch, actor=qinhuai_organizer, mode="everything")
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REVIEW


def test_a_message_of_an_earlier_claim_does_not_write_a_later_one(qinhuai_organizer, municipal, tmp_path, settings):
    """Officer A's message (clean) is held up past the lease; officer B claims again (verified). A's
    message must not write B's claim in A's mode."""
    batch = review_batch(tmp_path, qinhuai_organizer, 41, 42)  # 41 verified, 42 clean but unverified
    first = StagedRow.objects.filter(batch=batch).order_by("row_number").first()
    first.task.status = "confirmed"
    first.task.save()
    batch_apply_request(batch=batch, actor=qinhuai_organizer, mode=ApplyMode.CLEAN)
    a = claim_of(batch)
    age_claim(batch, settings)
    assert applies_expire_stale() == 1
    batch_apply_request(batch=batch, actor=municipal, mode=ApplyMode.VERIFIED)
    b = claim_of(batch)

    assert batch_apply_claimed(batch_id=batch.pk, actor_id=qinhuai_organizer.pk, mode=ApplyMode.CLEAN, claim=a) is None
    assert batch_apply_claimed(batch_id=batch.pk, actor_id=municipal.pk, mode=ApplyMode.VERIFIED, claim=b) == (1, 0)
    batch.refresh_from_db()
    assert not Unit.objects.filter(credit_code=code(42)).exists()
    assert batch.applied_by == municipal and batch.status == ImportBatch.Status.PARTIAL


class WorkerLost(BaseException):
    """What the task sees of an out-of-memory kill: nothing, no ``except Exception`` runs."""


def test_a_message_redelivered_after_its_worker_died_does_not_start_again(
    qinhuai_organizer, tmp_path, settings, monkeypatch
):
    """Celery puts a message back when its worker dies mid-task; starting the write again at every
    delivery would keep the lease fresh, and the batch 写入中, for ever."""
    batch = review_batch(tmp_path, qinhuai_organizer, 43)
    batch_apply_request(batch=batch, actor=qinhuai_organizer, mode=ApplyMode.CLEAN)
    claim = claim_of(batch)
    started = []

    def killed(**kwargs):
        started.append(1)
        raise WorkerLost

    monkeypatch.setattr(apply_queue, "batch_apply", killed)
    with pytest.raises(WorkerLost):
        batch_apply_claimed(batch_id=batch.pk, actor_id=None, mode=ApplyMode.CLEAN, claim=claim)
    for _ in range(2):  # delivered again at once
        assert batch_apply_claimed(batch_id=batch.pk, actor_id=None, mode=ApplyMode.CLEAN, claim=claim) is None
    assert started == [1]
    age_claim(batch, settings)
    assert applies_expire_stale() == 1
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REVIEW


def test_nothing_to_write_is_said_and_nothing_is_claimed(client, qinhuai_organizer, tmp_path):
    batch = review_batch(tmp_path, qinhuai_organizer, 45)  # no row verified yet
    client.force_login(qinhuai_organizer)
    page = client.post(apply_url(batch), {"mode": "verified"}, follow=True).content.decode()
    assert "没有可写入的行（尚无核实通过的行，或记录已与文件一致）" in page
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REVIEW and batch.apply_claim is None


def test_the_worker_s_reason_replaces_the_lease_s_message(qinhuai_organizer, tmp_path, settings, monkeypatch):
    """A write that ran past the lease and then was refused: the lease put the batch back first
    (its check waited for the write), but the officer reads the real reason."""
    batch = review_batch(tmp_path, qinhuai_organizer, 46)
    batch_apply_request(batch=batch, actor=qinhuai_organizer, mode=ApplyMode.CLEAN)

    def refused_after_the_lease(**kwargs):
        age_claim(batch, settings)
        assert applies_expire_stale() == 1
        raise ValidationError("统一社会信用代码列：该值已被另一条记录使用，请重新写入")

    monkeypatch.setattr(apply_queue, "batch_apply", refused_after_the_lease)
    batch_apply_claimed(batch_id=batch.pk, actor_id=None, mode=ApplyMode.CLEAN, claim=claim_of(batch))
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REVIEW
    assert batch.message == "未写入：统一社会信用代码列：该值已被另一条记录使用，请重新写入"


def test_the_command_line_is_told_a_batch_of_the_same_file_is_being_written(qinhuai_organizer, tmp_path):
    rows = [HEADER, ["单位47", code(47), "秦淮区", "夫子庙街道"]]
    path = write_csv(tmp_path / "same.csv", rows)
    outcome, _ = import_file(kind="units", path=path, user=qinhuai_organizer)
    batch_apply_request(batch=outcome.batch, actor=qinhuai_organizer, mode=ApplyMode.CLEAN)
    with pytest.raises(ValidationError, match=f"批次#{outcome.batch.pk}正在写入中"):
        import_file(kind="units", path=path, user=qinhuai_organizer, apply=ApplyMode.CLEAN)
