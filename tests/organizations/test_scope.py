"""The one scope rule, over the queryset door, the admin, the API and exports."""

import pytest
from django.urls import reverse

from core.tree import add_node
from organizations.models import PartyOrganization, Territory, Unit
from organizations.scope import restrict, scope_for

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.fixture
def units(world):
    """One unit per street, plus one in 玄武 covered by an org co-managed by 快递行业党委."""
    courier_branch = add_node(
        PartyOrganization,
        world.xinjiekou_org,
        code="ZB-SF",
        name="顺丰速运新街口营业部党支部",
        kind=PartyOrganization.Kind.BRANCH,
        territory=world.huaqiaolu,
        industry_committee=world.kuaidi_committee,
    )
    return {
        "fuzimiao": Unit.objects.create(name="夫子庙美食城", kind=Unit.Kind.MARKET, territory=world.chaokujie_grid),
        "zhonghuamen": Unit.objects.create(
            name="中华门文创园", kind=Unit.Kind.PARK, territory=world.zhonghuamen_community
        ),
        "xinjiekou": Unit.objects.create(name="新街口德基广场", kind=Unit.Kind.TOWER, territory=world.xinjiekou),
        "courier": Unit.objects.create(
            name="顺丰速运新街口营业部",
            kind=Unit.Kind.OUTLET,
            territory=world.huaqiaolu,
            organization=courier_branch,
        ),
    }


def _names(queryset):
    return set(queryset.values_list("name", flat=True))


def test_municipal_sees_everything(municipal, units):
    assert scope_for(municipal).everything
    assert _names(restrict(Unit.objects.all(), municipal)) == {u.name for u in units.values()}


def test_district_sees_its_whole_subtree_and_nothing_else(qinhuai_organizer, units):
    assert _names(Unit.objects.visible_to(qinhuai_organizer)) == {"夫子庙美食城", "中华门文创园"}


def test_street_sees_only_its_street(fuzimiao_cadre, xinjiekou_cadre, units):
    assert _names(Unit.objects.visible_to(fuzimiao_cadre)) == {"夫子庙美食城"}
    assert _names(Unit.objects.visible_to(xinjiekou_cadre)) == {
        "新街口德基广场",
        "顺丰速运新街口营业部",
    }


def test_industry_committee_sees_its_line_across_districts(industry_officer, world, units):
    assert _names(Unit.objects.visible_to(industry_officer)) == {"顺丰速运新街口营业部"}
    orgs = _names(PartyOrganization.objects.visible_to(industry_officer))
    assert orgs == {"南京市快递行业党委", "顺丰速运新街口营业部党支部"}


def test_territory_tree_scoped_for_territorial_posts(fuzimiao_cadre, world):
    visible = set(Territory.objects.visible_to(fuzimiao_cadre).values_list("code", flat=True))
    assert visible == {"320104002000", "320104002005", "320104002005G01"}


def test_line_posts_may_pick_any_territory(industry_officer, world):
    assert Territory.objects.visible_to(industry_officer).count() == Territory.objects.count()


def test_outsider_sees_nothing(outsider, units):
    assert scope_for(outsider).is_empty
    assert not Unit.objects.visible_to(outsider).exists()
    assert not Territory.objects.visible_to(outsider).exists()


def test_two_posts_union(fuzimiao_cadre, world, units):
    from organizations.scope import forget_scope
    from tests.world import post

    post(fuzimiao_cadre, "street", territory=world.xinjiekou)
    forget_scope(fuzimiao_cadre)
    assert _names(Unit.objects.visible_to(fuzimiao_cadre)) == {
        "夫子庙美食城",
        "新街口德基广场",
        "顺丰速运新街口营业部",
    }


# --- admin ----------------------------------------------------------------------------------


def test_admin_changelist_is_scoped(client, fuzimiao_cadre, units):
    client.force_login(fuzimiao_cadre)
    response = client.get(reverse("admin:organizations_unit_changelist"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "夫子庙美食城" in body
    assert "新街口德基广场" not in body
    assert "中华门文创园" not in body


def test_admin_other_streets_record_is_404(client, fuzimiao_cadre, units):
    client.force_login(fuzimiao_cadre)
    other = units["xinjiekou"]
    url = reverse("admin:organizations_unit_change", args=[other.pk])
    assert client.get(url).status_code == 404
    response = client.post(url, {"name": "改名", "kind": "tower", "territory": other.territory_id})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.name == "新街口德基广场"


def test_admin_district_sees_all_of_district(client, qinhuai_organizer, units):
    client.force_login(qinhuai_organizer)
    body = client.get(reverse("admin:organizations_unit_changelist")).content.decode()
    assert "夫子庙美食城" in body and "中华门文创园" in body
    assert "新街口德基广场" not in body
    url = reverse("admin:organizations_unit_change", args=[units["zhonghuamen"].pk])
    assert client.get(url).status_code == 200


def test_admin_form_cannot_place_record_outside_scope(client, fuzimiao_cadre, world, units):
    client.force_login(fuzimiao_cadre)
    response = client.post(
        reverse("admin:organizations_unit_add"),
        {"name": "越界单位", "kind": "enterprise", "territory": world.xinjiekou.pk},
    )
    assert response.status_code == 200  # the form comes back with an error
    assert "territory" in response.context["adminform"].form.errors
    assert not Unit.objects.filter(name="越界单位").exists()


def test_admin_outsider_gets_no_changelist(client, outsider, units):
    client.force_login(outsider)
    assert client.get(reverse("admin:organizations_unit_changelist")).status_code == 403


# --- API ------------------------------------------------------------------------------------


def test_api_list_is_scoped(api_client, fuzimiao_cadre, units):
    api_client.force_authenticate(fuzimiao_cadre)
    response = api_client.get("/api/v1/units/")
    assert response.status_code == 200
    assert {row["name"] for row in response.json()["results"]} == {"夫子庙美食城"}


def test_api_detail_outside_scope_is_404(api_client, fuzimiao_cadre, units):
    api_client.force_authenticate(fuzimiao_cadre)
    assert api_client.get(f"/api/v1/units/{units['xinjiekou'].pk}/").status_code == 404
    response = api_client.patch(f"/api/v1/units/{units['xinjiekou'].pk}/", {"name": "x"})
    assert response.status_code == 404


def test_api_cannot_create_outside_scope(api_client, fuzimiao_cadre, world):
    api_client.force_authenticate(fuzimiao_cadre)
    response = api_client.post(
        "/api/v1/units/",
        {"name": "越界单位", "kind": "enterprise", "territory": world.xinjiekou.pk},
        format="json",
    )
    assert response.status_code == 400
    assert "territory" in response.json()
    ok = api_client.post(
        "/api/v1/units/",
        {"name": "钞库街咖啡馆", "kind": "enterprise", "territory": world.chaokujie.pk},
        format="json",
    )
    assert ok.status_code == 201, ok.json()


def test_api_district_sees_whole_district(api_client, qinhuai_organizer, units):
    api_client.force_authenticate(qinhuai_organizer)
    names = {r["name"] for r in api_client.get("/api/v1/units/").json()["results"]}
    assert names == {"夫子庙美食城", "中华门文创园"}


def test_api_outsider_detail_is_404_and_list_forbidden(api_client, outsider, units):
    api_client.force_authenticate(outsider)
    assert api_client.get(f"/api/v1/units/{units['fuzimiao'].pk}/").status_code == 404
    response = api_client.get("/api/v1/units/")
    assert response.status_code == 403
    assert "results" not in response.json()


def test_api_subtree_filter(api_client, municipal, units):
    api_client.force_authenticate(municipal)
    names = {r["name"] for r in api_client.get("/api/v1/units/?territory=320104").json()["results"]}
    assert names == {"夫子庙美食城", "中华门文创园"}


def test_api_pagination_has_no_count_unless_asked(api_client, municipal, units):
    api_client.force_authenticate(municipal)
    body = api_client.get("/api/v1/units/?page_size=2").json()
    assert "count" not in body and body["next"] and body["previous"] is None
    assert len(body["results"]) == 2
    counted = api_client.get("/api/v1/units/?page_size=2&count=1").json()
    assert counted["count"] == 4


def test_api_me_lists_posts(api_client, fuzimiao_cadre):
    api_client.force_authenticate(fuzimiao_cadre)
    body = api_client.get("/api/v1/me/").json()
    assert body["posts"][0]["role"] == "street"
    assert body["posts"][0]["node"] == "夫子庙街道"


# --- export ---------------------------------------------------------------------------------


def _export_csv(client, user):
    client.force_login(user)
    response = client.get(reverse("admin:organizations_unit_changelist") + "?export=csv")
    assert response.status_code == 200, response.content[:500]
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    return response.content.decode("utf-8-sig")


def test_export_is_scoped(client, fuzimiao_cadre, units):
    text = _export_csv(client, fuzimiao_cadre)
    assert "夫子庙美食城" in text
    assert "新街口德基广场" not in text and "中华门文创园" not in text


def test_export_district(client, qinhuai_organizer, units):
    text = _export_csv(client, qinhuai_organizer)
    assert "夫子庙美食城" in text and "中华门文创园" in text
    assert "新街口德基广场" not in text
