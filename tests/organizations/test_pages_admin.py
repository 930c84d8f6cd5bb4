"""The unit file (一主体一档) with its panel registry, admin changelists and import/export."""

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from organizations.models import PartyOrganization, Unit
from organizations.panels import UnitPanel, register_unit_panel, unregister_unit_panel

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


def test_export_neutralises_formulas(client, world, municipal):
    Unit.objects.create(name='=HYPERLINK("http://x")', kind="enterprise", territory=world.fuzimiao, address="+1-2")
    client.force_login(municipal)
    response = client.get("/admin/organizations/unit/?export=csv")
    assert response.status_code == 200
    csv = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv and "\n=HYPERLINK" not in csv and ",=HYPERLINK" not in csv


def test_export_leaves_out_the_audit_link_column(client, world, municipal):
    """The changelist's 审计日志 column is a link to a page; in a file it was a column of 查看."""
    Unit.objects.create(name="钞库街快递网点", kind="enterprise", territory=world.fuzimiao)
    client.force_login(municipal)
    assert "审计日志" in client.get("/admin/organizations/unit/").content.decode()
    response = client.get("/admin/organizations/unit/?export=csv")
    csv = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")
    header = csv.splitlines()[0]
    assert "钞库街快递网点" in csv and "审计日志" not in header and "查看" not in csv


def test_import_button_leads_to_the_survey_upload(client, world, municipal, fuzimiao_cadre):
    """One import path (issue 19): the admin's 导入 opens the survey upload for the list's kind;
    the old django-import-export pages are gone."""
    client.force_login(municipal)
    for changelist, kind in (
        ("organizations/unit", "units"),
        ("organizations/partyorganization", "organizations"),
        ("stations/station", "stations"),
        ("members/person", "members"),
        ("members/partymembership", "members"),
    ):
        page = client.get(f"/admin/{changelist}/").content.decode()
        assert f'href="/surveys/?kind={kind}" class="import-link"' in page, changelist
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:{changelist.replace('/', '_')}_import")
    upload = client.get("/surveys/?kind=stations")
    assert upload.context["form"].initial == {"kind": "stations"}
    # A street cadre verifies, it does not import: no button.
    client.force_login(fuzimiao_cadre)
    assert "import-link" not in client.get("/admin/organizations/unit/").content.decode()


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


def test_committee_member_and_instructor_phones_are_folded_and_checked(world):
    """A phone typed with a Chinese input method (full width, spaces) is stored as a code; one that
    is no phone at all is refused in Chinese, naming the field."""
    from django.core.exceptions import ValidationError

    from organizations.models import CommitteeMember, Instructor

    member = CommitteeMember(organization=world.fuzimiao_org, name="杨磊", position="organization")
    member.phone = "１３９ １２３４ ５６７８"
    member.full_clean()
    assert member.phone == "13912345678"
    instructor = Instructor(name="周明", territory=world.fuzimiao, phone="０２５－８４５６ １２３４")
    instructor.full_clean()
    assert instructor.phone == "025-84561234"
    member.phone = "一三九"
    with pytest.raises(ValidationError) as refused:
        member.full_clean()
    assert "格式不正确" in refused.value.message_dict["phone"][0]
