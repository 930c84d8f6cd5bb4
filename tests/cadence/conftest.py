"""A known dataset for cadence tests: units, stations and members in 秦淮 and 玄武."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from cadence.models import KeyTask, Milestone, RectificationItem, RectificationList, WeeklyReport, WorkPlan
from core.tree import add_node
from organizations.models import PartyOrganization, Unit
from stations.models import Station
from tests.members.factories import make_member


@dataclass
class Data:
    fuzimiao_branch: PartyOrganization
    xinjiekou_branch: PartyOrganization
    units_qinhuai: int
    units_xuanwu: int


def _station(code, territory, **extra) -> Station:
    return Station.objects.create(
        code=code,
        name=f"驿站{code}",
        host_type=Station.HostType.SHOP,
        territory=territory,
        longitude="118.78",
        latitude="32.04",
        **extra,
    )


@pytest.fixture
def data(world) -> Data:
    K = PartyOrganization.Kind
    fzm_branch = add_node(
        type(world.fuzimiao_org),
        world.fuzimiao_org,
        code="ZB-FZM-1",
        name="夫子庙某科技公司党支部",
        kind=K.BRANCH,
        territory=world.chaokujie,
    )
    world.xinjiekou_org.refresh_from_db()
    xjk_branch = add_node(
        type(world.xinjiekou_org),
        world.xinjiekou_org,
        code="ZB-XJK-1",
        name="新街口某商贸公司党支部",
        kind=K.BRANCH,
        territory=world.huaqiaolu,
    )
    fzm_branch.refresh_from_db()
    for i in range(3):
        Unit.objects.create(
            name=f"夫子庙覆盖企业{i}", kind=Unit.Kind.ENTERPRISE, territory=world.chaokujie, organization=fzm_branch
        )
    for i in range(2):
        Unit.objects.create(
            name=f"中华门未覆盖企业{i}", kind=Unit.Kind.ENTERPRISE, territory=world.zhonghuamen_community
        )
    Unit.objects.create(
        name="新街口覆盖企业", kind=Unit.Kind.ENTERPRISE, territory=world.huaqiaolu, organization=xjk_branch
    )
    Unit.objects.create(name="新街口未覆盖企业", kind=Unit.Kind.ENTERPRISE, territory=world.huaqiaolu)
    _station("S-FZM-1", world.chaokujie, status=Station.Status.OPEN)
    _station("S-FZM-2", world.chaokujie, status=Station.Status.CLOSED)
    _station("S-XJK-1", world.huaqiaolu, status=Station.Status.OPEN)
    make_member(world.chaokujie, fzm_branch, name="王一")
    make_member(world.chaokujie, fzm_branch, name="王二")
    make_member(world.huaqiaolu, xjk_branch, name="赵三")
    return Data(fzm_branch, xjk_branch, units_qinhuai=5, units_xuanwu=2)


@pytest.fixture(autouse=True)
def _no_dashboard_cache(settings):
    """Dashboard figures are cached for minutes by (scope, node, day); tests read them live."""
    settings.CADENCE_DASHBOARD_CACHE_SECONDS = 0


@pytest.fixture
def flows(data, world, fuzimiao_cadre, django_capture_on_commit_callbacks):
    """Figures that count what happened this month: weekly reports filed on time, late and not
    yet due; key tasks in every state; labour cases, one mediated with a session and agreed."""
    from grievances import mediation as med
    from grievances import taxonomy
    from grievances.models import MediationCommittee
    from grievances.services import grievance_create

    today = timezone.localdate()
    now = timezone.now()
    # Deadlines inside this month so far (whatever day the suite runs on): due before now.
    since = timezone.make_aware(datetime.combine(today.replace(day=1), time.min))
    S = WeeklyReport.Status
    for week, (street, status, filed) in enumerate(
        (
            (world.fuzimiao, S.SUBMITTED, "on time"),
            (world.zhonghuamen, S.DRAFT, None),
            (world.xinjiekou, S.SUBMITTED, "late"),
            (world.zhonghuamen, S.SUBMITTED, "on time"),
        ),
        start=1,
    ):
        due = since + (now - since) * week / 5
        WeeklyReport.objects.create(
            street=street,
            iso_year=2000,
            iso_week=week,
            due_at=due,
            status=status,
            submitted_at={"on time": due - timedelta(seconds=1), "late": due + timedelta(seconds=1)}.get(filed),
            submitted_by=fuzimiao_cadre,
        )
    plan = WorkPlan.objects.create(
        title="年度工作要点", kind="annual", year_start=today.year, year_end=today.year, territory=world.city
    )
    K = KeyTask.Status
    for number, (territory, status, progress, due) in enumerate(
        (
            (world.city, K.ON_TRACK, 40, today - timedelta(days=3)),
            (world.qinhuai, K.DONE, 100, today - timedelta(days=3)),
            (world.fuzimiao, K.AT_RISK, 15, today - timedelta(days=1)),
            (world.chaokujie, K.NOT_STARTED, 0, None),
            (world.xinjiekou, K.ON_TRACK, 55, today + timedelta(days=30)),
        ),
        start=1,
    ):
        KeyTask.objects.create(
            plan=plan,
            number=number,
            title=f"任务{number}",
            territory=territory,
            lead_body=world.scjg,
            status=status,
            progress=progress,
            due_date=due,
        )
    tasks = list(KeyTask.objects.order_by("number"))
    for task in tasks[:3]:
        Milestone.objects.create(task=task, title=f"{task.title}节点", due_date=today - timedelta(days=2))
    for territory in (world.qinhuai, world.fuzimiao, world.xinjiekou):
        rectification = RectificationList.objects.create(title="巡察整改", source="巡察反馈", territory=territory)
        RectificationItem.objects.create(
            rectification=rectification,
            number=1,
            problem="台账不全",
            responsible="组织委员",
            due_date=today - timedelta(days=5),
        )
    taxonomy.install(django_apps)
    cases = []
    for territory in (world.chaokujie, world.chaokujie, world.huaqiaolu, world.zhonghuamen_community):
        with django_capture_on_commit_callbacks(execute=True):
            cases.append(
                grievance_create(
                    text="站点拖欠工资",
                    territory=territory,
                    channel="web",
                    contact_phone="13812345678",
                    category_code="labour",
                )
            )
    committee = MediationCommittee.objects.create(
        name="一站式矛盾纠纷调解中心", kind=MediationCommittee.Kind.CENTRE, territory=world.city
    )
    agreed = med.mediation_open(grievance=cases[0], committee=committee, mediator="李秀英", actor=None)
    med.mediation_session_record(mediation=agreed, held_on=today, notes="双方到场", actor=None)
    med.mediation_close(mediation=agreed, outcome="agreed", agreement="一次付清", amount_fen=150000, actor=None)
    med.mediation_open(grievance=cases[2], committee=committee, mediator="王芳", actor=None)
