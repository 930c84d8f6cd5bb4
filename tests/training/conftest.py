from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from organizations.models import Body
from tests.members.factories import make_member, make_person
from training import services
from training.models import Budget, Course, Session


@pytest.fixture
def qinhuai_body(world):
    return Body.objects.create(
        code="QW-QH", name="秦淮区委两新工委", kind=Body.Kind.DISTRICT_COMMITTEE, territory=world.qinhuai
    )


@pytest.fixture
def budget(world):
    municipal = Body.objects.get(code="SJ-LXGW")
    return services.budget_save(
        budget=Budget(year=2025, name="党费专项", amount_yuan=Decimal("10000"), body=municipal, territory=world.city)
    )


@pytest.fixture
def course(world, qinhuai_body):
    return services.course_save(
        course=Course(
            title="秦淮区两新党组织书记培训",
            level=Course.Level.DISTRICT,
            organiser=qinhuai_body,
            territory=world.qinhuai,
            year=2025,
        )
    )


def make_session(course, number=1, budget=None, cost=0, capacity=50):
    return services.session_save(
        session=Session(
            course=course,
            number=number,
            starts_on=date(2025, 5, 10),
            ends_on=date(2025, 5, 10),
            place="秦淮区党群服务中心",
            hours=Decimal("6.0"),
            capacity=capacity,
            budget=budget,
            cost_yuan=Decimal(cost),
        )
    )


@pytest.fixture
def session(course, budget):
    return make_session(course, budget=budget, cost=4000)


@pytest.fixture
def people(world):
    secretary = make_member(world.fuzimiao, world.fuzimiao_org, name="王书记").person
    worker = make_person(world.fuzimiao, name="刘干事")
    xuanwu = make_person(world.xinjiekou, name="赵委员")
    return {"secretary": secretary, "worker": worker, "xuanwu": xuanwu}
