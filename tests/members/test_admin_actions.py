from datetime import date
from decimal import Decimal

from django.urls import reverse

from core.dates import add_months
from members.models import DevelopmentRecord, PartyMembership, Stage, Transfer
from members.services import development_advance, development_start, transfer_request
from tests.members.factories import make_member, make_person


def _login(client, user, password):
    assert client.login(username=user.username, password=password)


def test_transfer_actions_ask_for_confirmation_then_act(client, world, fuzimiao_cadre, xinjiekou_cadre, password):
    membership = make_member(world.fuzimiao, world.fuzimiao_org, name="郑一")
    transfer = transfer_request(membership=membership, to_organization=world.xinjiekou_org, reason="工作变动")
    url = reverse("admin:members_transfer_changelist")
    _login(client, fuzimiao_cadre, password)
    page = client.post(url, {"action": "approve", "_selected_action": [transfer.pk]})
    assert page.status_code == 200 and "确认转出审批通过" in page.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.REQUESTED  # nothing happens before confirmation
    client.post(url, {"action": "approve", "_selected_action": [transfer.pk], "apply": "1"})
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.APPROVED
    client.logout()
    _login(client, xinjiekou_cadre, password)
    assert "郑一" in client.get(url).content.decode()  # the receiving side sees it in its list
    response = client.post(url, {"action": "reject", "_selected_action": [transfer.pk], "apply": "1"}, follow=True)
    assert "退回原因" in response.content.decode()  # the reason is required
    client.post(url, {"action": "accept", "_selected_action": [transfer.pk], "apply": "1"})
    transfer.refresh_from_db()
    membership.refresh_from_db()
    assert transfer.status == Transfer.Status.ACCEPTED and membership.organization == world.xinjiekou_org


def test_transfer_add_form_shows_service_refusal(client, world, fuzimiao_cadre, password):
    membership = make_member(world.fuzimiao, world.fuzimiao_org, name="郑二")
    _login(client, fuzimiao_cadre, password)
    response = client.post(
        reverse("admin:members_transfer_add"),
        {
            "membership": membership.pk,
            "to_organization": world.fuzimiao_org.pk,
            "reason": "x",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200 and "相同" in response.content.decode()
    assert not Transfer.objects.exists()


def test_assess_dues_action(client, world, qinhuai_organizer, password):
    membership = make_member(world.fuzimiao, world.fuzimiao_org, name="郑三")
    _login(client, qinhuai_organizer, password)
    client.post(
        reverse("admin:members_partymembership_changelist"),
        {
            "action": "assess_dues",
            "_selected_action": [membership.pk],
            "apply": "1",
            "category": "regular",
            "monthly_income": "5000",
        },
    )
    membership.refresh_from_db()
    assert membership.dues_monthly == Decimal("50.00")


def test_advance_action_reports_the_waiting_time(client, world, qinhuai_organizer, password):
    today = date.today()
    person = make_person(world.fuzimiao, name="郑四", birth=date(1995, 1, 1))
    record = development_start(person=person, organization=world.fuzimiao_org, applied_on=add_months(today, -6))
    development_advance(record=record, stage=Stage.ACTIVIST, on=add_months(today, -3))
    _login(client, qinhuai_organizer, password)
    response = client.post(
        reverse("admin:members_developmentrecord_changelist"),
        {
            "action": "advance",
            "_selected_action": [record.pk],
            "apply": "1",
            "on": today.isoformat(),
            "introducers": "王一、王二",
        },
        follow=True,
    )
    assert "一年以上" in response.content.decode()
    assert DevelopmentRecord.objects.get(pk=record.pk).stage == Stage.ACTIVIST


def test_invisible_member_registration(client, world, qinhuai_organizer, password):
    person = make_person(world.fuzimiao, name="郑五")
    membership = PartyMembership.objects.create(
        person=person, status="full", is_invisible=True, found_by_survey_on=date.today()
    )
    _login(client, qinhuai_organizer, password)
    client.post(
        reverse("admin:members_partymembership_changelist"),
        {
            "action": "register_invisible",
            "_selected_action": [membership.pk],
            "apply": "1",
            "organization": world.fuzimiao_org.pk,
        },
    )
    membership.refresh_from_db()
    assert not membership.is_invisible and membership.organization == world.fuzimiao_org


def test_transfer_can_target_an_organization_outside_the_requesters_scope(client, world, fuzimiao_cadre, password):
    membership = make_member(world.fuzimiao, world.fuzimiao_org, name="郑六")
    _login(client, fuzimiao_cadre, password)
    response = client.post(
        reverse("admin:members_transfer_add"),
        {
            "membership": membership.pk,
            "to_organization": world.xinjiekou_org.pk,
            "reason": "到玄武工作",
            "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    transfer = Transfer.objects.get()
    assert (transfer.from_organization, transfer.to_organization) == (world.fuzimiao_org, world.xinjiekou_org)
    assert list(transfer.events.values_list("action", flat=True)) == ["request"]


def test_admin_add_forms_run_the_services(client, world, qinhuai_organizer, password):
    from members.models import DuesPayment

    membership = make_member(world.fuzimiao, world.fuzimiao_org, name="郑七")
    person = make_person(world.fuzimiao, name="郑八", birth=date(1996, 6, 6))
    _login(client, qinhuai_organizer, password)
    today = date.today()
    response = client.post(
        reverse("admin:members_duespayment_add"),
        {
            "membership": membership.pk,
            "period": today.replace(day=1).isoformat(),
            "amount": "12.50",
            "paid_on": today.isoformat(),
            "note": "",
        },
    )
    assert response.status_code == 302
    assert DuesPayment.objects.get().recorded_by == qinhuai_organizer
    response = client.post(
        reverse("admin:members_developmentrecord_add"),
        {
            "person": person.pk,
            "organization": world.fuzimiao_org.pk,
            "applied_on": today.isoformat(),
            "introducers": "",
            "probation_extension_months": "0",
            "closed_reason": "",
        },
    )
    assert response.status_code == 302
    assert DevelopmentRecord.objects.get(person=person).stage == Stage.APPLICANT
