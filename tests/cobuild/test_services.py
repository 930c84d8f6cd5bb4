"""三张清单 services: two-way claims, project 论证 and progress, agreements, suggestions, scope."""

from __future__ import annotations

from datetime import date

import pytest

from cobuild import selectors, services
from cobuild.models import Agreement, Category, Claim, Need, Project
from tests.cobuild.conftest import make_need, make_resource

pytestmark = pytest.mark.django_db


def test_claim_decline_reopens_and_fulfil_meets(fzm, fuzimiao_cadre):
    owner = fzm["members"][0]
    need = make_need(fzm["alliance"])
    first, second = make_resource(fzm["alliance"], owner, name="甲"), make_resource(fzm["alliance"], owner, name="乙")
    claim = services.need_claim(need=need, resource=first, actor=fuzimiao_cadre)
    need.refresh_from_db()
    assert (claim.status, claim.direction, need.status) == ("pending", "claim_need", Need.Status.CLAIMED)
    services.claim_decide(claim=claim, actor=fuzimiao_cadre, accept=False)
    need.refresh_from_db()
    assert need.status == Need.Status.OPEN
    request = services.resource_request(resource=second, need=need, actor=fuzimiao_cadre, note="请支持")
    assert request.direction == Claim.Direction.NEED_REQUESTS_RESOURCE
    services.claim_decide(claim=request, actor=fuzimiao_cadre, accept=True)
    services.claim_fulfil(claim=request, actor=fuzimiao_cadre, on=date(2025, 6, 1))
    need.refresh_from_db()
    assert (need.status, need.met_on) == (Need.Status.MET, date(2025, 6, 1))
    with pytest.raises(services.CobuildError, match="不能再认领"):
        services.need_claim(need=need, resource=first, actor=fuzimiao_cadre)


def test_claim_refusals_name_the_field(fzm, xjk, fuzimiao_cadre, xinjiekou_cadre):
    need = make_need(fzm["alliance"])
    elsewhere = make_resource(xjk["alliance"], xjk["members"][0])
    with pytest.raises(services.CobuildError, match=r"^资源：.*不属于"):
        services.need_claim(need=need, resource=elsewhere, actor=None)
    resource = make_resource(fzm["alliance"], fzm["members"][0])
    services.need_claim(need=need, resource=resource, actor=fuzimiao_cadre)
    with pytest.raises(services.CobuildError, match="已对接过"):
        services.resource_request(resource=resource, need=need, actor=fuzimiao_cadre)
    # A street cadre of 新街口 cannot act on 夫子庙's alliance, and nothing is written.
    other = make_resource(fzm["alliance"], fzm["members"][1], name="另一个")
    with pytest.raises(services.CobuildError, match="不在您的管辖范围内"):
        services.need_claim(need=need, resource=other, actor=xinjiekou_cadre)
    assert Claim.objects.count() == 1


def test_member_of_another_alliance_is_refused(fzm, xjk):
    with pytest.raises(services.CobuildError, match="提供单位"):
        make_resource(fzm["alliance"], xjk["members"][0])


def test_need_status_is_not_writable_through_save(fzm):
    need = make_need(fzm["alliance"])
    need.status = Need.Status.MET
    services.need_save(need=need)
    need.refresh_from_db()
    assert need.status == Need.Status.OPEN


def test_project_review_and_progress(fzm, fuzimiao_cadre):
    need = make_need(fzm["alliance"])
    project = services.project_save(
        project=Project(alliance=fzm["alliance"], lead=fzm["members"][0], title="骑手友好街区"),
        actor=fuzimiao_cadre,
        needs=[need],
    )
    with pytest.raises(services.CobuildError, match="需先论证通过"):
        services.project_progress(project=project, actor=fuzimiao_cadre, progress=10, note="开工")
    with pytest.raises(services.CobuildError, match="论证意见"):
        services.project_review(project=project, actor=fuzimiao_cadre, approve=True, opinion=" ")
    services.project_review(project=project, actor=fuzimiao_cadre, approve=True, opinion="同意")
    services.project_progress(project=project, actor=fuzimiao_cadre, progress=50, note="过半")
    with pytest.raises(services.CobuildError, match="不能低于"):
        services.project_progress(project=project, actor=fuzimiao_cadre, progress=30, note="倒退")
    services.project_progress(project=project, actor=fuzimiao_cadre, progress=100, note="完成")
    project.refresh_from_db()
    assert (project.status, project.progress, project.updates.count()) == (Project.Status.DONE, 100, 2)
    assert list(project.needs.all()) == [need]


def test_agreement_sign_and_renew(fzm, fuzimiao_cadre):
    a, b = fzm["members"]
    with pytest.raises(services.CobuildError, match="至少两家"):
        services.agreement_sign(
            alliance=fzm["alliance"],
            actor=fuzimiao_cadre,
            title="协议",
            signed_on=date(2025, 1, 1),
            starts_on=date(2025, 1, 1),
            ends_on=date(2025, 12, 31),
            parties=[(a, "场地")],
        )
    with pytest.raises(services.CobuildError, match="到期日期"):
        services.agreement_sign(
            alliance=fzm["alliance"],
            actor=fuzimiao_cadre,
            title="协议",
            signed_on=date(2025, 1, 1),
            starts_on=date(2025, 1, 1),
            ends_on=date(2024, 12, 31),
            parties=[(a, "场地"), (b, "志愿者")],
        )
    assert not Agreement.objects.exists()
    agreement = services.agreement_sign(
        alliance=fzm["alliance"],
        actor=fuzimiao_cadre,
        title="共建协议",
        signed_on=date(2025, 1, 1),
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 12, 31),
        parties=[(a, "场地"), (b, "志愿者")],
    )
    renewal = services.agreement_renew(agreement=agreement, actor=fuzimiao_cadre, signed_on=date(2025, 12, 20))
    assert (renewal.starts_on, renewal.ends_on, renewal.renews) == (date(2026, 1, 1), date(2026, 12, 31), agreement)
    assert renewal.parties.count() == 2
    with pytest.raises(services.CobuildError, match="已续签过"):
        services.agreement_renew(agreement=agreement, actor=fuzimiao_cadre)


def test_suggestions_match_category_nearest_first(fzm, fuzimiao_cadre):
    owner = fzm["members"][0]
    need = make_need(fzm["alliance"], lng=118.7886, lat=32.0212)
    far = make_resource(fzm["alliance"], owner, name="远", lng=118.90, lat=32.10)
    near = make_resource(fzm["alliance"], owner, name="近", lng=118.789, lat=32.022)
    unknown = make_resource(fzm["alliance"], owner, name="无坐标")
    make_resource(fzm["alliance"], owner, category=Category.MEALS, name="爱心餐")
    rows = selectors.suggestions_for(need, fuzimiao_cadre)
    assert [s.resource for s in rows] == [near, far, unknown]
    assert rows[0].distance_km < 1 < rows[1].distance_km
    services.need_claim(need=need, resource=near, actor=fuzimiao_cadre)
    assert near not in [s.resource for s in selectors.suggestions_for(need, fuzimiao_cadre)]


def test_figures_are_scoped(fzm, xjk, fuzimiao_cadre, xinjiekou_cadre, municipal):
    need = make_need(fzm["alliance"])
    resource = make_resource(fzm["alliance"], fzm["members"][0])
    claim = services.need_claim(need=need, resource=resource, actor=fuzimiao_cadre)
    services.claim_decide(claim=claim, actor=fuzimiao_cadre, accept=True)
    services.claim_fulfil(claim=claim, actor=fuzimiao_cadre)
    make_need(xjk["alliance"])
    assert selectors.figures(fuzimiao_cadre)["needs_met"] == 1
    assert selectors.figures(fuzimiao_cadre)["resources_used"] == 1
    assert selectors.figures(xinjiekou_cadre) | {} == {
        "needs": 1,
        "needs_met": 0,
        "resources": 0,
        "resources_used": 0,
        "projects": 0,
        "projects_done": 0,
        "agreements_active": 0,
    }
    assert selectors.figures(municipal)["needs"] == 2


def test_batch_suggestions_match_single(fzm, fuzimiao_cadre):
    owner = fzm["members"][0]
    needs = [make_need(fzm["alliance"], lng=118.7886, lat=32.0212), make_need(fzm["alliance"], category=Category.MEALS)]
    make_resource(fzm["alliance"], owner, name="远", lng=118.90, lat=32.10)
    near = make_resource(fzm["alliance"], owner, name="近", lng=118.789, lat=32.022)
    make_resource(fzm["alliance"], owner, category=Category.MEALS, name="爱心餐")
    services.need_claim(need=needs[0], resource=near, actor=fuzimiao_cadre)
    many = selectors.suggestions_for_many(needs, fuzimiao_cadre)
    for need in needs:
        assert [s.resource for s in many[need.pk]] == [
            s.resource for s in selectors.suggestions_for(need, fuzimiao_cadre)
        ]
