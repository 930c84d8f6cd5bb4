"""Demo training, at the articles' scale: 市管党费专项列支 30 万元, 市区联动开展示范培训 52 期,
覆盖党组织书记及党务工作者超 6,300 人次. Twelve city-level sessions and forty district ones
(each district's 工委 organising its own), charged to the 专项 line within its amount.
Deterministic; a second run finds the budget line and adds nothing."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from members.models import Person
from organizations.models import Body, CommitteeMember, Territory
from training import services
from training.models import Budget, Course, Enrolment, Session

BUDGET_NAME = "市管党费专项·新兴领域党组织培训"
BUDGET_YUAN = Decimal("300000")
CITY_SESSIONS, DISTRICT_SESSIONS = 12, 40
PERSON_TIMES = 6_320
SECRETARY_SHARE = 0.4


def _sessions(today: date, rng: random.Random, budget: Budget) -> list[Session]:
    year = today.year
    city = Territory.objects.get(depth=1)
    municipal = Body.objects.get(kind=Body.Kind.MUNICIPAL_COMMITTEE)
    districts = list(Body.objects.filter(kind=Body.Kind.DISTRICT_COMMITTEE).select_related("territory").order_by("id"))
    courses = [
        services.course_save(
            course=Course(
                title=f"{year}年全市新兴领域党组织书记示范培训班",
                kind=Course.Kind.DEMONSTRATION,
                level=Course.Level.CITY,
                audience=Course.Audience.BOTH,
                organiser=municipal,
                territory=city,
                year=year,
                description="政治理论、党建业务、新就业群体服务管理，分层分类、市区联动。",
            )
        )
    ]
    runs = [(courses[0], n + 1) for n in range(CITY_SESSIONS)]
    for index, body in enumerate(districts):
        course = services.course_save(
            course=Course(
                title=f"{year}年{body.territory.name}两新党组织书记及党务工作者培训",
                kind=Course.Kind.LAYERED if index % 3 else Course.Kind.ROUNDTABLE,
                level=Course.Level.DISTRICT,
                audience=Course.Audience.BOTH,
                organiser=body,
                territory=body.territory,
                year=year,
            )
        )
        courses.append(course)
    district_courses = courses[1:]
    for n in range(DISTRICT_SESSIONS):
        course = district_courses[n % len(district_courses)]
        runs.append((course, n // len(district_courses) + 1))
    span = max((today - date(year, 1, 6)).days, 30)
    sessions = []
    for index, (course, number) in enumerate(runs):
        starts = date(year, 1, 6) + timedelta(days=int(span * index / len(runs)))
        city_level = course.level == Course.Level.CITY
        sessions.append(
            services.session_save(
                session=Session(
                    course=course,
                    number=number,
                    starts_on=starts,
                    ends_on=starts + timedelta(days=1 if city_level else 0),
                    place="南京市委党校" if city_level else f"{course.territory.name}党群服务中心",
                    hours=Decimal("12.0") if city_level else Decimal("6.0"),
                    capacity=160,
                    budget=budget,
                    cost_yuan=Decimal(rng.choice([7800, 8200, 8600]))
                    if city_level
                    else Decimal(rng.choice([4200, 4600, 5000])),
                )
            )
        )
    return sessions


def _enrol(sessions: list[Session], today: date, rng: random.Random) -> int:
    pool = list(
        Person.objects.filter(membership__isnull=False).values_list("pk", "membership__organization_id").order_by("pk")
    )
    if not pool:
        return 0
    secretary_orgs = list(
        CommitteeMember.objects.filter(position=CommitteeMember.Position.SECRETARY)
        .values_list("organization_id", flat=True)
        .order_by("organization_id")
    )
    per_session = PERSON_TIMES // len(sessions) + 1
    rows, next_org = [], 0
    for session in sessions:
        picked = rng.sample(pool, min(per_session, len(pool)))
        past = session.ends_on < today
        for person_id, organization_id in picked:
            secretary = secretary_orgs and rng.random() < SECRETARY_SHARE
            if secretary:
                organization_id = secretary_orgs[next_org % len(secretary_orgs)]
                next_org += 1
            present = past and rng.random() < 0.96
            status = (
                Enrolment.Status.ATTENDED
                if present
                else (Enrolment.Status.ABSENT if past else Enrolment.Status.ENROLLED)
            )
            rows.append(
                Enrolment(
                    session=session,
                    person_id=person_id,
                    organization_id=organization_id,
                    post=Enrolment.Post.SECRETARY if secretary else Enrolment.Post.WORKER,
                    status=status,
                    hours_credited=session.hours if present else Decimal("0"),
                )
            )
    # Thousands of rows: written in bulk. Each session gets a distinct sample within its
    # capacity, so the rules enrolment_add enforces (once per session, capacity) still hold.
    Enrolment.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def seed(stdout=None) -> None:
    if not Body.objects.filter(kind=Body.Kind.MUNICIPAL_COMMITTEE).exists():
        return
    today = timezone.localdate()
    if Budget.objects.filter(year=today.year, name=BUDGET_NAME).exists():
        return
    rng = random.Random(20251130)
    city = Territory.objects.get(depth=1)
    budget = services.budget_save(
        budget=Budget(
            year=today.year,
            name=BUDGET_NAME,
            amount_yuan=BUDGET_YUAN,
            body=Body.objects.get(kind=Body.Kind.MUNICIPAL_COMMITTEE),
            territory=city,
        )
    )
    sessions = _sessions(today, rng, budget)
    enrolled = _enrol(sessions, today, rng)
    if stdout is not None:
        stdout.write(f"培训：{len(sessions)} 期，报名 {enrolled} 人次，经费 {BUDGET_YUAN} 元\n")
