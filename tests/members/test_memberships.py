from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from members.models import PartyMembership
from members.services import membership_record_contact, memberships_mark_lost_contact, person_save
from members.tasks import mark_lost_contact
from tests.members.factories import make_member, make_person


def test_lost_contact_after_six_months_and_cleared_by_contact(world):
    today = timezone.localdate()
    stale = make_member(world.fuzimiao, world.fuzimiao_org, name="周一", last_contact_on=today - timedelta(days=200))
    fresh = make_member(world.fuzimiao, world.fuzimiao_org, name="周二", last_contact_on=today - timedelta(days=20))
    assert mark_lost_contact.delay().get() == 1
    assert memberships_mark_lost_contact() == 0  # idempotent
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.lost_contact and not fresh.lost_contact
    membership_record_contact(membership=stale)
    stale.refresh_from_db()
    assert not stale.lost_contact and stale.last_contact_on == today


def test_one_person_per_id_number(world):
    first = make_person(world.fuzimiao, name="吴一")
    with pytest.raises(ValidationError) as exc:
        make_person(world.zhonghuamen, name="吴二", id_number=first.id_number)
    # Without a writer whose scope holds the first record, the message names no one.
    assert "已在其他辖区登记" in str(exc.value) and "吴一" not in str(exc.value)


def test_registered_member_needs_an_organization_and_counts_follow_status(world):
    person = make_person(world.fuzimiao, name="吴三")
    with pytest.raises(ValidationError, match="所在党组织"):
        PartyMembership(person=person, status="full").full_clean()
    membership = make_member(world.fuzimiao, world.fuzimiao_org, name="吴四", status="probationary")
    world.fuzimiao_org.refresh_from_db()
    assert (world.fuzimiao_org.member_count, world.fuzimiao_org.full_member_count) == (1, 0)
    membership.status = "full"
    membership.full_member_on = timezone.localdate()
    from members.services import membership_save

    membership_save(membership=membership, lifecycle=True)  # as the pipeline's 转正 step saves it
    world.fuzimiao_org.refresh_from_db()
    assert (world.fuzimiao_org.member_count, world.fuzimiao_org.full_member_count) == (1, 1)


def test_unit_counts_follow_the_employer(world):
    from organizations.models import Unit

    unit_a = Unit.objects.create(name="某快递网点", kind="outlet", territory=world.fuzimiao)
    unit_b = Unit.objects.create(name="某外卖站点", kind="outlet", territory=world.fuzimiao)
    membership = make_member(world.fuzimiao, world.fuzimiao_org, name="吴五", employer=unit_a)
    unit_a.refresh_from_db()
    assert unit_a.full_member_count == 1
    person = membership.person
    person.employer = unit_b
    person_save(person=person)
    unit_a.refresh_from_db()
    unit_b.refresh_from_db()
    assert (unit_a.member_count, unit_b.member_count) == (0, 1)


def test_list_endpoints_have_bounded_queries(api_client, world, qinhuai_organizer, django_assert_max_num_queries):
    from members.services import transfer_request

    for index in range(5):
        membership = make_member(world.fuzimiao, world.fuzimiao_org, name=f"冯{'一二三四五'[index]}")
        transfer_request(membership=membership, to_organization=world.zhonghuamen_org, reason="调整")
    api_client.force_authenticate(qinhuai_organizer)
    for url in ("/api/v1/members/", "/api/v1/transfers/", "/api/v1/persons/"):
        with django_assert_max_num_queries(8):
            assert api_client.get(url).status_code == 200


def test_full_membership_not_dated_before_the_probation_ends(world):
    """转正 comes after the probation year (条例: 预备期为一年): the admin change form let a district
    officer set a probationary member to 正式 dated months before the probation ended, a step
    development_advance refuses. The rule is the model's, so every door keeps it."""
    from datetime import date

    membership = make_member(
        world.fuzimiao, world.fuzimiao_org, name="周五", status="probationary", joined_on=date(2024, 3, 1)
    )
    assert membership.probation_ends_on == date(2025, 3, 1)
    membership.status = PartyMembership.Status.FULL
    membership.full_member_on = date(2025, 2, 1)
    with pytest.raises(ValidationError) as exc:
        membership.full_clean()
    assert "预备期满" in str(exc.value.message_dict["full_member_on"])
    membership.full_member_on = date(2025, 3, 1)
    membership.full_clean()


def test_organization_and_standing_change_only_by_their_procedures(client, world, qinhuai_organizer):
    """A plain edit (the admin change form, any caller of membership_save) may not move a member
    to another organization or make them a full member: 组织关系转接 and 转正 do that."""
    from members.services import membership_save

    membership = make_member(world.fuzimiao, world.fuzimiao_org, name="吴五", status="probationary")
    membership.organization = world.zhonghuamen_org
    with pytest.raises(ValidationError, match="组织关系转接"):
        membership_save(membership=membership)
    membership.refresh_from_db()
    membership.status = "full"
    with pytest.raises(ValidationError, match="转正"):
        membership_save(membership=membership)
    membership.refresh_from_db()
    assert (membership.organization, membership.status) == (world.fuzimiao_org, "probationary")
    # The admin change form shows them read-only; a tampered POST changes nothing.
    client.force_login(qinhuai_organizer)
    url = f"/admin/members/partymembership/{membership.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="organization"' not in page and 'name="status"' not in page
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"organization": world.zhonghuamen_org.pk, "status": "full", "last_contact_on": "2026-01-05"})
    response = client.post(url, {k: v for k, v in data.items() if v is not None})
    assert response.status_code == 302, response.content.decode()[:500]
    membership.refresh_from_db()
    assert (membership.organization, membership.status) == (world.fuzimiao_org, "probationary")
