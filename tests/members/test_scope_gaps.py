"""Issue 13's scope gaps: people placed in two ways are seen from both places."""

import pytest

from members import services
from members.models import PartyMembership, Person
from tests.members.factories import make_member

pytestmark = pytest.mark.django_db


def test_receiving_street_sees_the_member_after_the_transfer(
    world, fuzimiao_cadre, xinjiekou_cadre, municipal, qinhuai_organizer
):
    membership = make_member(world.fuzimiao, world.fuzimiao_org, name="王五")
    assert not Person.objects.visible_to(xinjiekou_cadre).filter(pk=membership.person_id).exists()
    transfer = services.transfer_request(
        membership=membership, to_organization=world.xinjiekou_org, reason="工作调动", actor=municipal
    )
    services.transfer_approve(transfer=transfer, actor=qinhuai_organizer)
    # Separation of duties: the accepting officer is not the one who approved.
    services.transfer_accept(transfer=transfer, actor=municipal)
    # The person still lives in 夫子庙; the receiving street holds the organization relation now.
    assert Person.objects.visible_to(xinjiekou_cadre).filter(pk=membership.person_id).exists()
    assert PartyMembership.objects.visible_to(xinjiekou_cadre).filter(pk=membership.pk).exists()
    assert Person.objects.visible_to(fuzimiao_cadre).filter(pk=membership.person_id).exists()


def test_co_managing_organization_sees_its_mobile_member(world, industry_officer, xinjiekou_cadre):
    membership = make_member(
        world.fuzimiao,
        world.fuzimiao_org,
        name="赵六",
        is_mobile=True,
        origin_organization_name="安徽省某党支部",
        co_managing_organization=world.kuaidi_committee,
    )
    assert Person.objects.visible_to(industry_officer).filter(pk=membership.person_id).exists()
    assert PartyMembership.objects.visible_to(industry_officer).filter(pk=membership.pk).exists()
    assert not PartyMembership.objects.visible_to(xinjiekou_cadre).filter(pk=membership.pk).exists()
