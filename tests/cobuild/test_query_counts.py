"""Pinned query counts: the board, the lists and the team and training pages cost the same
whatever the number of rows (no N+1)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cobuild import services as cobuild_services
from tests.cobuild.conftest import make_need, make_resource
from tests.members.factories import make_person
from training.models import Enrolment
from volunteers import services as volunteer_services
from volunteers.models import Team

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    """Statements of a steady-state request: one uncounted request first, so the user's scope and
    permissions (kept in the cache across requests) are not counted once and then not again."""
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _cobuild_rows(fzm, n, user):
    for i in range(n):
        need = make_need(fzm["alliance"], title=f"需求{'甲乙丙丁戊己'[i]}")
        resource = make_resource(fzm["alliance"], fzm["members"][0], name=f"资源{'甲乙丙丁戊己'[i]}")
        cobuild_services.need_claim(need=need, resource=resource, actor=user)


@pytest.mark.parametrize("url", ["/cobuild/", "/api/v1/cobuild/needs/", "/api/v1/cobuild/projects/"])
def test_cobuild_pages_do_not_grow_with_rows(client, fzm, fuzimiao_cadre, url):
    client.force_login(fuzimiao_cadre)
    _cobuild_rows(fzm, 2, fuzimiao_cadre)
    small = _count(client, url)
    for i in range(2, 6):
        need = make_need(fzm["alliance"], title=f"需求{'甲乙丙丁戊己'[i]}")
        resource = make_resource(fzm["alliance"], fzm["members"][0], name=f"资源{'甲乙丙丁戊己'[i]}")
        cobuild_services.need_claim(need=need, resource=resource, actor=fuzimiao_cadre)
    assert _count(client, url) == small


def test_team_list_api_and_page_do_not_grow(client, world, fuzimiao_cadre):
    client.force_login(fuzimiao_cadre)

    def add_team(i):
        team = volunteer_services.team_save(team=Team(name=f"志愿服务队{'甲乙丙丁戊己'[i]}", territory=world.fuzimiao))
        for j in range(3):
            person = make_person(world.fuzimiao, name=f"队员{'甲乙丙丁戊己'[i]}{'子丑寅'[j]}")
            volunteer_services.member_add(team=team, person=person, joined_on=date(2025, 1, 1))

    add_team(0)
    small = (_count(client, "/volunteers/"), _count(client, "/api/v1/volunteers/teams/"))
    for i in range(1, 5):
        add_team(i)
    assert (_count(client, "/volunteers/"), _count(client, "/api/v1/volunteers/teams/")) == small


def test_roster_does_not_grow(client, world, municipal):
    from organizations.models import Body
    from tests.training.conftest import make_session
    from training import services as training_services
    from training.models import Course

    body = Body.objects.get(code="SJ-LXGW")
    course = training_services.course_save(
        course=Course(title="示范培训", level="city", organiser=body, territory=world.city, year=2025)
    )
    session = make_session(course)
    client.force_login(municipal)

    def enrol(i):
        person = make_person(world.fuzimiao, name=f"学员{'甲乙丙丁戊己'[i]}")
        training_services.enrolment_add(session=session, person=person, post=Enrolment.Post.WORKER)

    enrol(0)
    url = f"/training/sessions/{session.pk}/"
    small = (_count(client, url), _count(client, "/training/?year=2025"))
    for i in range(1, 6):
        enrol(i)
    assert (_count(client, url), _count(client, "/training/?year=2025")) == small
