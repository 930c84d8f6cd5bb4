"""Issue 13 on the ground floor: territory codes by structure, credit codes normalised before the
duplicate check, coverage counting only what really covers, and state kept out of forms/imports."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from organizations import selectors as S
from organizations import services
from organizations.models import Instructor, Meeting, PartyOrganization, Territory, Unit
from organizations.validators import credit_code_check_char, territory_code_errors, territory_code_level
from tests.organizations.conftest import org

K = PartyOrganization.Kind
L = Territory.Level
CODE = "91320104MA1MXXXX8" + credit_code_check_char("91320104MA1MXXXX8")


@pytest.mark.smoke
@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("320100", "city"),
        ("320100000000", "city"),
        ("320104", "district"),
        ("320104000000", "district"),
        ("320104002000", "street"),
        ("320104002001", "community"),
        ("320104002001G01", "grid"),
    ],
)
def test_code_structure_gives_the_level(code, level):
    assert territory_code_level(code) == (level, None)


@pytest.mark.smoke
@pytest.mark.parametrize("code", ["ABC", "32010", "3201040020001", "000000", "320000", "320104002000G01", "3201-4"])
def test_malformed_codes_are_refused_in_chinese(code):
    level, error = territory_code_level(code)
    assert level is None and "代码" in error


@pytest.mark.smoke
@pytest.mark.parametrize(
    ("code", "level", "parent_code", "parent_level", "field"),
    [
        ("320102002000", "street", "320104", "district", "code"),  # a 玄武 street under 秦淮
        ("320100", "city", "320104002000", "street", "level"),  # a city under a street
        ("320104002001", "street", "320104002000", "street", "level"),  # code says community
        ("320104002001G01", "grid", "320104002002", "community", "code"),  # another community's grid
        ("320104", "district", None, None, "code"),  # a district needs a parent
    ],
)
def test_child_code_must_extend_its_parent_and_match_its_level(code, level, parent_code, parent_level, field):
    errors = territory_code_errors(code=code, level=level, parent_code=parent_code, parent_level=parent_level)
    assert set(errors) == {field}


@pytest.mark.django_db
def test_territory_add_and_admin_refuse_bad_codes(world, client, municipal):
    with pytest.raises(ValidationError, match="不在上级辖区"):
        services.territory_add(parent=world.qinhuai, code="320102009000", name="错放街道", level=L.STREET)
    node = services.territory_add(parent=world.qinhuai, code="３２０１０４００９０００", name="新街道", level=L.STREET)
    assert node.code == "320104009000"
    client.force_login(municipal)
    response = client.post(
        "/admin/organizations/territory/add/",
        {
            "code": "ABC",
            "name": "乱码",
            "level": "street",
            "treebeard_position": "sorted-child",
            "treebeard_ref_node": world.qinhuai.pk,
        },
    )
    assert response.status_code == 200 and "区划代码“ABC”应为" in response.content.decode()
    assert not Territory.objects.filter(name="乱码").exists()


@pytest.mark.django_db
def test_duplicate_credit_code_in_lower_case_or_full_width_is_a_400(world, api_client, qinhuai_organizer, client):
    Unit.objects.create(name="甲公司", kind="enterprise", territory=world.fuzimiao, credit_code=CODE)
    api_client.force_authenticate(qinhuai_organizer)
    full_width = CODE.lower().translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"})
    for typed in (CODE.lower(), full_width, f" {CODE[:9]} {CODE[9:]} "):
        response = api_client.post(
            "/api/v1/units/",
            {"name": "乙公司", "kind": "enterprise", "territory": world.fuzimiao.pk, "credit_code": typed},
            format="json",
        )
        assert response.status_code == 400, typed
        assert "已登记" in str(response.json()["credit_code"])
    client.force_login(qinhuai_organizer)
    response = client.post(
        "/admin/organizations/unit/add/",
        {"name": "乙公司", "kind": "enterprise", "territory": world.fuzimiao.pk, "credit_code": CODE.lower()},
    )
    assert response.status_code == 200 and "已存在" in response.content.decode()
    assert Unit.objects.filter(credit_code=CODE).count() == 1


@pytest.mark.django_db
def test_coverage_counts_active_organizations_and_in_district_active_instructors(world, municipal):
    preparing = org(world.fuzimiao_org, name="筹建支部", kind=K.BRANCH, territory=world.fuzimiao, status="preparing")
    away = Instructor.objects.create(name="外区指导员", territory=world.xinjiekou)
    retired = Instructor.objects.create(name="离岗指导员", territory=world.fuzimiao, is_active=False)
    here = Instructor.objects.create(name="本区指导员", territory=world.qinhuai)
    make = lambda name, **kw: Unit.objects.create(name=name, kind="enterprise", territory=world.chaokujie, **kw)  # noqa: E731
    make("筹建中覆盖", organization=preparing)
    make("外区指导", instructor=away)
    make("离岗指导", instructor=retired)
    make("本区指导", instructor=here)
    report = S.coverage_rates(municipal, by="district", territory=world.qinhuai)
    assert (report.total.units, report.total.uncovered, report.total.work_covered) == (4, 4, 1)
    assert S.unit_coverage(Unit.objects.get(name="筹建中覆盖")) == S.COVERAGE_NONE


@pytest.mark.django_db
def test_meetings_refused_for_dissolved_organizations_before_founding_and_in_the_future(world):
    branch = org(
        world.fuzimiao_org,
        name="某支部",
        kind=K.BRANCH,
        territory=world.fuzimiao,
        founded_on=dt.date(2024, 6, 1),
        full_member_count=3,
    )
    meeting = Meeting(organization=branch, kind="general_assembly", held_on=dt.date(2024, 5, 1), topic="学习")
    with pytest.raises(ValidationError, match="不能早于该组织成立日期"):
        meeting.full_clean()
    meeting.held_on = dt.date(2099, 1, 1)
    with pytest.raises(ValidationError, match="不能晚于今天"):
        meeting.full_clean()
    PartyOrganization.objects.filter(pk=branch.pk).update(status="dissolved")
    meeting.organization.refresh_from_db()
    meeting.held_on = dt.date(2024, 7, 1)
    with pytest.raises(ValidationError, match="已撤销"):
        meeting.full_clean()


@pytest.mark.django_db
def test_admin_change_form_cannot_change_state_or_placement(world, client, qinhuai_organizer):
    branch = org(
        world.fuzimiao_org, name="某支部", kind=K.BRANCH, territory=world.fuzimiao, full_member_count=0, status="active"
    )
    client.force_login(qinhuai_organizer)
    url = f"/admin/organizations/partyorganization/{branch.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="status"' not in page and 'name="kind"' not in page and 'name="territory"' not in page
    data = {
        "code": "",
        "name": "某支部（改名）",
        "status": "dissolved",
        "kind": "committee",
        "territory": world.zhonghuamen.pk,
        "establishment_mode": "single",
        **{f"{p}-{k}": v for p in ("committee_members", "vanguard_posts", "events") for k, v in _empty_inline()},
    }
    client.post(url, data)
    branch.refresh_from_db()
    assert (branch.status, branch.kind, branch.territory) == ("active", K.BRANCH, world.fuzimiao)


def _empty_inline():
    return [("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"), ("MIN_NUM_FORMS", "0"), ("MAX_NUM_FORMS", "1000")]
