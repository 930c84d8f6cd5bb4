"""The unit file (一主体一档) with its panel registry, admin changelists and import/export."""

import pytest
from django.urls import reverse
from django.utils.html import format_html

from organizations.models import PartyOrganization, Unit
from organizations.panels import UnitPanel, register_unit_panel, unregister_unit_panel
from organizations.resources import PartyOrganizationResource, UnitResource

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel():
    def render(request, unit):
        return format_html("<p>来自上层应用：{}</p>", unit.name)

    def broken(request, unit):
        raise RuntimeError("boom")

    register_unit_panel(UnitPanel(key="test-panel", title="测试栏目", render=render, order=1))
    register_unit_panel(UnitPanel(key="test-broken", title="坏栏目", render=broken, order=2))
    register_unit_panel(UnitPanel(key="test-perm", title="需权限", render=render, permission="members.nonexistent"))
    yield
    for key in ("test-panel", "test-broken", "test-perm"):
        unregister_unit_panel(key)


@pytest.mark.smoke
def test_unit_profile_page(client, fuzimiao_cadre, xinjiekou_cadre, orgdata, panel):
    unit = orgdata.units["U1"]
    client.force_login(fuzimiao_cadre)
    response = client.get(reverse("organizations:unit-profile", args=[unit.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert "夫子庙美食城党支部" in content and "单独建立党组织" in content and "钱指导" in content
    assert "来自上层应用：夫子庙美食城" in content and "该栏目暂时无法显示" in content and "需权限" not in content
    client.force_login(xinjiekou_cadre)
    assert client.get(reverse("organizations:unit-profile", args=[unit.pk])).status_code == 404


def test_should_build_flag_on_unit_page(client, municipal, orgdata):
    client.force_login(municipal)
    content = client.get(reverse("organizations:unit-profile", args=[orgdata.units["U4"].pk])).content.decode()
    assert "应建未建" in content


@pytest.mark.parametrize(
    "url",
    [
        "/admin/organizations/unit/?coverage=none",
        "/admin/organizations/unit/?should_build=yes",
        "/admin/organizations/unit/?work=yes&key_target=any",
        "/admin/organizations/unit/?q=91350100M000100Y43",
        "/admin/organizations/partyorganization/",
        "/admin/organizations/partyorganization/?rule=any",
        "/admin/organizations/partyorganization/?district=320104",
        "/admin/organizations/meeting/",
        "/admin/organizations/instructor/",
        "/admin/organizations/organizationevent/",
        "/admin/organizations/body/",
        "/admin/organizations/responsibility/",
    ],
)
def test_admin_changelists_load_for_the_district(client, qinhuai_organizer, orgdata, url):
    client.force_login(qinhuai_organizer)
    assert client.get(url).status_code == 200


def test_admin_tree_expand(client, qinhuai_organizer, world, orgdata):
    client.force_login(qinhuai_organizer)
    content = client.get(f"/admin/organizations/partyorganization/?under={world.fuzimiao_org.pk}").content.decode()
    assert "夫子庙联合党支部" in content and "中华门街道两新综合党委" not in content


def test_admin_changelist_query_count(client, municipal, world, orgdata, django_assert_max_num_queries):
    client.force_login(municipal)
    client.get("/admin/organizations/unit/")
    Unit.objects.bulk_create(Unit(name=f"单位{n}", kind="enterprise", territory=world.fuzimiao) for n in range(40))
    with django_assert_max_num_queries(25):
        assert client.get("/admin/organizations/unit/").status_code == 200


def test_admin_add_organization_under_parent(client, qinhuai_organizer, world):
    client.force_login(qinhuai_organizer)
    response = client.post(
        "/admin/organizations/partyorganization/add/",
        {
            "parent": world.fuzimiao_org.pk,
            "name": "新建支部",
            "kind": "branch",
            "status": "preparing",
            "territory": world.fuzimiao.pk,
            "establishment_mode": "single",
            "committee_members-TOTAL_FORMS": 0,
            "committee_members-INITIAL_FORMS": 0,
            "vanguard_posts-TOTAL_FORMS": 0,
            "vanguard_posts-INITIAL_FORMS": 0,
            "events-TOTAL_FORMS": 0,
            "events-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert PartyOrganization.objects.get_parent(PartyOrganization.objects.get(name="新建支部")) == world.fuzimiao_org


def test_export_neutralises_formulas(world, municipal, settings):
    settings.IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
    Unit.objects.create(name='=HYPERLINK("http://x")', kind="enterprise", territory=world.fuzimiao, address="+1-2")
    dataset = UnitResource().export(Unit.objects.all())
    row = dict(zip(dataset.headers, dataset[0], strict=True))
    assert row["单位名称"].startswith("'=") and row["地址"] == "'+1-2"
    assert row["单位类型"] == "企业"
    from import_export.formats.base_formats import CSV

    csv = CSV().export_data(dataset)
    assert "'=HYPERLINK" in csv and "\n=HYPERLINK" not in csv


def test_org_export_has_parent_codes(world):
    dataset = PartyOrganizationResource().export(PartyOrganization.objects.order_by("path"))
    rows = {r["组织编码"]: r for r in dataset.dict}
    assert rows["JD-FZM"]["上级组织编码"] == "QW-320104"
    assert rows["SW-LXGW"]["上级组织编码"] == ""


def test_unit_import_scoped_and_validated(world, fuzimiao_cadre):
    import tablib

    headers = ["统一社会信用代码", "单位名称", "单位类型", "所属行业", "辖区代码"]
    data = tablib.Dataset(headers=headers)
    data.append(["９１３５０１００ｍ０００１００ｙ４３", "夫子庙 新店", "企业", "餐饮住宿", "320104003001"])
    data.append(["", "越界店", "企业", "", "320102002000"])
    data.append(["91350100M000100Y44", "坏代码店", "企业", "", "320104003001"])
    result = UnitResource().import_data(data, dry_run=False, user=fuzimiao_cadre)
    assert result.has_validation_errors() or result.has_errors()
    errors = str([r.error for r in result.invalid_rows]) + str(result.row_errors())
    assert "不在您的管辖范围内" in errors and "校验位错误" in errors
    assert not Unit.objects.filter(name__in=["越界店", "坏代码店"]).exists()
    good = tablib.Dataset(headers=headers)
    good.append(["９１３５０１００ｍ０００１００ｙ４３", "夫子庙 新店", "企业", "餐饮住宿", "320104003001"])
    result = UnitResource().import_data(good, dry_run=False, user=fuzimiao_cadre)
    assert not result.has_errors() and not result.has_validation_errors()
    unit = Unit.objects.get(credit_code="91350100M000100Y43")
    assert (unit.industry, unit.territory, unit.name) == ("catering", world.chaokujie, "夫子庙 新店")


def test_org_import_places_new_rows_under_parent(world, qinhuai_organizer):
    import tablib

    data = tablib.Dataset(headers=["组织编码", "名称", "类别", "状态", "上级组织编码", "属地代码"])
    data.append(["zb-new", "导入支部", "党支部", "筹建中", "JD-FZM", "320104003000"])
    result = PartyOrganizationResource().import_data(data, dry_run=False, user=qinhuai_organizer)
    assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows
    node = PartyOrganization.objects.get(code="ZB-NEW")
    assert PartyOrganization.objects.get_parent(node).code == "JD-FZM" and node.status == "preparing"
    active = tablib.Dataset(headers=["组织编码", "名称", "类别", "状态", "上级组织编码", "属地代码"])
    active.append(["ZB-NEW2", "直接成立支部", "党支部", "正常", "JD-FZM", "320104003000"])
    result = PartyOrganizationResource().import_data(active, dry_run=False, user=qinhuai_organizer)
    assert result.has_validation_errors() and "不足3人" in str([r.error for r in result.invalid_rows])


def test_admin_change_pages_show_rules_and_cadence(client, qinhuai_organizer, orgdata):
    client.force_login(qinhuai_organizer)
    url = f"/admin/organizations/partyorganization/{orgdata.branch_a.pk}/change/"
    response = client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert "夫子庙街道两新综合党委" in content and "办理成立/转入/转出/升格/撤销" in content and "主题党日" in content
    assert client.get(f"/admin/organizations/unit/{orgdata.units['U1'].pk}/change/").status_code == 200
    assert client.get(f"/admin/organizations/partyorganization/{orgdata.courier.pk}/change/").status_code == 404


def test_admin_edit_organization_warns_advisories(client, qinhuai_organizer, orgdata):
    PartyOrganization.objects.filter(pk=orgdata.branch_a.pk).update(member_count=60, full_member_count=6)
    client.force_login(qinhuai_organizer)
    url = f"/admin/organizations/partyorganization/{orgdata.branch_a.pk}/change/"
    form = {
        "code": "ZB-A",
        "name": "夫子庙美食城党支部",
        "kind": "branch",
        "status": "active",
        "territory": orgdata.branch_a.territory_id,
        "establishment_mode": "single",
        "instructor": orgdata.instructor.pk,
        "committee_members-TOTAL_FORMS": 0,
        "committee_members-INITIAL_FORMS": 0,
        "vanguard_posts-TOTAL_FORMS": 0,
        "vanguard_posts-INITIAL_FORMS": 0,
        "events-TOTAL_FORMS": 0,
        "events-INITIAL_FORMS": 0,
    }
    response = client.post(url, form, follow=True)
    assert response.status_code == 200
    assert "可考虑成立党总支" in response.content.decode()


def test_organization_autocomplete_is_scoped(client, xinjiekou_cadre, orgdata):
    client.force_login(xinjiekou_cadre)
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "organizations", "model_name": "unit", "field_name": "organization", "term": "党支部"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["顺丰速运新街口营业部党支部"]
