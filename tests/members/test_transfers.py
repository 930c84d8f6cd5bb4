import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from members.models import Transfer, TransferEvent
from members.services import (
    transfer_accept,
    transfer_approve,
    transfer_cancel,
    transfer_reject,
    transfer_request,
    transfers_expire,
)
from tests.members.factories import make_member


@pytest.fixture
def membership(world):
    return make_member(world.fuzimiao, world.fuzimiao_org, name="钱七")


def _request(membership, world, actor=None):
    return transfer_request(membership=membership, to_organization=world.xinjiekou_org, reason="工作变动", actor=actor)


def test_happy_path_changes_org_only_on_acceptance(world, membership, fuzimiao_cadre, xinjiekou_cadre):
    transfer = _request(membership, world, fuzimiao_cadre)
    assert transfer.valid_until > timezone.localdate() + timedelta(days=85)
    transfer = transfer_approve(transfer=transfer, actor=fuzimiao_cadre)
    membership.refresh_from_db()
    assert membership.organization == world.fuzimiao_org
    transfer = transfer_accept(transfer=transfer, actor=xinjiekou_cadre)
    membership.refresh_from_db()
    assert transfer.status == Transfer.Status.ACCEPTED and membership.organization == world.xinjiekou_org
    assert list(transfer.events.values_list("action", flat=True)) == ["request", "approve", "accept"]
    world.fuzimiao_org.refresh_from_db()
    world.xinjiekou_org.refresh_from_db()
    assert (world.fuzimiao_org.member_count, world.xinjiekou_org.member_count) == (0, 1)
    assert world.xinjiekou_org.full_member_count == 1


def test_each_side_acts_only_for_itself(world, membership, fuzimiao_cadre, xinjiekou_cadre):
    transfer = _request(membership, world, fuzimiao_cadre)
    with pytest.raises(ValidationError, match="转出党组织"):
        transfer_approve(transfer=transfer, actor=xinjiekou_cadre)
    transfer = transfer_approve(transfer=transfer, actor=fuzimiao_cadre)
    with pytest.raises(ValidationError, match="转入党组织"):
        transfer_accept(transfer=transfer, actor=fuzimiao_cadre)


def test_illegal_transitions_are_refused(world, membership):
    transfer = _request(membership, world)
    with pytest.raises(ValidationError, match="待转出审批"):
        transfer_accept(transfer=transfer)  # not approved yet
    transfer = transfer_reject(transfer=transfer, reason="材料不全")
    assert transfer.reject_reason == "材料不全"
    for step in (transfer_approve, transfer_accept, transfer_cancel):
        with pytest.raises(ValidationError, match="已退回"):
            step(transfer=transfer)
    with pytest.raises(ValidationError, match="原因"):
        transfer_reject(transfer=_request(membership, world), reason=" ")


def test_one_open_transfer_per_member_and_same_org_refused(world, membership):
    _request(membership, world)
    with pytest.raises(ValidationError, match="正在办理"):
        _request(membership, world)
    with pytest.raises(ValidationError, match="相同"):
        transfer_request(membership=membership, to_organization=world.fuzimiao_org, reason="x")


def test_expiry_after_three_months(world, membership):
    transfer = _request(membership, world)
    Transfer.objects.filter(pk=transfer.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    transfer.refresh_from_db()
    with pytest.raises(ValidationError, match="过期"):
        transfer_approve(transfer=transfer)
    assert transfers_expire() == 1
    assert transfers_expire() == 0  # idempotent
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.EXPIRED
    assert transfer.events.filter(action=TransferEvent.Action.EXPIRE).count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_accept_and_reject_exactly_one_wins():
    if connection.vendor != "postgresql":
        pytest.skip("row locking needs PostgreSQL")
    from tests.world import build_world

    world = build_world()
    membership = make_member(world.fuzimiao, world.fuzimiao_org, name="孙八")
    transfer = transfer_approve(transfer=_request(membership, world))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def run(step):
        from django.db import connections

        try:
            barrier.wait()
            step()
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(lambda: transfer_accept(transfer=Transfer.objects.get(pk=transfer.pk)),)),
        threading.Thread(
            target=run, args=(lambda: transfer_reject(transfer=Transfer.objects.get(pk=transfer.pk), reason="不符"),)
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok", "refused"]
    transfer.refresh_from_db()
    membership.refresh_from_db()
    assert transfer.status in (Transfer.Status.ACCEPTED, Transfer.Status.REJECTED)
    expected_org = world.xinjiekou_org if transfer.status == Transfer.Status.ACCEPTED else world.fuzimiao_org
    assert membership.organization_id == expected_org.pk
    assert transfer.events.filter(action__in=["accept", "reject"]).count() == 1
