"""述职评议 cycle and 先锋指数: services, ranking with minimum sample, scope, API, pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from assessment import selectors, services
from assessment.models import Indicator, SecretaryReview, VanguardIndex
from members.models import PartyMembership
from organizations.models import Body, CommitteeMember, Meeting
from tests.members.factories import make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def qinhuai_body(world):
    return Body.objects.create(
        code="QW-QH", name="秦淮区委两新工委", kind=Body.Kind.DISTRICT_COMMITTEE, territory=world.qinhuai
    )


@pytest.fixture
def cycle(world, qinhuai_body):
    CommitteeMember.objects.create(organization=world.fuzimiao_org, name="王书记", position="secretary")
    CommitteeMember.objects.create(organization=world.zhonghuamen_org, name="钱书记", position="secretary")
    CommitteeMember.objects.create(organization=world.xinjiekou_org, name="赵书记", position="secretary")
    return services.cycle_open(body=qinhuai_body, territory=world.qinhuai, year=2025, title="2025年秦淮区述职评议")


def test_cycle_covers_the_territorys_secretaries(cycle):
    assert sorted(cycle.reviews.values_list("secretary_name", flat=True)) == ["王书记", "钱书记"]
    with pytest.raises(services.AssessmentError, match="已开启"):
        services.cycle_open(body=cycle.body, territory=cycle.territory, year=2025, title="重复")


def test_submit_score_grade_and_close(cycle, fuzimiao_cadre, xinjiekou_cadre):
    review = cycle.reviews.get(secretary_name="王书记")
    with pytest.raises(services.AssessmentError, match="尚未述职"):
        services.review_score(review=review, score=Decimal("90"), actor=fuzimiao_cadre)
    with pytest.raises(services.AssessmentError, match="抓新兴领域党建情况：不能为空"):
        services.review_submit(review=review, report="述职", new_sector_work=" ", actor=fuzimiao_cadre)
    with pytest.raises(services.AssessmentError, match="不在您的管辖范围内"):
        services.review_submit(review=review, report="述职", new_sector_work="走访", actor=xinjiekou_cadre)
    services.review_submit(review=review, report="述职", new_sector_work="走访站点", actor=fuzimiao_cadre)
    with pytest.raises(services.AssessmentError, match="0 到 100"):
        services.review_score(review=review, score=Decimal("101"), actor=fuzimiao_cadre)
    review = services.review_score(review=review, score=Decimal("85.5"), opinion="较好", actor=fuzimiao_cadre)
    assert (review.status, review.grade) == ("reviewed", "good")
    assert [SecretaryReview.grade_for(Decimal(s)) for s in ("90", "79.9", "60", "59")] == [
        "excellent",
        "fair",
        "fair",
        "poor",
    ]
    with pytest.raises(services.AssessmentError, match="尚有 1 名"):
        services.cycle_close(cycle=cycle)
    other = cycle.reviews.get(secretary_name="钱书记")
    services.review_submit(review=other, report="述职", new_sector_work="建站")
    services.review_score(review=other, score=Decimal("92"))
    services.cycle_close(cycle=cycle)
    with pytest.raises(services.AssessmentError, match="已结束"):
        services.review_score(review=other, score=Decimal("70"))


@pytest.fixture
def index(world):
    index = services.index_save(
        index=VanguardIndex(name="党员先锋指数", year=2025, territory=world.qinhuai, min_sample=3)
    )
    for name, source, weight, full in [
        ("组织生活", Indicator.Source.MEETINGS, "40", "100"),
        ("学习培训", Indicator.Source.TRAINING, "30", "12"),
        ("思想引导", Indicator.Source.MANUAL, "30", "10"),
    ]:
        services.indicator_save(
            indicator=Indicator(index=index, name=name, source=source, weight=Decimal(weight), full_marks=Decimal(full))
        )
    return index


def test_weights_are_capped_at_100(index):
    with pytest.raises(services.AssessmentError, match="权重"):
        services.indicator_save(
            indicator=Indicator(index=index, name="多余", source="tasks", weight=Decimal("5"), full_marks=Decimal("1"))
        )


def test_ranking_uses_data_and_respects_minimum_sample(world, index, municipal, fuzimiao_cadre):
    members = [make_member(world.fuzimiao, world.fuzimiao_org, name=n) for n in ("甲党员", "乙党员")]
    Meeting.objects.create(
        organization=world.fuzimiao_org,
        kind="theme_day",
        held_on=date(2025, 4, 1),
        topic="主题党日",
        expected_count=10,
        attended_count=8,
    )
    manual = index.indicators.get(source="manual")
    services.manual_score_set(indicator=manual, person=members[0].person, value=Decimal("10"))
    with pytest.raises(services.AssessmentError, match="由系统计算"):
        services.manual_score_set(indicator=index.indicators.get(source="meetings"), person=members[0].person, value=1)
    result = selectors.ranking(index, municipal)
    # 2 members < min_sample 3: scored but not ranked; the organization average is withheld too.
    assert not result.ranked and [m.rank for m in result.members] == [None, None]
    assert [(m.name, m.total) for m in result.members] == [("甲党员", Decimal("62.0")), ("乙党员", Decimal("32.0"))]
    assert result.organizations[0]["average"] is None
    make_member(world.fuzimiao, world.fuzimiao_org, name="丙党员")
    result = selectors.ranking(index, fuzimiao_cadre)
    assert result.ranked and [m.rank for m in result.members] == [1, 2, 2]
    assert result.organizations[0]["average"] == Decimal("42.0")


@pytest.mark.parametrize("name", ["cycles", "reviews", "indices"])
def test_outsider_refused(api_client, outsider, cycle, name):
    api_client.force_authenticate(outsider)
    assert api_client.get(f"/api/v1/assessment/{name}/").status_code == 403


def test_api_scope_and_actions(api_client, fuzimiao_cadre, xinjiekou_cadre, cycle, index):
    review = cycle.reviews.get(secretary_name="王书记")
    api_client.force_authenticate(xinjiekou_cadre)
    assert api_client.get("/api/v1/assessment/reviews/").json()["results"] == []
    assert api_client.post(f"/api/v1/assessment/reviews/{review.pk}/submit/", {}).status_code == 404
    assert api_client.get(f"/api/v1/assessment/indices/{index.pk}/ranking/").status_code in (403, 404)
    api_client.force_authenticate(fuzimiao_cadre)
    names = [r["secretary_name"] for r in api_client.get("/api/v1/assessment/reviews/").json()["results"]]
    assert names == ["王书记"]
    submitted = api_client.post(
        f"/api/v1/assessment/reviews/{review.pk}/submit/", {"report": "述职", "new_sector_work": "走访"}
    )
    assert submitted.json()["status"] == "submitted"
    scored = api_client.post(f"/api/v1/assessment/reviews/{review.pk}/score/", {"score": "93"})
    assert scored.json()["grade"] == "excellent"
    ranking = api_client.get(f"/api/v1/assessment/indices/{index.pk}/ranking/")
    assert ranking.status_code == 200 and ranking.json()["ranked"] is False


def test_pages(client, fuzimiao_cadre, xinjiekou_cadre, cycle, index):
    client.force_login(xinjiekou_cadre)
    assert "王书记" not in client.get("/assessment/").content.decode()
    client.force_login(fuzimiao_cadre)
    page = client.get(f"/assessment/?cycle={cycle.pk}").content.decode()
    assert "王书记" in page and "钱书记" not in page
    review = cycle.reviews.get(secretary_name="王书记")
    client.post(f"/assessment/reviews/{review.pk}/", {"action": "submit", "report": "述职", "new_sector_work": "走访"})
    client.post(f"/assessment/reviews/{review.pk}/", {"action": "score", "score": "abc"})
    client.post(f"/assessment/reviews/{review.pk}/", {"action": "score", "score": "88"})
    review.refresh_from_db()
    assert (review.status, review.score) == ("reviewed", Decimal("88.0"))
    ranking = client.get(f"/assessment/vanguard/{index.pk}/").content.decode()
    assert "少于最少样本" in ranking or "范围内暂无党员" in ranking


def test_ranking_exports(client, world, index, fuzimiao_cadre, xinjiekou_cadre):
    for name in ("甲党员", "乙党员", "丙党员"):
        make_member(world.fuzimiao, world.fuzimiao_org, name=name)
    manual = index.indicators.get(source="manual")
    services.manual_score_set(
        indicator=manual, person=PartyMembership.objects.get(person__name="甲党员").person, value=Decimal("10")
    )
    client.force_login(fuzimiao_cadre)
    page = client.get(f"/assessment/vanguard/{index.pk}/").content.decode()
    assert "?export=xlsx" in page and "list=organizations" in page
    response = client.get(f"/assessment/vanguard/{index.pk}/?export=xlsx")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    header = list(rows[2])
    assert header[:3] == ["名次", "姓名", "所在党组织"] and header[-1] == "先锋指数（分）"
    assert "思想引导·得分（满分30.0）" in header
    assert [(r[0], r[1], r[-1]) for r in rows[3:]] == [(1, "甲党员", 30), (2, "丙党员", 0), (2, "乙党员", 0)]
    response = client.get(f"/assessment/vanguard/{index.pk}/?list=organizations&export=xlsx")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[3] == (world.fuzimiao_org.name, 3, 10) and rows[4] == ("合计", 3, None)
    # Outside the index's reach: no page, no file.
    client.force_login(xinjiekou_cadre)
    assert client.get(f"/assessment/vanguard/{index.pk}/?export=xlsx").status_code == 404
