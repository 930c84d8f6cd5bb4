"""Coverage numbers on the small known dataset, by district, street and industry; 应建未建."""

import pytest

from organizations import selectors as S
from organizations.models import BranchRule

pytestmark = pytest.mark.django_db


def _rows(report):
    return {r.label: (r.units, r.own, r.joint, r.uncovered, r.work_covered, r.should_build) for r in report.rows}


@pytest.mark.smoke
def test_coverage_by_district(municipal, orgdata):
    report = S.coverage_rates(municipal, by="district")
    assert _rows(report) == {"秦淮区": (6, 1, 2, 3, 2, 1), "玄武区": (1, 1, 0, 0, 0, 0)}
    assert (report.total.units, report.total.org_covered, report.total.work_covered) == (7, 4, 2)
    assert {r.label: r for r in report.rows}["秦淮区"].org_rate == pytest.approx(3 / 6)


def test_coverage_by_street_within_a_district(municipal, world, orgdata):
    report = S.coverage_rates(municipal, by="street", territory=world.qinhuai)
    assert _rows(report) == {"夫子庙街道": (5, 1, 2, 2, 2, 1), "中华门街道": (1, 0, 0, 1, 0, 0)}


def test_coverage_by_industry(municipal, orgdata):
    rows = _rows(S.coverage_rates(municipal, by="industry"))
    assert rows["餐饮住宿"] == (2, 1, 0, 1, 1, 0)
    assert rows["商贸零售"] == (2, 0, 2, 0, 0, 0)
    assert rows["快递物流"] == (1, 1, 0, 0, 0, 0)
    assert rows["软件和信息服务"] == (1, 0, 0, 1, 0, 1)


def test_coverage_follows_scope(fuzimiao_cadre, industry_officer, outsider, orgdata):
    assert _rows(S.coverage_rates(fuzimiao_cadre, by="district")) == {"秦淮区": (5, 1, 2, 2, 2, 1)}
    assert _rows(S.coverage_rates(industry_officer, by="district")) == {"玄武区": (1, 1, 0, 0, 0, 0)}
    assert S.coverage_rates(outsider).rows == []


def test_unit_coverage_kinds(orgdata):
    u = orgdata.units
    assert [S.unit_coverage(u[k]) for k in ("U1", "U2", "U4")] == ["own", "joint", "none"]


def test_should_build_threshold_is_data(municipal, orgdata):
    assert [u.name for u in S.should_build_units(municipal)] == ["秦淮数字科技有限公司"]
    BranchRule.objects.filter(code="should_build_min_full_members").update(threshold=4)
    assert list(S.should_build_units(municipal)) == []


def test_coverage_api(api_client, qinhuai_organizer, orgdata, django_assert_max_num_queries):
    api_client.force_authenticate(qinhuai_organizer)
    # 2 savepoints (ATOMIC_REQUESTS), 2 permission reads, posts, rules, the aggregate, the labels.
    with django_assert_max_num_queries(8):
        response = api_client.get("/api/v1/coverage/?by=street")
    assert response.status_code == 200
    rows = {r["label"]: r["units"] for r in response.json()["rows"]}
    assert rows == {"夫子庙街道": 5, "中华门街道": 1}
    assert response.json()["total"]["should_build"] == 1
    assert api_client.get("/api/v1/coverage/?by=nonsense").status_code == 400
    # A territory outside the caller's scope answers like a missing one.
    assert api_client.get("/api/v1/coverage/?territory=320102").status_code == 404


def test_coverage_api_outsider(api_client, outsider, orgdata):
    api_client.force_authenticate(outsider)
    assert api_client.get("/api/v1/coverage/").status_code == 403
    api_client.force_authenticate(None)
    assert api_client.get("/api/v1/coverage/").status_code in (401, 403)


def test_coverage_page(client, qinhuai_organizer, outsider, password, orgdata):
    client.force_login(qinhuai_organizer)
    response = client.get("/organizations/coverage/?by=street&territory=320104")
    assert response.status_code == 200
    content = response.content.decode()
    assert "夫子庙街道" in content and "秦淮数字科技有限公司" in content and "新街口" not in content
    # Another district answers like a territory that does not exist, on the page as in the API.
    assert client.get("/organizations/coverage/?territory=320102").status_code == 404
    assert client.get("/organizations/coverage/?territory=999999").status_code == 404
    assert client.get("/organizations/scores/?territory=320102").status_code == 404
    client.force_login(outsider)
    assert client.get("/organizations/coverage/").status_code == 403
