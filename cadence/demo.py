"""Demo data of the cadence: the 2025–2027 plan with this year's 24 key tasks, a season of
weekly reports from most streets (some late, one in twenty silent), a rectification list, secretary projects,
a scoring scheme, and today's inventory and this month's dispatch. Idempotent: rows are found by
their natural keys, snapshots are upserts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from cadence.models import (
    DailySnapshot,
    KeyTask,
    Milestone,
    RectificationItem,
    RectificationList,
    ScoringCriterion,
    ScoringScheme,
    SecretaryProject,
    WeeklyReport,
    WeeklyReportEvent,
    WorkPlan,
)
from cadence.nodes import Node
from cadence.services import dispatch, snapshots, weekly
from cadence.services.weekly_figures import weekly_figures
from organizations.demo import demo_streets
from organizations.models import Body, PartyOrganization, Territory

# Nanjing's 24 numbered key tasks of the year (seed 002: "24项重点任务"), each led by a body of
# "1+9+27" with its supporters, in every state a year of work leaves them in.
KEY_TASKS = [
    ("推进新就业群体党建“扩面提质”，新建快递、外卖站点党组织", "SJ-YZGL", ["SJ-JTYS"], "on_track", 70),
    ("开展“双线摸排”，实现应建未建单位动态清零", "SJ-SCJG", ["SJ-RSJ"], "on_track", 60),
    ("建成宁小蜂驿站 1000 个以上，其中旗舰型 12 个、重点型 100 个", "SJ-ZGH", ["SJ-TSW"], "done", 100),
    ("选派党建工作指导员，实现规上企业工作覆盖", "SJ-RSJ", [], "at_risk", 35),
    ("组织关系转接“一键办”，全年完成线上转接", "SJ-LXGW", [], "on_track", 80),
    ("建立诉求“征集—汇总—处理—反馈”闭环，办结率不低于 90%", "SJ-JTYS", ["SJ-SCJG"], "on_track", 65),
    ("推行“服务—积分—激励”机制，发展流动网格员", "SJ-TSW", ["SJ-FL"], "not_started", 10),
    ("开展“聚心行动”关爱活动，送清凉、送体检", "SJ-FL", ["SJ-ZGH"], "done", 100),
    ("健全行业党委“双纳管”机制，快递、外卖、网约车行业全覆盖", "SJ-ZZB", ["SJ-YZGL", "SJ-JTYS"], "on_track", 55),
    ("推动平台企业总部党组织与属地街道结对共建", "SJ-GXJ", ["SJ-SWJ"], "on_track", 50),
    ("建设商务楼宇、产业园区区域党委，实现重点楼宇园区覆盖", "SJ-SWJ", ["SJ-GXJ"], "at_risk", 40),
    ("开展产业链党建，组建软件和信息服务产业链党委", "SJ-GXJ", ["SJ-KJJ"], "done", 100),
    ("实施新兴领域党组织书记“头雁”培训，全年轮训一遍", "SJ-ZZB", [], "on_track", 75),
    ("整顿软弱涣散党组织，后 10% 党组织逐一销号", "SJ-LXGW", ["SJ-ZZB"], "at_risk", 30),
    ("评选先进党组织（前 15%），选树新就业群体先进典型", "SJ-XCB", ["SJ-ZGH"], "not_started", 5),
    ("发展新就业群体党员，用好新兴领域专项发展指标", "SJ-ZZB", [], "on_track", 60),
    ("排查登记流动党员、“隐形党员”，纳入属地管理", "SJ-LXGW", ["SJ-GAJ"], "on_track", 58),
    ("推进新就业形态劳动者入会，建设工会驿站", "SJ-ZGH", [], "on_track", 72),
    ("破解快递员“进门难”，推动住宅小区开放快递通道", "SJ-FCJ", ["SJ-YZGL", "SJ-CGJ"], "at_risk", 25),
    ("建设“小蜂公寓”，解决新就业群体阶段性住房需求", "SJ-FCJ", ["SJ-ZGH"], "on_track", 45),
    ("落实随迁子女入学政策，保障新就业群体子女入学", "SJ-JYJ", ["SJ-FL"], "done", 100),
    ("建设友好地图，上线 500 个以上友好点位和“宁新码”", "SJ-SJJ", ["SJ-WXB"], "on_track", 68),
    ("开展新就业群体职业技能培训和权益保障专项行动", "SJ-RSJ", ["SJ-SFJ"], "not_started", 0),
    ("开展覆盖质量年度考核，考核结果纳入各区党建述职评议", "SJ-LXGW", [], "on_track", 40),
]

WEEKLY_TEXT = {
    "work_done": "走访辖区快递、外卖站点 6 个，完成 2 家单位应建未建核实；驿站开展“送清凉”活动一次。",
    "problems": "部分站点负责人流动性大，党员组织关系转接进度慢。",
    "help_needed": "请区里协调邮政管理部门提供最新网点名单。",
    "next_week_plan": "完成钞库街社区网格走访；推进 1 个联合党支部组建。",
}


def seed(stdout=None) -> None:
    city = Territory.objects.filter(level=Territory.Level.CITY).first()
    if city is None:
        return
    today = timezone.localdate()
    seed_plans(city, today)
    seed_weekly(today)
    seed_rectification(today)
    seed_secretary_projects(today)
    seed_scheme(today)
    seed_snapshots(today)


def seed_snapshots(today) -> None:
    """Today's inventory of the city, the districts, the demo streets and the industry
    committees, and the city's dispatch of last month. Skipped when today's city snapshot
    exists: a second run the same day adds nothing and costs nothing (the beat task and
    ``run_report`` cover the rest of the tree)."""
    city = Node.parse(settings.PORTAL_CITY_CODE)
    if city is None or DailySnapshot.objects.filter(kind="daily", date=today, node_key=city.key).exists():
        return
    demo_streets = {
        f"T:{code}"
        for code in Territory.objects.filter(
            level=Territory.Level.STREET, name__in=["夫子庙街道", "中华门街道", "新街口街道"]
        ).values_list("code", flat=True)
    }
    keys = [k for k in snapshots.daily_inventory_nodes() if not k.startswith("T:") or len(k) == 8 or k in demo_streets]
    snapshots.daily_inventory_run(day=today, node_keys=keys)
    dispatch.monthly_dispatch_build(node=city, day=today)


def seed_plans(city: Territory, today) -> None:
    parent, _ = WorkPlan.objects.get_or_create(
        title="南京市新兴领域党建工作三年行动计划（2025—2027年）",
        defaults={"kind": WorkPlan.Kind.MULTI_YEAR, "year_start": 2025, "year_end": 2027, "territory": city},
    )
    plan, _ = WorkPlan.objects.get_or_create(
        title=f"{today.year}年全市新兴领域党建工作要点",
        defaults={
            "kind": WorkPlan.Kind.ANNUAL,
            "year_start": today.year,
            "year_end": today.year,
            "territory": city,
            "parent": parent,
        },
    )
    bodies = {b.code: b for b in Body.objects.all()}
    for number, (title, lead, supporting, status, progress) in enumerate(KEY_TASKS, start=1):
        if lead not in bodies:
            continue
        task, created = KeyTask.objects.get_or_create(
            plan=plan,
            number=number,
            defaults={
                "title": title,
                "territory": city,
                "lead_body": bodies[lead],
                "status": status,
                "progress": progress,
                "due_date": today.replace(month=12, day=31) if number % 4 else today - timedelta(days=20),
            },
        )
        if created:
            task.supporting_bodies.set([bodies[c] for c in supporting if c in bodies])
            Milestone.objects.create(
                task=task,
                title="制定实施方案",
                due_date=today.replace(month=3, day=31),
                done_on=today.replace(month=3, day=28),
            )
            Milestone.objects.create(
                task=task,
                title="年中评估",
                due_date=today.replace(month=7, day=15),
                done_on=None if status in ("at_risk", "not_started") else today.replace(month=7, day=10),
            )
            Milestone.objects.create(task=task, title="年终验收", due_date=today.replace(month=12, day=20))


WEEKS_IN_SEASON = 13
# Of every twenty streets: one never files (a silent street), and every seventh report is late.
SILENT_EVERY = 20
LATE_EVERY = 7


def seed_weekly(today) -> None:
    """A season (13 weeks) of weekly reports from most streets: most on time, some late, one in
    twenty streets silent and the latest week still open for a few, so the grid, the reminders
    and the dispatch's overdue list all have something true to show."""
    User = get_user_model()
    cadres = {u.username: u for u in User.objects.filter(username__in=["fuzimiao", "xinjiekou", "qinhuai"])}
    streets = demo_streets()  # the streets with demo organizations (organizations.demo)
    # Each report carries its own week's figures, as the prefill gives them: a report showing
    # another week's figures (dated before its own week began) would be demo data that breaks the
    # rule it shows. The statements are kept across the season's 13 × 44 calls (``kept``):
    # about 30 ms a call on SQLite, 17 s for the season, where unkept calls took twice that.
    for back in range(WEEKS_IN_SEASON, 0, -1):
        iso_year, iso_week, _ = (today - timedelta(weeks=back)).isocalendar()
        done = set(
            WeeklyReport.objects.filter(iso_year=iso_year, iso_week=iso_week).values_list("street_id", flat=True)
        )
        for index, street in enumerate(streets):
            if street.pk in done:
                continue
            figures, month_figures, as_of = weekly_figures(street, iso_year, iso_week, kept=True)
            report = WeeklyReport.objects.create(
                street=street,
                iso_year=iso_year,
                iso_week=iso_week,
                due_at=weekly.due_at_for(iso_year, iso_week),
                figures=figures,
                month_figures=month_figures,
                figures_as_of=as_of,
            )
            WeeklyReportEvent.objects.create(report=report, action=WeeklyReportEvent.Action.CREATED)
            silent = index % SILENT_EVERY == SILENT_EVERY - 1
            if silent or (back == 1 and index % 4 == 1):
                continue  # not filed: a silent street, or this week still open
            actor = cadres.get("fuzimiao" if street.name == "夫子庙街道" else "xinjiekou")
            for name, text in WEEKLY_TEXT.items():
                setattr(report, name, text)
            late = (back * 3 + index) % LATE_EVERY == 0
            report.status = WeeklyReport.Status.REVIEWED if back > 2 else WeeklyReport.Status.SUBMITTED
            report.submitted_at = report.due_at + timedelta(hours=20) if late else report.due_at - timedelta(hours=3)
            report.submitted_by = actor
            if report.status == WeeklyReport.Status.REVIEWED:
                report.reviewed_by = cadres.get("qinhuai")
                report.reviewed_at = report.submitted_at + timedelta(days=1)
                report.review_comment = "已阅，请继续推进应建未建单位清零。"
            report.save()
            WeeklyReportEvent.objects.create(report=report, action=WeeklyReportEvent.Action.SUBMITTED, actor=actor)


def seed_rectification(today) -> None:
    qinhuai = Territory.objects.filter(code="320104").first()
    if qinhuai is None:
        return
    rl, created = RectificationList.objects.get_or_create(
        title="秦淮区覆盖质量考核反馈问题整改清单",
        defaults={"source": "年度考核", "territory": qinhuai, "due_date": today + timedelta(days=30)},
    )
    if not created:
        return
    items = [
        ("联合党支部覆盖单位超过 5 家", "拆分为两个联合党支部", "夫子庙街道两新综合党委", -5),
        ("3 家应建未建单位未按期组建", "月底前完成组建或派驻指导员", "中华门街道", 20),
        ("驿站“六个一”台账不全", "补齐学习阵地和问需台账", "区总工会", 10),
    ]
    for number, (problem, measure, responsible, days) in enumerate(items, start=1):
        RectificationItem.objects.create(
            rectification=rl,
            number=number,
            problem=problem,
            measure=measure,
            responsible=responsible,
            due_date=today + timedelta(days=days),
            status=RectificationItem.Status.CLOSED if number == 3 else RectificationItem.Status.OPEN,
            closing_note="已补齐台账并拍照留存" if number == 3 else "",
            closed_at=timezone.now() if number == 3 else None,
        )


def seed_secretary_projects(today) -> None:
    for code, title, secretary, status in [
        ("JD-320104002000", "“小哥加油站”夫子庙驿站服务提升", "陈书记", SecretaryProject.Status.AWAITING),
        ("JD-320102003000", "新街口商圈楼宇党建联盟", "赵委员", SecretaryProject.Status.IN_PROGRESS),
    ]:
        org = PartyOrganization.objects.filter(code=code).first()
        if org is None:
            continue
        SecretaryProject.objects.get_or_create(
            year=today.year,
            title=title,
            defaults={
                "secretary": secretary,
                "organization": org,
                "territory": org.territory,
                "goal": "聚焦新就业群体急难愁盼，年内办成 3 件实事。",
                "status": status,
            },
        )


def seed_scheme(today) -> None:
    scheme, created = ScoringScheme.objects.get_or_create(
        year=today.year,
        defaults={
            "name": f"{today.year}年度各区新兴领域党建覆盖质量考核",
            "description": "组织覆盖率、驿站运行率、周例会按时报送率加权，满分 100 分。",
        },
    )
    if created:
        for kpi, weight, floor, target in [
            ("coverage", 50, 60, 95),
            ("station_open", 20, 50, 100),
            ("punctuality", 30, 50, 100),
        ]:
            ScoringCriterion.objects.create(
                scheme=scheme, kpi=kpi, weight=Decimal(weight), floor=Decimal(floor), target=Decimal(target)
            )
