"""Demo grievances: six months of cases in every state, some overdue, duplicates, a quarterly
campaign and two governance projects. Idempotent: cases carry ``source_ref="demo:<n>"`` and the
whole block is skipped when they exist; rules, holidays and the campaign are found by natural key.

Cases go through the real services (intake, triage, accept, resolve, duplicate, reopen, close)
and only their timestamps are moved back in time afterwards, so the timelines are what the
portal itself would have written.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from auditlog.context import disable_auditlog
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.utils import timezone

from core.models import Holiday
from grievances import services, taxonomy
from grievances.demo_mediation import seed_mediation
from grievances.models import (
    Campaign,
    Category,
    Channel,
    GovernanceProject,
    Grievance,
    GrievanceEvent,
    Milestone,
    RoutingRule,
)
from organizations.demo import demo_streets
from organizations.models import Body, Territory

# 2026 public holidays and make-up working days (国务院办公厅通知); staff keep this in the admin.
HOLIDAYS_2026 = [
    ("2026-01-01", "元旦", False),
    ("2026-01-02", "元旦", False),
    ("2026-01-03", "元旦", False),
    ("2026-01-04", "元旦调休", True),
    *[(f"2026-02-{d:02d}", "春节", False) for d in range(15, 24)],
    ("2026-02-14", "春节调休", True),
    ("2026-02-28", "春节调休", True),
    ("2026-04-04", "清明节", False),
    ("2026-04-05", "清明节", False),
    ("2026-04-06", "清明节", False),
    *[(f"2026-05-{d:02d}", "劳动节", False) for d in range(1, 6)],
    ("2026-05-09", "劳动节调休", True),
    ("2026-06-19", "端午节", False),
    ("2026-06-20", "端午节", False),
    ("2026-06-21", "端午节", False),
    ("2026-09-25", "中秋节", False),
    ("2026-09-26", "中秋节", False),
    ("2026-09-27", "中秋节", False),
    *[(f"2026-10-{d:02d}", "国庆节", False) for d in range(1, 8)],
    ("2026-09-20", "国庆节调休", True),
    ("2026-10-10", "国庆节调休", True),
]

# category code → (body code, lead, territory code or None for the whole city)
RULES = [
    ("labour", "SJ-RSJ", True, None),
    ("labour", "SJ-ZGH", False, None),
    ("meals", "SJ-SCJG", True, None),
    ("traffic", "SJ-JTYS", True, None),
    ("entry", "SJ-YZGL", True, "320104"),
    ("health", "SJ-ZGH", True, None),
]

TEXTS = {
    "hazard": [
        "{place}路口井盖缺失，晚上送餐差点摔倒，请尽快修复",
        "{place}附近电线裸露垂到路面，下雨天很危险",
        "{place}人行道塌陷一个坑，电动车经过容易翻车",
    ],
    "traffic": [
        "{place}路口红绿灯时间太短，骑手经常抢行，建议调整",
        "{place}一段路没有非机动车道，和汽车混行很危险",
    ],
    "labour": [
        "站点拖欠我两个月工资，找站长一直推脱，希望帮忙讨薪",
        "平台超时罚款太重，一单扣五十元，申诉没人处理",
        "离职后押金和社保一直不退，联系公司没有回复",
    ],
    "housing": [
        "刚来南京跑外卖，{place}附近租房太贵，想申请小蜂公寓",
        "宿舍八个人一间，夏天没有空调，希望改善住宿条件",
    ],
    "schooling": [
        "孩子明年上小学，我们是外地户口，想了解{place}入学政策",
        "孩子想在{place}附近幼儿园插班，不知道需要什么材料",
    ],
    "entry": [
        "{place}小区保安不让快递员进门，只能在门口等半小时",
        "{place}几个小区禁止外卖电动车进入，送餐超时被罚款",
        "{place}小区门禁不给骑手登记，每次都要打电话让顾客下楼",
    ],
    "parking": [
        "{place}商圈没有电动车停放点，停在路边经常被贴条",
        "{place}写字楼下不让停电动车，取餐只能停很远",
    ],
    "charging": [
        "{place}附近充电桩太少，晚上排队充电要一个小时",
        "{place}驿站能不能增设换电柜，电池不够跑一天",
        "{place}充电桩坏了好几天没人修",
    ],
    "meals": [
        "{place}驿站的微波炉坏了，中午没法热饭",
        "希望{place}附近有骑手优惠餐，十五元以内能吃饱",
    ],
    "health": [
        "夏天送餐中暑，希望驿站备一些防暑药品",
        "想参加免费体检，请问{place}在哪里报名",
    ],
    "suggestion": [
        "建议{place}驿站晚上开到十点，夜班骑手也能休息",
        "希望增设骑手休息座椅和饮水机",
    ],
}

FIRST_NAMES = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "徐", "孙", "马", "朱", "胡"]
GIVEN = ["师傅", "先生", "女士", "小哥", "大姐"]
REPLIES = {
    "resolve": [
        "已联系相关单位现场处理，问题已解决，感谢您的反映",
        "已协调物业为骑手办理通行登记，即日起可进入小区",
        "已督促企业补发工资，款项已到账",
        "已安排维修，设施已恢复正常使用",
        "已纳入本月驿站改造计划并完成",
    ],
}
CASES = 150


def seed(stdout=None) -> None:
    taxonomy.install(django_apps)
    for day, name, workday in HOLIDAYS_2026:
        Holiday.objects.get_or_create(date=date.fromisoformat(day), defaults={"name": name, "is_workday": workday})
    city = Territory.objects.filter(level=Territory.Level.CITY).first()
    if city is None:
        return
    for code, body_code, lead, territory_code in RULES:
        body = Body.objects.filter(code=body_code).first()
        territory = Territory.objects.filter(code=territory_code).first() if territory_code else city
        category = Category.objects.get(code=code)
        if body and territory:
            RoutingRule.objects.get_or_create(
                category=category, territory=territory, body=body, defaults={"is_lead": lead}
            )
    qinhuai = Territory.objects.filter(code="320104").first() or city
    today = timezone.localdate()
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    quarter_end = (quarter_start.replace(day=28) + timedelta(days=70)).replace(day=1) - timedelta(days=1)
    campaign, _ = Campaign.objects.get_or_create(
        code="qinhuai-quarterly",
        defaults={
            "title": "秦淮区新就业群体“急难愁盼”季度征集",
            "territory": qinhuai,
            "description": (
                "每季度集中征集骑手、快递员、网约车司机的急难愁盼问题，能马上办的马上办，一时办不了的列入治理项目。"
            ),
            "starts_on": quarter_start,
            "ends_on": quarter_end,
        },
    )
    # Invented history needs no audit trail, and auditlog's per-save diff would triple the time.
    with disable_auditlog():
        if not Grievance.objects.filter(source_ref__startswith="demo:").exists():
            _seed_cases(campaign, stdout)
        seed_mediation(stdout)


def _shift(grievance: Grievance, when: datetime, **fields) -> None:
    """Move the case's latest event (and the given fields) to ``when`` — demo history only."""
    event = grievance.events.order_by("-id").first()
    if event is not None:
        GrievanceEvent.objects.filter(pk=event.pk).update(at=when)
    if fields:
        Grievance.objects.filter(pk=grievance.pk).update(**fields)


def _seed_cases(campaign: Campaign, stdout) -> None:
    from stations.models import Station

    rng = random.Random(2026)
    now = timezone.now()
    streets = demo_streets()  # the streets with demo organizations (organizations.demo)
    focus = [s for s in streets if s.name in ("夫子庙街道", "新街口街道", "中华门街道")]
    stations = list(Station.objects.select_related("territory").order_by("id")[:30])
    User = get_user_model()
    handler = User.objects.filter(username="qinhuai").first()  # None: the timeline says 系统
    weights = {
        "entry": 14,
        "charging": 12,
        "labour": 12,
        "parking": 10,
        "meals": 9,
        "hazard": 9,
        "traffic": 7,
        "housing": 7,
        "schooling": 5,
        "health": 5,
        "suggestion": 6,
    }
    codes = list(weights)
    originals: list[Grievance] = []
    for n in range(CASES):
        code = rng.choices(codes, weights=[weights[c] for c in codes])[0]
        if n % 17 == 5:
            code = "entry"  # a recurring cluster in one street → a governance project
        station = rng.choice(stations) if stations and rng.random() < 0.35 else None
        if station is not None:
            territory = station.territory
        elif n % 17 == 5 or rng.random() < 0.6:
            territory = rng.choice(focus or streets)
        else:
            territory = rng.choice(streets)
        if n % 17 == 5:
            territory = next((s for s in streets if s.name == "夫子庙街道"), territory)
        days_ago = rng.randint(0, 180) if n % 9 else rng.randint(0, 20)
        submitted = timezone.make_aware(
            datetime.combine(now.date() - timedelta(days=days_ago), time(rng.randint(7, 21), rng.randint(0, 59)))
        )
        submitted = min(submitted, now - timedelta(minutes=30))
        in_campaign = (
            campaign.starts_on <= timezone.localdate(submitted) <= campaign.ends_on
            and territory.path.startswith(campaign.territory.path)
            and rng.random() < 0.5
        )
        channel = (
            Channel.CAMPAIGN
            if in_campaign
            else Channel.STATION_QR
            if station
            else rng.choice(
                [
                    Channel.WEB,
                    Channel.HOTLINE,
                    Channel.HOTLINE,
                    Channel.DIRECT,
                    Channel.SUGGESTION,
                    Channel.PHOTO_REPORT,
                    Channel.STAFF,
                ]
            )
        )
        place = station.name if station else territory.name.removesuffix("街道")
        duplicate_of = None
        if originals and n % 23 == 11:
            duplicate_of = rng.choice(originals[-10:])
            text = duplicate_of.text + "，麻烦尽快处理"
            territory, station = duplicate_of.territory, duplicate_of.station
            submitted = min(duplicate_of.submitted_at + timedelta(hours=rng.randint(2, 48)), now - timedelta(minutes=5))
        else:
            text = rng.choice(TEXTS[code]).format(place=place)
        grievance = services.grievance_create(
            channel=channel,
            text=text,
            territory=territory,
            station=station,
            category_code=None if rng.random() < 0.4 else code,
            contact_name=rng.choice(FIRST_NAMES) + rng.choice(GIVEN),
            contact_phone=f"1{rng.choice('35789')}{rng.randint(0, 999999999):09d}",
            is_anonymous=rng.random() < 0.15,
            campaign=campaign if in_campaign else None,
            submitted_at=submitted,
            source_ref=f"demo:{n}",
            dispatch=False,
        )
        _shift(grievance, submitted)
        if days_ago == 0 and n % 5 == 0:
            continue  # waiting for triage right now
        services.grievance_triage(grievance_id=grievance.pk)
        GrievanceEvent.objects.filter(grievance=grievance, at__gt=submitted).update(at=submitted + timedelta(minutes=3))
        grievance.refresh_from_db()
        if duplicate_of is not None and duplicate_of.state != Grievance.State.REJECTED:
            services.grievance_mark_duplicate(grievance=grievance, master=duplicate_of, actor=handler)
            _shift(grievance, submitted + timedelta(hours=5))
            continue
        originals.append(grievance)
        _play(grievance, rng, now, days_ago)
    _ensure_reopened(now)
    seed_projects()
    for grievance_id in Grievance.objects.filter(source_ref__startswith="demo:").values_list("pk", flat=True):
        services.grievance_escalate(grievance_id=grievance_id, now=now)
    if stdout is not None:
        stdout.write(f"    诉求 {Grievance.objects.count()} 件，治理项目 {GovernanceProject.objects.count()} 个")


def _ensure_reopened(now: datetime) -> None:
    """The demo shows every state: when no unhappy rating reopened a case, the submitter of the
    latest case resolved within the reopen window asks again (through the service, so legally),
    leaving other resolved cases resolved."""
    S = Grievance.State
    if Grievance.objects.filter(state=S.REOPENED).exists():
        return
    recent = Grievance.objects.filter(
        source_ref__startswith="demo:", state=S.RESOLVED, resolved_at__gte=now - services.reopen_window()
    ).order_by("-resolved_at")
    if recent.count() >= 2:
        services.grievance_reopen(grievance=recent.first(), reason="问题还没有解决，希望再看一下")


def _play(grievance: Grievance, rng: random.Random, now: datetime, days_ago: int) -> None:
    """Walk a case forward to a state that fits its age, acted on by the post it was routed to
    (the body's officer, or the street/district that took it over 兜底), as the rules require."""
    submitted = grievance.submitted_at
    roll = rng.random()
    if days_ago < 5 and roll < 0.6:
        return  # assigned, not yet accepted
    if not grievance.assignee_id:
        return  # no post anywhere above it: it waits, triaged, for the city to take it
    handler = grievance.assignee.user
    if roll < 0.04:
        services.grievance_reject(grievance=grievance, actor=handler, reason="不属于受理范围，已告知通过12345热线反映")
        _shift(grievance, submitted + timedelta(hours=6))
        return
    response_hours = rng.choice([1, 3, 6, 20, 30, 60])
    accepted = min(submitted + timedelta(hours=response_hours), now - timedelta(minutes=1))
    services.grievance_accept(grievance=grievance, actor=handler)
    _shift(grievance, accepted, responded_at=accepted)
    grievance.refresh_from_db()
    # Older cases mostly resolved; a tenth of them stays open past the deadline (overdue).
    if days_ago < 4 or (days_ago > 14 and roll > 0.9):
        if rng.random() < 0.5:
            services.grievance_reply(grievance=grievance, actor=handler, text="已收到，正在协调相关单位，请耐心等待")
            _shift(grievance, accepted + timedelta(hours=2))
        return
    resolved = min(submitted + timedelta(days=rng.choice([1, 2, 3, 5, 6, 8, 12, 16])), now - timedelta(hours=1))
    services.grievance_resolve(grievance=grievance, actor=handler, resolution=rng.choice(REPLIES["resolve"]))
    _shift(grievance, resolved, resolved_at=resolved)
    grievance.refresh_from_db()
    if now - resolved > timedelta(days=1):
        services.feedback_request(grievance_id=grievance.pk)
        _shift(grievance, resolved + timedelta(hours=2), feedback_requested_at=resolved + timedelta(hours=2))
    if rng.random() < 0.7 and now - resolved > timedelta(days=1):
        rating = rng.choices([5, 4, 3, 2, 1], weights=[55, 25, 10, 6, 4])[0]
        services.grievance_rate(grievance=grievance, rating=rating)
        _shift(grievance, resolved + timedelta(hours=rng.randint(3, 40)))
        if rating <= 2 and now - resolved < services.reopen_window():
            services.grievance_reopen(grievance=grievance, reason="问题还没有解决，希望再看一下")
            return
    if now - resolved > services.reopen_window():
        closed = resolved + services.reopen_window() + timedelta(hours=1)
        services.grievance_autoclose(grievance_id=grievance.pk, now=now)
        _shift(grievance, closed, closed_at=closed)


def seed_projects() -> None:
    """Cluster the cases into proposals and carry two of them forward (one active, one done)."""
    services.cluster_propose()
    proposed = GovernanceProject.objects.filter(status=GovernanceProject.Status.PROPOSED).order_by("id")
    preferred = proposed.filter(category__code="entry").first()
    proposals = ([preferred] if preferred else []) + [p for p in proposed if p != preferred][:1]
    if not proposals:
        return
    first = proposals[0]
    first.status = GovernanceProject.Status.ACTIVE
    first.progress = 60
    first.owner_name = "街道党工委副书记"
    first.owner = Body.objects.filter(code="SJ-YZGL").first()
    first.save()
    today = timezone.localdate()
    for offset, title, done in [
        (-30, "摸排辖区小区门禁情况", True),
        (-7, "与物业签订骑手通行公约", True),
        (21, "推广“骑手友好小区”", False),
    ]:
        Milestone.objects.get_or_create(
            project=first,
            title=title,
            defaults={
                "due_on": today + timedelta(days=offset),
                "done_on": today + timedelta(days=offset) if done else None,
            },
        )
    if len(proposals) > 1:
        second = proposals[1]
        second.status = GovernanceProject.Status.ACTIVE
        second.save(update_fields=["status"])
        admin = get_user_model().objects.filter(username="qinhuai").first()
        if admin is not None:
            explanation = {
                "charging": "已在辖区新增共享充电桩 40 个并设立换电柜，相关诉求统一答复办结",
                "entry": "已与辖区物业签订骑手通行公约、设立骑手专用通道，相关诉求统一答复办结",
            }.get(second.category.code, f"已完成{second.category}问题集中治理，相关诉求统一答复办结")
            services.project_close(project=second, actor=admin, explanation=explanation)
