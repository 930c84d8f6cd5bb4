"""Celery tasks: each one run twice has one effect; escalation; duplicates; feedback; clustering."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core import sms
from grievances import tasks
from grievances.models import GovernanceProject, Grievance, GrievanceEvent, Notice
from grievances.services import (
    cluster_propose,
    grievance_accept,
    grievance_resolve,
    grievance_triage,
    project_close,
)
from organizations.models import StaffPost
from tests.world import post

pytestmark = pytest.mark.django_db
S = Grievance.State


@pytest.mark.smoke
def test_triage_twice_has_one_effect(submit):
    grievance = submit()
    assert grievance_triage(grievance_id=grievance.pk) is False
    tasks.triage_grievance(grievance.pk)
    assert grievance.events.filter(kind="triage").count() == 1
    assert grievance.events.filter(kind="routed").count() == 1


def test_triage_is_started_after_commit_only(world, categories, django_capture_on_commit_callbacks):
    from grievances.services import grievance_create

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        grievance = grievance_create(channel="web", text="充电桩坏了", territory=world.chaokujie)
    assert Grievance.objects.get(pk=grievance.pk).state == S.SUBMITTED
    assert len(callbacks) == 1
    callbacks[0]()
    assert Grievance.objects.get(pk=grievance.pk).state == S.ASSIGNED


def test_retriage_picks_up_cases_left_submitted(world, categories, django_capture_on_commit_callbacks):
    from grievances.services import grievance_create

    with django_capture_on_commit_callbacks(execute=False):
        grievance = grievance_create(channel="web", text="充电桩坏了", territory=world.chaokujie)
    Grievance.objects.filter(pk=grievance.pk).update(submitted_at=timezone.now() - timedelta(hours=1))
    assert tasks.retriage_stuck() == 1
    assert tasks.retriage_stuck() == 0


def test_duplicate_detection_same_area_similar_text(submit, world):
    first = submit("钞库街小区保安不让快递员进门，只能在门口等")
    second = submit("钞库街小区保安不让快递员进门，只能在门口等半小时")
    elsewhere = submit("钞库街小区保安不让快递员进门，只能在门口等", territory=world.huaqiaolu)
    unrelated = submit("孩子明年上小学，想了解入学政策")
    assert second.suspected_duplicate_of == first
    assert elsewhere.suspected_duplicate_of is None
    assert unrelated.suspected_duplicate_of is None


def test_duplicate_window(submit, settings):
    first = submit("钞库街小区保安不让快递员进门")
    Grievance.objects.filter(pk=first.pk).update(submitted_at=timezone.now() - timedelta(days=30))
    assert submit("钞库街小区保安不让快递员进门").suspected_duplicate_of is None


def test_same_station_duplicates(submit, managed_station, world):
    first = submit("驿站饮水机坏了", station=managed_station, territory=None)
    second = submit("驿站的饮水机坏了没水喝", station=managed_station, territory=None)
    assert first.territory == managed_station.territory
    assert second.suspected_duplicate_of == first


def test_sla_monitor_escalates_street_district_municipal_once(submit, qinhuai_organizer, municipal):
    grievance = submit()
    Grievance.objects.filter(pk=grievance.pk).update(resolve_due_at=timezone.now() - timedelta(hours=1))
    assert tasks.sla_monitor() == 1
    assert tasks.sla_monitor() == 0
    grievance.refresh_from_db()
    assert grievance.escalation_level == Grievance.Escalation.DISTRICT
    assert Notice.objects.filter(grievance=grievance, recipient=qinhuai_organizer, key="escalated:1").count() == 1
    Grievance.objects.filter(pk=grievance.pk).update(resolve_due_at=timezone.now() - timedelta(days=10))
    assert tasks.sla_monitor() == 1
    assert tasks.sla_monitor() == 0
    grievance.refresh_from_db()
    assert grievance.escalation_level == Grievance.Escalation.MUNICIPAL
    assert Notice.objects.filter(grievance=grievance, recipient=municipal).count() == 1
    assert grievance.events.filter(kind=GrievanceEvent.Kind.ESCALATED).count() == 2


def test_sla_monitor_leaves_resolved_and_on_time_cases(submit, fuzimiao_cadre):
    on_time = submit()
    done = submit("另一件")
    grievance_resolve(grievance=done, actor=fuzimiao_cadre, resolution="已解决")
    Grievance.objects.filter(pk=done.pk).update(resolve_due_at=timezone.now() - timedelta(days=1))
    assert tasks.sla_monitor() == 0
    on_time.refresh_from_db()
    assert on_time.escalation_level == 0


def test_feedback_request_sent_once(submit, fuzimiao_cadre, django_capture_on_commit_callbacks):
    grievance = submit(contact_phone="13900001111")
    grievance_resolve(grievance=grievance, actor=fuzimiao_cadre, resolution="已解决")
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_feedback_requests() == 1
        assert tasks.send_feedback_requests() == 0
    assert [m.phone for m in sms.outbox] == ["13900001111"]
    assert grievance.ticket in sms.outbox[0].text


def test_auto_close_after_the_window(submit, fuzimiao_cadre):
    grievance = submit()
    grievance_resolve(grievance=grievance, actor=fuzimiao_cadre, resolution="已解决")
    assert tasks.auto_close() == 0
    Grievance.objects.filter(pk=grievance.pk).update(resolved_at=timezone.now() - timedelta(days=8))
    assert tasks.auto_close() == 1
    assert tasks.auto_close() == 0
    grievance.refresh_from_db()
    assert grievance.state == S.CLOSED and grievance.closed_at


def test_weekly_clustering_is_idempotent_and_project_closes_cases(submit, qinhuai_organizer, settings):
    settings.GRIEVANCES = {"CLUSTER_MIN_CASES": 3}
    cases = [submit(f"第{i}个小区保安不让快递员进门") for i in range(3)]
    submit("孩子明年上小学")
    assert tasks.weekly_clustering() == 1
    assert tasks.weekly_clustering() == 0
    project = GovernanceProject.objects.get()
    assert project.status == GovernanceProject.Status.PROPOSED
    assert set(project.grievances.values_list("pk", flat=True)) == {g.pk for g in cases}
    # a fourth similar case joins the open project instead of a new proposal
    fourth = submit("又一个小区保安不让快递员进门")
    assert cluster_propose() == []
    assert fourth.__class__.objects.get(pk=fourth.pk).project == project
    grievance_accept(grievance=cases[0], actor=qinhuai_organizer)
    count = project_close(project=project, actor=qinhuai_organizer, explanation="已与物业签订骑手通行公约")
    assert count == 4
    assert set(project.grievances.values_list("state", flat=True)) == {S.RESOLVED}
    assert all("骑手通行公约" in g.resolution for g in project.grievances.all())


def test_extension_needs_someone_elses_approval(submit, fuzimiao_cadre, qinhuai_organizer):
    from django.core.exceptions import ValidationError

    from grievances.services import extension_decide, extension_request

    grievance = submit()
    due = grievance.resolve_due_at
    extension = extension_request(grievance=grievance, actor=fuzimiao_cadre, days=3, reason="需协调物业")
    with pytest.raises(ValidationError):
        extension_request(grievance=grievance, actor=fuzimiao_cadre, days=2, reason="再来一次")
    with pytest.raises(ValidationError):
        extension_decide(extension=extension, actor=fuzimiao_cadre, approve=True)  # own request, no right
    extension_decide(extension=extension, actor=qinhuai_organizer, approve=True)
    grievance.refresh_from_db()
    assert grievance.resolve_due_at > due
    with pytest.raises(ValidationError, match="已审批"):
        extension_decide(extension=extension, actor=qinhuai_organizer, approve=True)


def test_escalation_recipients_are_the_district_of_the_case(submit, world):
    from django.contrib.auth import get_user_model

    xuanwu_user = get_user_model().objects.create_user("xuanwu-d")
    post(xuanwu_user, StaffPost.Role.DISTRICT, territory=world.xuanwu)
    grievance = submit()
    Grievance.objects.filter(pk=grievance.pk).update(resolve_due_at=timezone.now() - timedelta(hours=1))
    tasks.sla_monitor()
    assert not Notice.objects.filter(recipient=xuanwu_user).exists()
