"""The branch rules: form-time errors, queryset violations, thresholds as data, per-district counts."""

import pytest
from django.core.exceptions import ValidationError

from organizations import rules as R
from organizations import selectors as S
from organizations.models import BranchRule, CommitteeMember, PartyOrganization, Unit
from tests.organizations.conftest import org

pytestmark = pytest.mark.django_db
K = PartyOrganization.Kind


def _codes(o):
    return {f.code for f in R.findings_for(o)}


@pytest.mark.smoke
def test_activating_a_branch_needs_three_full_members(world):
    branch = org(
        world.fuzimiao_org,
        name="新建党支部",
        kind=K.BRANCH,
        territory=world.fuzimiao,
        status="preparing",
        full_member_count=2,
    )
    branch.status = "active"
    with pytest.raises(ValidationError) as exc:
        branch.full_clean()
    assert "不足3人" in str(exc.value.message_dict["status"])
    branch.full_member_count = 3
    branch.full_clean()


def test_joint_branch_formed_for_shortage_still_needs_three_full_members(world):
    """The regulation lets short-handed units form a joint branch; the joint branch itself still
    needs 3 full members, so a 0- or 2-member joint branch is neither activated nor compliant."""
    joint = org(
        world.fuzimiao_org,
        name="联合党支部",
        kind=K.JOINT_BRANCH,
        territory=world.fuzimiao,
        status="preparing",
        full_member_count=2,
        formed_for_shortage=True,
    )
    joint.status = "active"
    with pytest.raises(ValidationError, match="联合党支部同样须有"):
        joint.full_clean()
    PartyOrganization.objects.filter(pk=joint.pk).update(status="active")
    assert R.BRANCH_MIN_FULL in _codes(joint)


def test_joint_branch_over_five_units_needs_a_reason(world):
    joint = org(
        world.fuzimiao_org, name="联合党支部", kind=K.JOINT_BRANCH, territory=world.fuzimiao, full_member_count=6
    )
    for n in range(5):
        unit = Unit(name=f"小店{n}", kind="enterprise", territory=world.fuzimiao, organization=joint)
        unit.full_clean()
        unit.save()
    sixth = Unit(name="小店6", kind="enterprise", territory=world.fuzimiao, organization=joint)
    with pytest.raises(ValidationError) as exc:
        sixth.full_clean()
    assert "超过5家" in str(exc.value.message_dict["organization"])
    Unit.objects.create(name="小店6", kind="enterprise", territory=world.fuzimiao, organization=joint)  # legacy data
    assert R.JOINT_MAX_UNITS in _codes(joint)
    with pytest.raises(ValidationError) as exc:
        joint.full_clean()
    assert "over_limit_reason" in exc.value.message_dict
    joint.over_limit_reason = "同一楼宇内小微企业，党员流动性大，暂不具备分设条件"
    joint.full_clean()
    joint.save()
    assert R.JOINT_MAX_UNITS not in _codes(joint)
    sixth.organization.refresh_from_db()
    sixth.full_clean()  # with a recorded reason the seventh may join


def test_size_advisories_and_committee_rule(world):
    big = org(
        world.fuzimiao_org,
        name="大支部",
        kind=K.BRANCH,
        territory=world.fuzimiao,
        full_member_count=45,
        member_count=51,
    )
    assert {R.BRANCH_OVER_MEMBERS, R.COMMITTEE_REQUIRED} <= _codes(big)
    assert R.ORG_OVER_MEMBERS not in _codes(big)
    big.member_count = 100
    big.save()
    assert R.ORG_OVER_MEMBERS in _codes(big)
    for position in ("secretary", "organization", "publicity"):
        CommitteeMember.objects.create(organization=big, name="张三", position=position)
    assert R.COMMITTEE_REQUIRED not in _codes(big)
    assert [f.severity for f in R.advisories_for(big)] == ["advisory", "advisory"]


def test_committee_required_at_seven(world):
    branch = org(world.fuzimiao_org, name="支部", kind=K.BRANCH, territory=world.fuzimiao, full_member_count=6)
    assert R.COMMITTEE_REQUIRED not in _codes(branch)
    branch.full_member_count = 7
    branch.save()
    assert R.COMMITTEE_REQUIRED in _codes(branch)


def test_thresholds_are_data(world):
    branch = org(world.fuzimiao_org, name="支部", kind=K.BRANCH, territory=world.fuzimiao, full_member_count=4)
    assert R.BRANCH_MIN_FULL not in _codes(branch)
    BranchRule.objects.filter(code=R.BRANCH_MIN_FULL).update(threshold=5)
    assert R.BRANCH_MIN_FULL in _codes(branch)
    BranchRule.objects.filter(code=R.BRANCH_MIN_FULL).update(is_active=False)
    assert R.BRANCH_MIN_FULL not in _codes(branch)


def test_rule_row_validation():
    rule = BranchRule(code="x", name="x", threshold=0, severity="error", message="{oops}")
    with pytest.raises(ValidationError) as exc:
        rule.full_clean()
    assert set(exc.value.message_dict) >= {"threshold", "message"}


def test_violations_counted_per_district_and_scoped(municipal, qinhuai_organizer, world):
    org(world.fuzimiao_org, name="弱支部", kind=K.BRANCH, territory=world.fuzimiao, full_member_count=1)
    org(world.zhonghuamen_org, name="弱支部2", kind=K.BRANCH, territory=world.zhonghuamen, full_member_count=2)
    org(
        world.xinjiekou_org,
        name="大支部",
        kind=K.BRANCH,
        territory=world.xinjiekou,
        full_member_count=3,
        member_count=60,
    )
    _rules, rows = S.violation_counts_by_district(municipal)
    counts = {r.label: r.counts for r in rows}
    assert counts["秦淮区"][R.BRANCH_MIN_FULL] == 2
    assert counts["玄武区"][R.BRANCH_OVER_MEMBERS] == 1 and counts["玄武区"][R.BRANCH_MIN_FULL] == 0
    assert [r.label for r in S.violation_counts_by_district(qinhuai_organizer)[1]] == ["秦淮区"]
    names = set(S.violating_organizations(qinhuai_organizer).values_list("name", flat=True))
    assert names == {"弱支部", "弱支部2"}


def test_violation_filter_in_admin(client, qinhuai_organizer, world):
    org(world.fuzimiao_org, name="弱支部", kind=K.BRANCH, territory=world.fuzimiao, full_member_count=1)
    org(world.fuzimiao_org, name="好支部", kind=K.BRANCH, territory=world.fuzimiao, full_member_count=5)
    client.force_login(qinhuai_organizer)
    response = client.get("/admin/organizations/partyorganization/?rule=branch_min_full_members")
    assert response.status_code == 200
    content = response.content.decode()
    assert "弱支部" in content and "好支部" not in content


def test_violations_api(api_client, qinhuai_organizer, outsider, world, django_assert_max_num_queries):
    org(world.fuzimiao_org, name="弱支部", kind=K.BRANCH, territory=world.fuzimiao, full_member_count=1)
    org(world.xinjiekou_org, name="玄武弱支部", kind=K.BRANCH, territory=world.xinjiekou, full_member_count=1)
    api_client.force_authenticate(qinhuai_organizer)
    with django_assert_max_num_queries(8):
        response = api_client.get("/api/v1/violations/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["name"], r["rules"]) for r in results] == [("弱支部", ["branch_min_full_members"])]
    by_district = api_client.get("/api/v1/violations/by-district/").json()
    assert [(r["label"], r["total"]) for r in by_district] == [("秦淮区", 1)]
    assert api_client.get("/api/v1/violations/?rule=bogus").status_code == 400
    api_client.force_authenticate(outsider)
    assert api_client.get("/api/v1/violations/").status_code == 403
    assert api_client.get("/api/v1/violations/by-district/").status_code == 403


def test_rules_held_reads_the_table_once_per_block_and_never_beyond(world, django_assert_num_queries):
    with R.rules_held():
        with django_assert_num_queries(1):
            first = R.rules()
            with R.rules_held():  # nested: the outer block holds
                assert R.rules() is first
            assert R.rules() is first
        BranchRule.objects.filter(code=R.BRANCH_MIN_FULL).update(threshold=5)
        assert R.rules()[R.BRANCH_MIN_FULL].threshold == first[R.BRANCH_MIN_FULL].threshold
    # Outside any block every call reads the table: an edit is seen by the next unit of work.
    assert R.rules()[R.BRANCH_MIN_FULL].threshold == 5
    with django_assert_num_queries(2):
        R.rules()
        R.rules()
