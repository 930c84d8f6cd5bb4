"""Staff page writes go through services: project progress and milestones, notices read on opening
a case; the photo-report hand-over through core.cases; tasks enqueued by name after commit."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core import cases, queue
from grievances.models import GovernanceProject, Grievance, Notice
from grievances.services import project_close, project_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(world, categories):
    return GovernanceProject.objects.create(
        title="钞库街快递员进门问题集中治理",
        category=categories["meals"],
        territory=world.chaokujie,
        summary="近期同类诉求 5 件",
    )


def test_progress_and_milestones_from_the_project_page(client, project, qinhuai_organizer, world):
    client.force_login(qinhuai_organizer)
    url = reverse("grievances:project", args=[project.pk])
    response = client.post(
        url, {"action": "progress", "status": "active", "progress": "40", "owner_name": " 李主任 ", "owner": ""}
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.status, project.progress, project.owner_name) == ("active", 40, "李主任")

    client.post(url, {"action": "milestone", "title": "召开物业协调会", "due_on": "2026-03-01"})
    milestone = project.milestones.get()
    assert milestone.title == "召开物业协调会" and milestone.done_on is None
    client.post(url, {"action": "milestone_done", "milestone": str(milestone.pk)})
    milestone.refresh_from_db()
    assert milestone.done_on == timezone.localdate()


def test_finished_project_keeps_its_progress(client, project, qinhuai_organizer):
    project_close(project=project, actor=qinhuai_organizer, explanation="已签订通行公约")
    with pytest.raises(ValidationError, match="项目已完成"):
        project_update(project=project, status="active", progress=10, owner_name="", owner=None)
    with pytest.raises(ValidationError):
        project_update(project=project, status="done", progress=100, owner_name="", owner=None)
    project.refresh_from_db()
    assert (project.status, project.progress) == (GovernanceProject.Status.DONE, 100)


def test_opening_a_case_marks_its_notices_read(client, submit, fuzimiao_cadre):
    grievance = submit()
    notice = Notice.objects.get(recipient=fuzimiao_cadre, grievance=grievance)
    assert notice.read_at is None
    client.force_login(fuzimiao_cadre)
    client.get(reverse("grievances:detail", args=[grievance.ticket]))
    notice.refresh_from_db()
    assert notice.read_at is not None


def test_case_intake_is_registered_for_other_apps(world, categories):
    pk = cases.open_case(channel="photo_report", text="路口井盖缺失", territory=world.chaokujie, source_ref="x:1")
    assert Grievance.objects.get(pk=pk).channel == "photo_report"
    assert cases.open_case(channel="photo_report", text="再报一次", territory=world.chaokujie, source_ref="x:1") == pk


def test_without_a_case_intake_callers_get_a_chinese_error(monkeypatch):
    monkeypatch.setattr(cases, "_intake", None)
    with pytest.raises(ValidationError, match="诉求办理模块未启用"):
        cases.open_case(channel="web", text="x", territory=None)


def test_enqueue_by_name_runs_after_commit(world, categories, django_capture_on_commit_callbacks):
    grievance = Grievance.objects.create(
        ticket="SQ20260101-00001",
        channel="web",
        territory=world.chaokujie,
        text="充电桩坏了",
        submitted_at=timezone.now(),
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queue.enqueue_on_commit("grievances.tasks.triage_grievance", grievance.pk)
    grievance.refresh_from_db()
    assert grievance.state == Grievance.State.SUBMITTED
    callbacks[0]()
    grievance.refresh_from_db()
    assert grievance.state != Grievance.State.SUBMITTED
