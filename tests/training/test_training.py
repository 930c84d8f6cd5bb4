"""Training: budget guard, enrolment and attendance, hours/coverage figures, scope, API, roster."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from organizations.models import CommitteeMember
from tests.training.conftest import make_session
from training import selectors, services
from training.models import Enrolment

pytestmark = pytest.mark.django_db


def test_budget_cannot_be_overspent(course, budget, session):
    make_session(course, number=2, budget=budget, cost=6000)  # 4000 + 6000 = the whole 10000
    with pytest.raises(services.TrainingError, match=r"超出.*余额（尚余 0\.00 元）"):
        make_session(course, number=3, budget=budget, cost=1)
    with pytest.raises(services.TrainingError, match="须选择经费来源"):
        make_session(course, number=3, cost=100)
    # Editing a session re-checks against the rest of the line, not against itself.
    session.cost_yuan = Decimal("4000")
    services.session_save(session=session)


def test_enrol_attend_and_figures(world, session, people, fuzimiao_cadre, qinhuai_organizer):
    CommitteeMember.objects.create(organization=world.fuzimiao_org, name="王书记", position="secretary")
    CommitteeMember.objects.create(organization=world.zhonghuamen_org, name="钱书记", position="secretary")
    sec = services.enrolment_add(
        session=session,
        person=people["secretary"],
        post=Enrolment.Post.SECRETARY,
        organization=world.fuzimiao_org,
        actor=qinhuai_organizer,
    )
    worker = services.enrolment_add(session=session, person=people["worker"], post="worker", actor=qinhuai_organizer)
    with pytest.raises(services.TrainingError, match="已报名"):
        services.enrolment_add(session=session, person=people["worker"], post="worker", actor=qinhuai_organizer)
    # Another district's person is out of the organiser's reach.
    with pytest.raises(services.TrainingError, match=r"学员：.*不在您的管辖范围内"):
        services.enrolment_add(session=session, person=people["xuanwu"], post="worker", actor=qinhuai_organizer)
    services.attendance_record(enrolment=sec, attended=True, actor=qinhuai_organizer)
    services.attendance_record(enrolment=worker, attended=True, hours=Decimal("3"), actor=qinhuai_organizer)
    with pytest.raises(services.TrainingError, match="认定学时"):
        services.attendance_record(enrolment=worker, attended=True, hours=Decimal("7"), actor=qinhuai_organizer)
    figures = selectors.figures(qinhuai_organizer, 2025)
    assert (figures["sessions"], figures["person_times"], figures["hours"]) == (1, 2, Decimal("9.0"))
    assert figures["coverage"] == {"secretaries": 2, "trained": 1, "rate": 0.5}
    hours = selectors.hours_per_person(qinhuai_organizer, 2025)
    assert [(h["person__name"], h["hours"]) for h in hours] == [("王书记", Decimal("6.0")), ("刘干事", Decimal("3.0"))]
    # The street sees its own people's training even though the district organised it.
    assert selectors.figures(fuzimiao_cadre, 2025)["person_times"] == 2
    assert selectors.figures(fuzimiao_cadre, 2025)["sessions"] == 0


def test_capacity_is_enforced(course, people, qinhuai_organizer):
    small = make_session(course, number=5, capacity=1)
    services.enrolment_add(session=small, person=people["worker"], post="worker")
    with pytest.raises(services.TrainingError, match="已满"):
        services.enrolment_add(session=small, person=people["secretary"], post="secretary")
    small.capacity = 0
    with pytest.raises(services.TrainingError, match="计划人数"):
        services.session_save(session=small)


def test_budgets_report_spent_and_left(municipal, session, budget):
    (row,) = selectors.budgets(municipal, 2025)
    assert (row.spent, row.left, row.session_count) == (Decimal("4000.00"), Decimal("6000.00"), 1)


@pytest.mark.parametrize("name", ["budgets", "courses", "sessions", "enrolments"])
def test_outsider_refused(api_client, outsider, session, name):
    api_client.force_authenticate(outsider)
    assert api_client.get(f"/api/v1/training/{name}/").status_code == 403


def test_api_scope_enrol_and_attendance(api_client, qinhuai_organizer, xinjiekou_cadre, session, people):
    api_client.force_authenticate(xinjiekou_cadre)
    assert api_client.get("/api/v1/training/sessions/").json()["results"] == []
    assert api_client.get(f"/api/v1/training/sessions/{session.pk}/").status_code == 404
    response = api_client.post(
        f"/api/v1/training/sessions/{session.pk}/enrol/", {"person": people["xuanwu"].pk, "post": "worker"}
    )
    assert response.status_code == 404
    api_client.force_authenticate(qinhuai_organizer)
    assert [s["id"] for s in api_client.get("/api/v1/training/sessions/").json()["results"]] == [session.pk]
    response = api_client.post(
        f"/api/v1/training/sessions/{session.pk}/enrol/", {"person": people["worker"].pk, "post": "worker"}
    )
    assert response.status_code == 201, response.content
    assert "****" in response.json()["phone"]
    enrolment = response.json()["id"]
    marked = api_client.post(f"/api/v1/training/enrolments/{enrolment}/attendance/", {"attended": True})
    assert marked.json()["status"] == "attended" and marked.json()["hours_credited"] == "6.0"
    over = api_client.post(
        "/api/v1/training/sessions/",
        {"course": session.course_id, "number": 9, "starts_on": "2025-06-01", "ends_on": "2025-06-01"}
        | {"place": "x", "hours": "6", "capacity": 10, "cost_yuan": "100"},
    )
    assert over.status_code == 400 and "经费来源" in over.json()["detail"]


def test_schema_has_training_paths(api_client, municipal):
    api_client.force_authenticate(municipal)
    paths = api_client.get("/api/schema/?format=json").json()["paths"]
    assert "/api/v1/training/courses/" in paths and "/api/v1/training/sessions/" in paths


def test_roster_page_attendance_and_excel(client, qinhuai_organizer, xinjiekou_cadre, session, people):
    client.force_login(xinjiekou_cadre)
    assert client.get(f"/training/sessions/{session.pk}/").status_code == 404
    assert client.get(f"/training/sessions/{session.pk}/roster.xlsx").status_code == 404
    client.force_login(qinhuai_organizer)
    page = client.get(f"/training/sessions/{session.pk}/?q=刘").content.decode()
    assert "刘干事" in page and "赵委员" not in page
    client.post(f"/training/sessions/{session.pk}/enrol/", {"person": people["worker"].pk, "post": "worker"})
    enrolment = Enrolment.objects.get()
    client.post(f"/training/sessions/{session.pk}/attendance/", {f"e{enrolment.pk}": "attended"})
    enrolment.refresh_from_db()
    assert enrolment.status == "attended"
    workbook = load_workbook(io.BytesIO(client.get(f"/training/sessions/{session.pk}/roster.xlsx").content))
    rows = list(workbook.active.iter_rows(values_only=True))
    assert rows[0][0].endswith("花名册")  # the one writer's title row, then the subtitle
    assert rows[2][:3] == ("序号", "姓名", "手机号") and rows[3][1] == "刘干事" and "****" in rows[3][2]
    overview = client.get("/training/?year=2025").content.decode()
    assert "党费专项" not in overview  # the city's budget line is not the district's to see
    assert "秦淮区两新党组织书记培训 第1期" in overview


INLINE = {"enrolments-TOTAL_FORMS": "0", "enrolments-INITIAL_FORMS": "0"}


def test_admin_form_shows_the_budget_refusal(client, municipal, course, budget, session):
    client.force_login(municipal)
    response = client.post(
        "/admin/training/session/add/",
        {"course": course.pk, "number": 7, "starts_on": "2025-07-01", "ends_on": "2025-07-01", "place": "党校"}
        | {"hours": "6", "capacity": "30", "budget": budget.pk, "cost_yuan": "999999"}
        | INLINE,
    )
    assert response.status_code == 200 and "超出" in response.content.decode()
    response = client.post(
        "/admin/training/session/add/",
        {"course": course.pk, "number": 7, "starts_on": "2025-07-01", "ends_on": "2025-07-01", "place": "党校"}
        | {"hours": "6", "capacity": "30", "budget": budget.pk, "cost_yuan": "100"}
        | INLINE,
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert course.sessions.count() == 2 and date(2025, 7, 1) in course.sessions.values_list("starts_on", flat=True)


def test_enrol_picker_finds_a_phone_typed_with_spaces_or_full_width(client, qinhuai_organizer, session, people):
    """The enrol picker searches phones by the one rule (members.selectors.phone_search_q)."""
    client.force_login(qinhuai_organizer)
    phone = people["worker"].phone
    assert phone
    wide = "".join(chr(ord(c) + 0xFEE0) for c in phone)
    for typed in (f"{phone[:3]} {phone[3:7]} {phone[7:]}", wide):
        page = client.get(f"/training/sessions/{session.pk}/", {"q": typed}).content.decode()
        assert "刘干事" in page
