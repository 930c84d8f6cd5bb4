"""Routing rules and fallback, re-categorising, SLA deadlines across weekends and holidays."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from core.calendar import add_workdays
from core.models import Holiday
from grievances.models import Grievance, GrievanceEvent, RoutingRule, SlaPolicy
from grievances.services import grievance_recategorize, route_for
from organizations.models import Body
from tests.world import post

pytestmark = pytest.mark.django_db


def local(y, m, d, hh=10, mm=0):
    return timezone.make_aware(datetime(y, m, d, hh, mm))


@pytest.mark.smoke
def test_no_rule_falls_back_to_the_street(world, categories):
    route = route_for(category=categories["schooling"], territory=world.chaokujie_grid)
    assert route.body is None
    assert route.owner_territory == world.fuzimiao


def test_deepest_rule_wins_and_lead_owns_with_co_handlers(world, categories):
    yzgl = Body.objects.create(
        code="SJ-YZGL", name="南京市邮政管理局", kind="committee_member_unit", territory=world.city
    )
    zgh = Body.objects.create(code="SJ-ZGH", name="南京市总工会", kind="member_unit", territory=world.city)
    entry = categories["entry"]
    RoutingRule.objects.create(category=entry, territory=world.city, body=world.scjg)
    RoutingRule.objects.create(category=entry, territory=world.qinhuai, body=zgh, is_lead=False)
    RoutingRule.objects.create(category=entry, territory=world.qinhuai, body=yzgl, is_lead=True)
    in_qinhuai = route_for(category=entry, territory=world.chaokujie)
    assert in_qinhuai.body == yzgl
    assert in_qinhuai.co_bodies == [zgh]
    in_xuanwu = route_for(category=entry, territory=world.huaqiaolu)
    assert in_xuanwu.body == world.scjg and in_xuanwu.owner_territory == world.xinjiekou


def test_inactive_rule_is_ignored(world, categories):
    RoutingRule.objects.create(category=categories["meals"], territory=world.city, body=world.scjg, is_active=False)
    assert route_for(category=categories["meals"], territory=world.chaokujie).body is None


def test_triage_routes_assigns_and_notifies(submit, meals_rule, member_unit_officer):
    grievance = submit("驿站微波炉坏了，中午没法热饭")
    assert grievance.category.code == "meals" and grievance.category_suggested
    assert grievance.body == meals_rule.body
    assert grievance.assignee.user == member_unit_officer
    assert grievance.state == Grievance.State.ASSIGNED
    assert grievance.notices.filter(recipient=member_unit_officer).count() == 1
    kinds = list(grievance.events.values_list("kind", flat=True))
    assert kinds == ["submitted", "triage", "routed"]


def test_street_fallback_assigns_the_street_cadre(submit, fuzimiao_cadre):
    grievance = submit("孩子明年上小学，想了解入学政策")
    assert grievance.body is None
    assert grievance.owner_territory.name == "夫子庙街道"
    assert grievance.assignee.user == fuzimiao_cadre


def test_recategorising_reroutes_and_resnapshots(submit, meals_rule, categories, fuzimiao_cadre, municipal):
    grievance = submit("孩子明年上小学，想了解入学政策")
    assert grievance.body is None
    changed = grievance_recategorize(grievance=grievance, category=categories["meals"], actor=municipal)
    assert changed.body == meals_rule.body
    assert changed.events.filter(kind=GrievanceEvent.Kind.ROUTED, actor=municipal).exists()
    # complex (schooling) had 15 working days; meals is normal: 7 working days from submission
    assert changed.resolve_due_at == add_workdays(changed.submitted_at, 7)


# --- the working-day calendar -----------------------------------------------------------------


@pytest.mark.smoke
def test_workdays_skip_weekends(db):
    # Friday 2026-11-20 + 1 working day → Monday 2026-11-23 18:00
    due = add_workdays(local(2026, 11, 20, 21), 1)
    assert timezone.localtime(due) == local(2026, 11, 23, 18)
    # Friday + 7 working days → the second Tuesday after
    assert timezone.localtime(add_workdays(local(2026, 11, 20, 15), 7)).date() == date(2026, 12, 1)


def test_workdays_skip_holidays_and_count_makeup_days(db):
    for d in range(1, 8):
        Holiday.objects.create(date=date(2026, 10, d), name="国庆节")
    Holiday.objects.create(date=date(2026, 10, 10), name="国庆节调休", is_workday=True)
    # Tue 2026-09-29 + 3 working days: 9-30, (10-1..7 off), 10-8, 10-9
    assert timezone.localtime(add_workdays(local(2026, 9, 29), 3)).date() == date(2026, 10, 9)
    # + 4: Saturday 10-10 is a make-up working day
    assert timezone.localtime(add_workdays(local(2026, 9, 29), 4)).date() == date(2026, 10, 10)


def test_urgent_deadline_is_clock_hours(submit, categories):
    grievance = submit("路口井盖缺失，晚上很危险")
    assert grievance.category.code == "hazard" and grievance.priority == "urgent"
    assert grievance.resolve_due_at == grievance.submitted_at + timedelta(hours=24)
    assert grievance.respond_due_at == grievance.submitted_at + timedelta(hours=2)


def test_sla_is_snapshotted(submit, categories):
    grievance = submit("孩子想在附近幼儿园插班")
    due = grievance.resolve_due_at
    SlaPolicy.objects.filter(category__isnull=True, priority="complex").update(resolve_amount=60)
    grievance.refresh_from_db()
    assert grievance.resolve_due_at == due and grievance.sla_resolve_amount == 15


def test_category_specific_sla_beats_default(submit, categories):
    SlaPolicy.objects.create(category=categories["charging"], priority="normal", respond_hours=4, resolve_amount=3)
    grievance = submit("附近充电桩太少，晚上排队充电")
    assert grievance.sla_respond_hours == 4
    assert grievance.resolve_due_at == add_workdays(grievance.submitted_at, 3)


def test_assignee_prefers_body_post(world, submit, meals_rule, fuzimiao_cadre):
    from django.contrib.auth import get_user_model

    second = get_user_model().objects.create_user("scjg2")
    post(second, "member_unit", body=world.scjg)
    grievance = submit("驿站微波炉坏了，中午没法热饭")
    assert grievance.assignee.body == world.scjg


def test_body_without_posts_falls_back_to_the_street_until_its_officer_claims(
    world, submit, categories, fuzimiao_cadre
):
    from django.contrib.auth import get_user_model

    from grievances.services import grievance_accept

    rsj = Body.objects.create(code="SJ-RSJ", name="南京市人社局", kind="committee_member_unit", territory=world.city)
    RoutingRule.objects.create(category=categories["labour"], territory=world.city, body=rsj)
    grievance = submit("站点拖欠我两个月工资")
    assert grievance.state == Grievance.State.ASSIGNED and grievance.body == rsj
    assert grievance.assignee.user == fuzimiao_cadre  # 属地兜底: the street owns it meanwhile
    officer = get_user_model().objects.create_user("rsj")
    claim = post(officer, "member_unit", body=rsj)
    accepted = grievance_accept(grievance=grievance, actor=officer)
    assert accepted.state == Grievance.State.IN_PROGRESS and accepted.assignee == claim
