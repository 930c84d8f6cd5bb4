"""Lifecycle events (成立/转入/转出/升格/撤销) written by services, the admin page and the API."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from organizations import services
from organizations.models import OrganizationEvent, PartyOrganization, Unit
from tests.organizations.conftest import org

pytestmark = pytest.mark.django_db
K = PartyOrganization.Kind
DAY = dt.date(2025, 3, 1)


@pytest.fixture
def preparing(world):
    return org(world.fuzimiao_org, name="筹建支部", kind=K.BRANCH, territory=world.fuzimiao, status="preparing")


@pytest.mark.smoke
def test_establish_needs_members_then_records_event(preparing, municipal):
    with pytest.raises(ValidationError, match="不足3人"):
        services.organization_establish(organization=preparing, on=DAY, actor=municipal)
    assert not preparing.events.exists()
    PartyOrganization.objects.filter(pk=preparing.pk).update(full_member_count=3)
    services.organization_establish(organization=preparing, on=DAY, document_no="夫党〔2025〕3号", actor=municipal)
    preparing.refresh_from_db()
    assert (preparing.status, preparing.founded_on, preparing.founding_document_no) == (
        "active",
        DAY,
        "夫党〔2025〕3号",
    )
    event = preparing.events.get()
    assert (event.kind, event.occurred_on, event.recorded_by) == ("established", DAY, municipal)
    with pytest.raises(ValidationError, match="无需再次成立"):
        services.organization_establish(organization=preparing, on=DAY)


def test_transfer_in_moves_the_subtree(world, preparing):
    group = org(preparing, name="党小组", kind=K.PARTY_GROUP, territory=world.fuzimiao)
    services.organization_transfer_in(
        organization=preparing, new_parent=world.zhonghuamen_org, on=DAY, reason="属地调整"
    )
    preparing.refresh_from_db()
    group.refresh_from_db()
    world.zhonghuamen_org.refresh_from_db()
    assert PartyOrganization.objects.get_parent(preparing) == world.zhonghuamen_org
    assert group.path.startswith(preparing.path)
    event = preparing.events.get()
    assert (event.kind, event.counterpart) == ("transferred_in", "夫子庙街道两新综合党委")
    with pytest.raises(ValidationError, match="下级"):
        services.organization_transfer_in(organization=preparing, new_parent=group, on=DAY)


def test_transfer_out_needs_destination(preparing):
    with pytest.raises(ValidationError):
        services.organization_transfer_out(organization=preparing, on=DAY, counterpart=" ")
    services.organization_transfer_out(organization=preparing, on=DAY, counterpart="上海市浦东新区某党委")
    preparing.refresh_from_db()
    assert preparing.status == "transferred_out"
    assert preparing.events.get().counterpart == "上海市浦东新区某党委"


def test_upgrade_one_level_at_a_time_with_member_thresholds(preparing):
    with pytest.raises(ValidationError, match="只有正常状态"):
        services.organization_upgrade(organization=preparing, on=DAY)
    PartyOrganization.objects.filter(pk=preparing.pk).update(status="active", member_count=49, full_member_count=40)
    with pytest.raises(ValidationError, match="50人以上"):
        services.organization_upgrade(organization=preparing, on=DAY, reason="党员增加")
    PartyOrganization.objects.filter(pk=preparing.pk).update(member_count=50)
    with pytest.raises(ValidationError, match="逐级"):
        services.organization_upgrade(organization=preparing, on=DAY, to_kind=K.COMMITTEE)
    services.organization_upgrade(organization=preparing, on=DAY, reason="党员达到50人")
    preparing.refresh_from_db()
    assert preparing.kind == K.GENERAL_BRANCH
    event = preparing.events.get()
    assert (event.from_kind, event.to_kind) == (K.BRANCH, K.GENERAL_BRANCH)
    with pytest.raises(ValidationError, match="100人以上"):
        services.organization_upgrade(organization=preparing, on=DAY, to_kind=K.COMMITTEE)
    PartyOrganization.objects.filter(pk=preparing.pk).update(member_count=100)
    services.organization_upgrade(organization=preparing, on=DAY, to_kind=K.COMMITTEE)
    preparing.refresh_from_db()
    assert preparing.kind == K.COMMITTEE


def test_dissolve_refused_while_members_remain(preparing):
    PartyOrganization.objects.filter(pk=preparing.pk).update(member_count=2)
    with pytest.raises(ValidationError, match="组织关系转接"):
        services.organization_dissolve(organization=preparing, on=DAY, reason="单位注销")
    assert not preparing.events.exists()


def test_future_and_pre_founding_event_dates_refused(preparing):
    with pytest.raises(ValidationError, match="不能晚于今天"):
        services.organization_establish(organization=preparing, on=dt.date(2099, 1, 1))
    PartyOrganization.objects.filter(pk=preparing.pk).update(full_member_count=3)
    services.organization_establish(organization=preparing, on=DAY)
    with pytest.raises(ValidationError, match="不能早于该组织成立日期"):
        services.organization_transfer_out(organization=preparing, on=DAY - dt.timedelta(days=1), counterpart="外区")


def test_relocate_needs_reason_and_records_both_sides(world, preparing):
    with pytest.raises(ValidationError, match="原因"):
        services.organization_relocate(organization=preparing, on=DAY, reason=" ", territory=world.xinjiekou)
    services.organization_relocate(organization=preparing, on=DAY, reason="单位迁址", territory=world.xinjiekou)
    preparing.refresh_from_db()
    assert preparing.territory == world.xinjiekou
    event = preparing.events.get()
    assert event.kind == "relocated" and "夫子庙街道 → 新街口街道" in event.reason


def test_dissolve_needs_reason_no_live_children_and_releases_units(world, preparing):
    unit = Unit.objects.create(name="某公司", kind="enterprise", territory=world.fuzimiao, organization=preparing)
    child = org(preparing, name="党小组", kind=K.PARTY_GROUP, territory=world.fuzimiao)
    with pytest.raises(ValidationError):
        services.organization_dissolve(organization=preparing, on=DAY, reason="")
    with pytest.raises(ValidationError, match="下级组织"):
        services.organization_dissolve(organization=preparing, on=DAY, reason="企业注销")
    services.organization_dissolve(organization=child, on=DAY, reason="并入支部")
    services.organization_dissolve(organization=preparing, on=DAY, reason="企业注销")
    preparing.refresh_from_db()
    unit.refresh_from_db()
    assert preparing.status == "dissolved" and unit.organization is None
    assert "企业注销" in preparing.events.get().reason


def test_admin_lifecycle_page(client, qinhuai_organizer, xinjiekou_cadre, preparing):
    client.force_login(qinhuai_organizer)
    url = f"/admin/organizations/partyorganization/{preparing.pk}/lifecycle/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "dissolved", "occurred_on": "2025-03-01", "reason": ""})
    assert response.status_code == 200 and "撤销须填写原因" in response.content.decode()
    response = client.post(url, {"kind": "transferred_out", "occurred_on": "2025-03-01", "counterpart": "外省某党委"})
    assert response.status_code == 302
    assert OrganizationEvent.objects.filter(organization=preparing, kind="transferred_out").exists()
    client.force_login(xinjiekou_cadre)
    assert client.get(url).status_code == 404


def test_api_events(api_client, qinhuai_organizer, industry_officer, preparing, world):
    api_client.force_authenticate(qinhuai_organizer)
    url = f"/api/v1/organizations/{preparing.pk}/events/"
    response = api_client.post(url, {"kind": "established", "occurred_on": "2025-03-01"}, format="json")
    assert response.status_code == 400 and "不足3人" in str(response.json())
    PartyOrganization.objects.filter(pk=preparing.pk).update(full_member_count=3, member_count=3)
    response = api_client.post(url, {"kind": "established", "occurred_on": "2025-03-01"}, format="json")
    assert response.status_code == 201
    response = api_client.post(url, {"kind": "upgraded", "occurred_on": "2025-03-01"}, format="json")
    assert response.status_code == 400 and "50人以上" in str(response.json())
    # State and placement are not fields to PATCH: the API says where to go instead.
    detail = f"/api/v1/organizations/{preparing.pk}/"
    for change in ({"status": "dissolved"}, {"kind": "committee"}, {"territory": world.zhonghuamen.pk}):
        response = api_client.patch(detail, change, format="json")
        assert response.status_code == 400 and "events" in str(response.json()), change
    preparing.refresh_from_db()
    assert (preparing.status, preparing.kind, preparing.territory) == ("active", K.BRANCH, world.fuzimiao)
    assert api_client.patch(detail, {"name": "筹建支部（更名）"}, format="json").status_code == 200
    response = api_client.post(
        url,
        {"kind": "relocated", "occurred_on": "2025-03-02", "territory": world.zhonghuamen.pk, "reason": "迁址"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    history = api_client.get(url).json()
    assert [e["kind"] for e in history["results"]] == ["relocated", "established"] and history["next"] is None
    api_client.force_authenticate(industry_officer)
    assert api_client.get(url).status_code == 404


def test_relocation_that_leaves_the_writers_scope_is_refused(client, api_client, industry_officer, world, orgdata):
    """The write rule holds for the lifecycle doors too: an industry committee that releases its
    co-management (解除双纳管) of a branch in another district would lose the branch it just
    wrote — refused (403 in the API, a form error in the admin), nothing changed, no event."""
    courier = orgdata.courier
    assert courier.industry_committee == world.kuaidi_committee
    payload = {"kind": "relocated", "occurred_on": "2025-03-02", "reason": "解除", "clear_industry": True}
    api_client.force_authenticate(industry_officer)
    response = api_client.post(f"/api/v1/organizations/{courier.pk}/events/", payload, format="json")
    assert response.status_code == 403 and "管辖范围" in str(response.json())
    courier.refresh_from_db()
    assert courier.industry_committee == world.kuaidi_committee
    assert not courier.events.exists()

    client.force_login(industry_officer)
    url = f"/admin/organizations/partyorganization/{courier.pk}/lifecycle/"
    response = client.post(url, {**payload, "clear_industry": "on"})
    assert response.status_code == 200 and "管辖范围" in response.content.decode()
    courier.refresh_from_db()
    assert courier.industry_committee == world.kuaidi_committee
    assert not courier.events.exists()
