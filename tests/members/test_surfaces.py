"""Masking and scope across the admin, the API, exports and the pages."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from core.masking import mask_id_number, mask_phone
from members.models import PartyMembership, Person
from members.selectors import member_distribution
from tests.members.factories import make_member, make_person


@pytest.fixture
def people(world):
    zhang = make_person(world.chaokujie, name="张三")
    wang = make_person(world.huaqiaolu, name="王五")
    courier_branch = world.kuaidi_committee  # members directly under the industry committee
    li = make_member(world.zhonghuamen, courier_branch, name="李四")
    return {"zhang": zhang, "wang": wang, "li": li.person}


def _login(client, user, password):
    assert client.login(username=user.username, password=password)


@pytest.mark.smoke
def test_street_cadre_sees_only_their_street(people, fuzimiao_cadre, xinjiekou_cadre, industry_officer):
    assert list(Person.objects.visible_to(fuzimiao_cadre)) == [people["zhang"]]
    assert list(Person.objects.visible_to(xinjiekou_cadre)) == [people["wang"]]
    # The industry committee sees the member of its organization though he lives in 中华门.
    assert list(Person.objects.visible_to(industry_officer)) == [people["li"]]


def test_admin_list_masks_and_searches_by_initials_and_tail(client, people, qinhuai_organizer, password):
    _login(client, qinhuai_organizer, password)
    url = reverse("admin:members_person_changelist")
    body = client.get(url).content.decode()
    zhang = people["zhang"]
    # The list shows the masked phone (the ID number is on the detail page and in the export).
    assert mask_phone(zhang.phone) in body and zhang.id_number not in body and zhang.phone not in body
    assert "王五" not in body  # 玄武 is outside Qinhuai
    assert "张三" in client.get(url, {"q": "zs"}).content.decode()
    assert "张三" not in client.get(url, {"q": "ls"}).content.decode()
    # An ID number only whole, a phone by exactly the 4 digits its mask shows (core.masking).
    assert "张三" in client.get(url, {"q": zhang.id_number}).content.decode()
    assert "张三" in client.get(url, {"q": zhang.phone[-4:]}).content.decode()
    assert "张三" not in client.get(url, {"q": zhang.phone[-6:]}).content.decode()


def test_detail_full_value_is_for_district_and_audited(client, people, qinhuai_organizer, fuzimiao_cadre, password):
    zhang = people["zhang"]
    url = reverse("admin:members_person_change", args=[zhang.pk])
    _login(client, fuzimiao_cadre, password)
    body = client.get(url).content.decode()
    assert zhang.id_number not in body and mask_id_number(zhang.id_number) in body
    content_type = ContentType.objects.get_for_model(Person)
    assert not LogEntry.objects.filter(content_type=content_type, action=LogEntry.Action.ACCESS).exists()
    client.logout()
    _login(client, qinhuai_organizer, password)
    assert zhang.id_number in client.get(url).content.decode()
    access = LogEntry.objects.get(content_type=content_type, object_pk=str(zhang.pk), action=LogEntry.Action.ACCESS)
    assert access.actor == qinhuai_organizer


def test_out_of_scope_detail_is_404(client, people, xinjiekou_cadre, password):
    _login(client, xinjiekou_cadre, password)
    url = reverse("admin:members_person_change", args=[people["zhang"].pk])
    assert client.get(url).status_code == 404


def test_changes_are_audited_with_masked_values(people):
    zhang = people["zhang"]
    zhang.phone = "13900001111"
    zhang.save()
    entry = LogEntry.objects.get_for_object(zhang).order_by("-timestamp").first()
    assert "13900001111" not in str(entry.changes)


def test_export_masks(client, people, qinhuai_organizer, password):
    _login(client, qinhuai_organizer, password)
    response = client.get(reverse("admin:members_person_changelist") + "?export=csv")
    assert response.status_code == 200
    content = response.content.decode("utf-8-sig")
    zhang = people["zhang"]
    assert zhang.id_number not in content and mask_id_number(zhang.id_number) in content


def test_api_masks_and_scopes(api_client, people, fuzimiao_cadre, django_assert_max_num_queries):
    api_client.force_authenticate(fuzimiao_cadre)
    with django_assert_max_num_queries(8):
        response = api_client.get("/api/v1/persons/")
    assert response.status_code == 200
    rows = response.json()["results"]
    zhang = people["zhang"]
    assert [row["name"] for row in rows] == ["张三"]
    assert rows[0]["id_number_masked"] == mask_id_number(zhang.id_number)
    assert zhang.id_number not in response.content.decode() and zhang.phone not in response.content.decode()
    assert api_client.get(f"/api/v1/persons/{people['wang'].pk}/").status_code == 404
    assert api_client.get("/api/v1/persons/", {"q": "zs"}).json()["results"][0]["name"] == "张三"


def test_api_create_validates_id_number(api_client, world, fuzimiao_cadre):
    api_client.force_authenticate(fuzimiao_cadre)
    response = api_client.post(
        "/api/v1/persons/",
        {"name": "周九", "id_number": "32010419900101123", "territory": world.chaokujie.pk},
        format="json",
    )
    assert response.status_code == 400 and "17位" in response.json()["id_number"][0]
    response = api_client.post("/api/v1/persons/", {"name": "周九", "territory": world.huaqiaolu.pk}, format="json")
    assert response.status_code == 400  # another street's territory is not a valid choice


def test_api_outsider(api_client, people, outsider):
    api_client.force_authenticate(outsider)
    for url in ("/api/v1/persons/", "/api/v1/members/", "/api/v1/transfers/"):
        assert api_client.get(url).status_code == 403
    assert api_client.get(f"/api/v1/persons/{people['zhang'].pk}/").status_code == 404


def test_api_transfer_flow_both_sides(api_client, world, fuzimiao_cadre, xinjiekou_cadre):
    membership = make_member(world.fuzimiao, world.fuzimiao_org, name="吴十")
    api_client.force_authenticate(fuzimiao_cadre)
    response = api_client.post(
        "/api/v1/transfers/",
        {"membership": membership.pk, "to_organization": world.xinjiekou_org.pk, "reason": "换工作"},
        format="json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert api_client.post(f"/api/v1/transfers/{pk}/approve/", {}, format="json").json()["status"] == "approved"
    assert api_client.post(f"/api/v1/transfers/{pk}/accept/", {}, format="json").status_code == 400
    api_client.force_authenticate(xinjiekou_cadre)
    assert api_client.get(f"/api/v1/transfers/{pk}/").status_code == 200  # the receiving side sees it
    body = api_client.post(f"/api/v1/transfers/{pk}/accept/", {}, format="json").json()
    assert body["status"] == "accepted" and [e["action"] for e in body["events"]] == ["request", "approve", "accept"]
    membership.refresh_from_db()
    assert membership.organization == world.xinjiekou_org


def test_members_api_masks(api_client, world, qinhuai_organizer):
    membership = make_member(world.fuzimiao, world.fuzimiao_org, name="冯一")
    api_client.force_authenticate(qinhuai_organizer)
    rows = api_client.get("/api/v1/members/").json()["results"]
    assert rows[0]["id_number_masked"] == mask_id_number(membership.person.id_number)
    assert membership.person.id_number not in str(rows)


def test_distribution_selector_and_page(client, world, qinhuai_organizer, xinjiekou_cadre, outsider, password):
    make_member(world.fuzimiao, world.fuzimiao_org, name="陈一")
    make_member(world.zhonghuamen, world.zhonghuamen_org, name="陈二", status=PartyMembership.Status.PROBATIONARY)
    make_member(world.huaqiaolu, world.xinjiekou_org, name="陈三", is_mobile=True, origin_organization_name="安徽某村")
    data = member_distribution(qinhuai_organizer)
    assert (data.total, data.full, data.probationary, data.mobile) == (2, 1, 1, 0)
    assert data.by_district == [("秦淮区", 2)]
    assert sorted(data.by_street) == [("秦淮区中华门街道", 1), ("秦淮区夫子庙街道", 1)]
    assert member_distribution(xinjiekou_cadre).mobile == 1
    _login(client, qinhuai_organizer, password)
    response = client.get(reverse("members:distribution"))
    assert response.status_code == 200 and "vendor/echarts/echarts.min.js" in response.content.decode()
    assert client.get(reverse("members:board")).status_code == 200
    client.logout()
    _login(client, outsider, password)
    assert client.get(reverse("members:distribution")).status_code == 403


# The person page has two inlines: the membership, and the home station (added by points).
INLINE = {
    "membership-TOTAL_FORMS": "0",
    "membership-INITIAL_FORMS": "0",
    "home_station_link-TOTAL_FORMS": "0",
    "home_station_link-INITIAL_FORMS": "0",
}


def test_admin_add_normalises_typed_values_and_street_cadre_cannot_overwrite_masked(
    client, world, fuzimiao_cadre, password
):
    from tests.members.factories import make_id

    _login(client, fuzimiao_cadre, password)
    number = make_id()
    spaced = f"{number[:6]} {number[6:14]} {number[14:]}"
    response = client.post(
        reverse("admin:members_person_add"),
        {
            "name": "买买提 • 艾力",
            "id_number": spaced,
            "phone": "138-0013-8000",
            "occupation": "rider",
            "territory": world.chaokujie.pk,
            **INLINE,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    person = Person.objects.get(id_number=number)
    assert (person.name, person.phone, person.name_initials) == ("买买提·艾力", "13800138000", "mmtal")
    # Editing as a street cadre (masked view) keeps the stored identity.
    client.post(
        reverse("admin:members_person_change", args=[person.pk]),
        {"name": "买买提·艾力", "occupation": "courier", "territory": world.chaokujie.pk, **INLINE},
    )
    person.refresh_from_db()
    assert person.id_number == number and person.phone == "13800138000" and person.occupation == "courier"


def test_admin_add_with_a_registered_id_names_only_what_the_writer_may_see(client, world, fuzimiao_cadre):
    """The admin form answered Django's own "具有 身份证号 的 人员 已存在。" for a registered ID; the
    rule's messages are the service's: by name in scope, "another jurisdiction" outside it."""
    from core.masking import DUPLICATE_ELSEWHERE
    from tests.members.factories import make_id, make_person

    elsewhere = make_person(world.huaqiaolu, name="孔凯", id_number=make_id(region="320102"))
    mine = make_person(world.chaokujie, name="张三")
    client.force_login(fuzimiao_cadre)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in elsewhere.id_number)
    for number, message in (
        (full_width, DUPLICATE_ELSEWHERE),
        (mine.id_number, "该身份证号已登记为“张三”，一人只能登记一次"),
    ):
        response = client.post(
            reverse("admin:members_person_add"),
            {"name": "走查新人", "id_number": number, "occupation": "rider", "territory": world.chaokujie.pk, **INLINE},
        )
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert errors["id_number"] == [message]
        assert "孔凯" not in response.content.decode()
    assert Person.objects.filter(name="走查新人").count() == 0
