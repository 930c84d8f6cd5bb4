"""The scope rule over the organizational subtree, the API endpoints (query counts pinned, outsiders)."""

import pytest
from django.contrib.auth import get_user_model

from organizations.models import Meeting, PartyOrganization, Unit
from tests.organizations.conftest import org

pytestmark = pytest.mark.django_db
K = PartyOrganization.Kind


def _names(qs):
    return set(qs.values_list("name", flat=True))


@pytest.mark.smoke
def test_industry_officer_sees_its_organizations_in_every_district_and_nothing_else(industry_officer, world, orgdata):
    # A second co-managed branch in another district (秦淮) joins the line (条).
    other = org(
        world.zhonghuamen_org,
        name="中通快递中华门网点党支部",
        kind=K.BRANCH,
        territory=world.zhonghuamen,
        industry_committee=world.kuaidi_committee,
    )
    Meeting.objects.create(organization=other, kind="theme_day", held_on="2025-01-05", topic="学习")
    Meeting.objects.create(organization=orgdata.branch_a, kind="theme_day", held_on="2025-01-05", topic="学习")
    assert _names(PartyOrganization.objects.visible_to(industry_officer)) == {
        "南京市快递行业党委",
        "顺丰速运新街口营业部党支部",
        "中通快递中华门网点党支部",
    }
    assert _names(Unit.objects.visible_to(industry_officer)) == {"顺丰速运新街口营业部"}
    assert set(Meeting.objects.visible_to(industry_officer).values_list("organization__name", flat=True)) == {
        "中通快递中华门网点党支部"
    }


@pytest.mark.smoke
def test_street_cadre_sees_units_in_their_street(fuzimiao_cadre, xinjiekou_cadre, orgdata):
    assert _names(Unit.objects.visible_to(fuzimiao_cadre)) == {
        "夫子庙美食城",
        "贡院街文创店",
        "乌衣巷茶社",
        "秦淮数字科技有限公司",
        "夫子庙物业服务处",
    }
    assert _names(Unit.objects.visible_to(xinjiekou_cadre)) == {"顺丰速运新街口营业部"}


def test_unit_list_query_count_does_not_grow(api_client, municipal, world, orgdata, django_assert_max_num_queries):
    api_client.force_authenticate(municipal)
    # 2 savepoints (ATOMIC_REQUESTS), posts, 2 permission reads, the page: constant in the row count.
    with django_assert_max_num_queries(6):
        first = api_client.get("/api/v1/units/").json()["results"]
    Unit.objects.bulk_create(
        Unit(name=f"单位{n}", kind="enterprise", territory=world.fuzimiao, organization=orgdata.joint)
        for n in range(30)
    )
    with django_assert_max_num_queries(6):
        again = api_client.get("/api/v1/units/?page_size=50").json()["results"]
    assert len(first) == 7 and len(again) == 37
    assert {r["name"]: r["coverage"] for r in first}["贡院街文创店"] == "joint"


def test_organization_and_body_lists_query_counts(
    api_client, qinhuai_organizer, orgdata, django_assert_max_num_queries
):
    api_client.force_authenticate(qinhuai_organizer)
    with django_assert_max_num_queries(6):
        names = {r["name"] for r in api_client.get("/api/v1/organizations/").json()["results"]}
    assert names == {
        "秦淮区两新工委",
        "夫子庙街道两新综合党委",
        "中华门街道两新综合党委",
        "夫子庙美食城党支部",
        "夫子庙联合党支部",
    }
    with django_assert_max_num_queries(7):
        assert api_client.get("/api/v1/bodies/").status_code == 200


def test_unit_filters(api_client, municipal, orgdata):
    api_client.force_authenticate(municipal)
    get = lambda q: {r["name"] for r in api_client.get(f"/api/v1/units/?{q}").json()["results"]}  # noqa: E731
    assert get("should_build=true") == {"秦淮数字科技有限公司"}
    assert get("coverage=own") == {"夫子庙美食城", "顺丰速运新街口营业部"}
    assert get("territory=320104005000") == {"中华门小吃店"}
    assert get("industry=express") == {"顺丰速运新街口营业部"}


def test_create_unit_and_organization_via_api(api_client, qinhuai_organizer, world, orgdata):
    api_client.force_authenticate(qinhuai_organizer)
    bad = api_client.post(
        "/api/v1/units/",
        {"name": "某公司", "kind": "enterprise", "credit_code": "91350100M000100Y44", "territory": world.fuzimiao.pk},
        format="json",
    )
    assert bad.status_code == 400 and "校验位" in str(bad.json()["credit_code"])
    ok = api_client.post(
        "/api/v1/units/",
        {
            "name": "某公司",
            "kind": "enterprise",
            "credit_code": " ９１３５０１００ｍ０００１００ｙ４３ ",
            "territory": world.fuzimiao.pk,
        },
        format="json",
    )
    assert ok.status_code == 201, ok.json()
    assert Unit.objects.get(name="某公司").credit_code == "91350100M000100Y43"
    outside = api_client.post(
        "/api/v1/units/", {"name": "越界", "kind": "enterprise", "territory": world.xinjiekou.pk}, format="json"
    )
    assert outside.status_code == 400
    created = api_client.post(
        "/api/v1/organizations/",
        {
            "name": "新党支部",
            "kind": "branch",
            "status": "preparing",
            "territory": world.fuzimiao.pk,
            "parent": world.fuzimiao_org.pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    node = PartyOrganization.objects.get(name="新党支部")
    assert PartyOrganization.objects.get_parent(node) == world.fuzimiao_org
    refused = api_client.post(
        "/api/v1/organizations/",
        {
            "name": "直接成立",
            "kind": "branch",
            "status": "active",
            "territory": world.fuzimiao.pk,
            "parent": world.fuzimiao_org.pk,
        },
        format="json",
    )
    assert refused.status_code == 400 and "不足3人" in str(refused.json())
    # Deleting is never the way (no role holds the permission; even a superuser is told to 撤销).
    assert api_client.delete(f"/api/v1/organizations/{node.pk}/").status_code == 404
    admin = get_user_model().objects.create_superuser("root", password="x-Pass-123")
    api_client.force_authenticate(admin)
    response = api_client.delete(f"/api/v1/organizations/{node.pk}/")
    assert response.status_code == 400 and "撤销" in str(response.json())
    assert PartyOrganization.objects.filter(pk=node.pk).exists()


def test_joint_branch_limit_via_api(api_client, qinhuai_organizer, world, orgdata):
    api_client.force_authenticate(qinhuai_organizer)
    for n in range(3):
        assert (
            api_client.post(
                "/api/v1/units/",
                {
                    "name": f"店{n}",
                    "kind": "enterprise",
                    "territory": world.fuzimiao.pk,
                    "organization": orgdata.joint.pk,
                },
                format="json",
            ).status_code
            == 201
        )
    sixth = api_client.post(
        "/api/v1/units/",
        {"name": "店6", "kind": "enterprise", "territory": world.fuzimiao.pk, "organization": orgdata.joint.pk},
        format="json",
    )
    assert sixth.status_code == 400 and "超限理由" in str(sixth.json())


@pytest.mark.parametrize("url", ["/api/v1/units/", "/api/v1/organizations/", "/api/v1/bodies/", "/api/v1/meetings/"])
def test_outsider_gets_nothing(api_client, outsider, orgdata, url):
    api_client.force_authenticate(outsider)
    assert api_client.get(url).status_code == 403
    api_client.force_authenticate(None)
    assert api_client.get(url).status_code in (401, 403)


def test_out_of_scope_detail_is_404(api_client, xinjiekou_cadre, orgdata):
    api_client.force_authenticate(xinjiekou_cadre)
    assert api_client.get(f"/api/v1/units/{orgdata.units['U1'].pk}/").status_code == 404
    assert api_client.get(f"/api/v1/organizations/{orgdata.branch_a.pk}/").status_code == 404
    assert api_client.get(f"/api/v1/units/{orgdata.units['U7'].pk}/").status_code == 200


def test_openapi_documents_the_endpoints(client, municipal):
    client.force_login(municipal)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    for path in (
        "/api/v1/coverage/",
        "/api/v1/violations/",
        "/api/v1/violations/by-district/",
        "/api/v1/organization-scores/",
        "/api/v1/organizations/{id}/events/",
        "/api/v1/meetings/",
    ):
        assert path in schema
