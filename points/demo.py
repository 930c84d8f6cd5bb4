"""Demo data of the points app: the catalogue (the city's seven categories, 鼓楼区's 4 categories
/ 18 items, 玄武区's three kinds), rewards with 小蜂公寓 nights, and about four months of activity
— tasks claimed and confirmed, awards, 随手拍 reports, redemptions and expiry — through the same
services the pages use. Idempotent: the catalogue is found by code, and the activity is written
once (its idempotency keys start with ``demo:``)."""

from __future__ import annotations

import io
import random
from datetime import datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from members.models import Person
from organizations.models import StaffPost, Territory
from points.models import PhotoReport, PointCategory, PointEntry, PointRule, Reward, RewardNight, VolunteerTask
from points.services import (
    PointsError,
    photo_report_reject,
    photo_report_submit,
    photo_report_verify,
    points_award,
    points_expire_due,
    points_redeem,
    points_redemption_cancel,
    points_redemption_fulfil,
    task_claim,
    task_confirm,
)
from points.services.home import home_stations_set
from stations.models import Station

ALL = ["municipal", "district", "street", "station"]
LOCAL = ["district", "street", "station"]

# code, name, [(code, name, points, roles, daily_cap, monthly_cap, valid_days)]
CITY_CATALOGUE = [
    (
        "XX",
        "学习教育",
        [
            ("XX-ZTXX", "参加主题学习", 3, ALL, 6, 30, 365),
            ("XX-JNPX", "参加技能培训", 5, ALL, 10, 40, 365),
        ],
    ),
    (
        "HJ",
        "环境维护",
        [
            ("HJ-QJ", "参与环境清洁", 5, ALL, 10, 50, None),
            ("HJ-LJFL", "垃圾分类劝导", 3, LOCAL, 6, 30, None),
        ],
    ),
    (
        "TJ",
        "矛盾调解",
        [
            ("TJ-LLJF", "协助化解邻里纠纷", 10, ["street", "district"], 20, 60, None),
        ],
    ),
    (
        "GY",
        "公益服务",
        [
            # member units (团市委、妇联…) publish volunteer tasks too
            ("GY-ZYFW", "志愿服务（每次）", 10, [*ALL, "member_unit"], 30, 120, None),
            ("GY-JZFW", "驿站值守", 5, ["station", "street"], 10, 60, None),
        ],
    ),
    (
        "AQ",
        "安全隐患报告",
        [
            ("AQ-SSP", "随手拍隐患（核实属实）", 5, ["station", "street"], 15, 60, None),
            ("AQ-WGXC", "流动网格员巡查", 8, ["station", "street"], 16, 100, None),
            ("AQ-SAWS", "食安卫士巡查", 8, ["station", "street"], 16, 100, None),
        ],
    ),
    (
        "WM",
        "文明新风",
        [
            ("WM-JYYW", "见义勇为", 50, ["district", "municipal"], None, None, None),
            ("WM-HRHS", "好人好事", 10, ALL, 20, 40, None),
        ],
    ),
    (
        "JN",
        "急难险重",
        [
            ("JN-FXJZ", "防汛救灾突击", 20, ["district", "street"], 40, 200, None),
            ("JN-YJBZ", "应急保障配送", 15, ["district", "street"], 30, 150, None),
        ],
    ),
]
# 鼓楼区《网格服务积分管理办法》: 4 categories, 18 items.
GULOU = [
    ("GL-XX", "鼓楼·学习提升", ["参加网格学习", "参加党课", "线上学习打卡", "技能比武", "交流分享"]),
    ("GL-FW", "鼓楼·网格服务", ["网格信息采集", "独居老人探访", "快递代收代送", "入户宣传", "楼道清理"]),
    ("GL-ZL", "鼓楼·共治共建", ["参加议事协商", "提出合理建议", "矛盾纠纷排查", "文明交通劝导"]),
    ("GL-JL", "鼓楼·先锋表现", ["获得表彰", "突发事件处置", "见义勇为", "结对帮扶"]),
]
# 玄武区红山街道“三类积分”.
XUANWU = [
    ("XW-FW", "玄武·服务群众", ["为民代办", "邻里互助"]),
    ("XW-ZZ", "玄武·组织保障", ["参加组织生活", "志愿者招募"]),
    ("XW-JN", "玄武·急难险重", ["疫情防控", "极端天气保障"]),
]
REWARDS = [
    ("goods", "夏季防暑礼包", 30, 400),
    ("goods", "骑行雨衣", 60, 200),
    ("goods", "电动车头盔", 120, 80),
    ("goods", "充电宝（10000mAh）", 150, 60),
    ("course", "电动车维修技能课", 80, 40),
    ("course", "安全驾驶培训课", 40, 100),
]
APARTMENTS = [("320104", "小蜂公寓（夫子庙）", 100, 6), ("320102", "小蜂公寓（新街口）", 100, 4)]
MONTHS = 4


def _aware(day, hour) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def seed_catalogue() -> dict[str, PointRule]:
    city = Territory.objects.filter(depth=1).first()
    rules: dict[str, PointRule] = {}
    for sort, (cat_code, cat_name, items) in enumerate(CITY_CATALOGUE, 1):
        category, _ = PointCategory.objects.get_or_create(
            code=cat_code, defaults={"name": cat_name, "territory": city, "sort_order": sort}
        )
        for i, (code, name, pts, roles, day_cap, month_cap, valid) in enumerate(items, 1):
            rules[code], _ = PointRule.objects.get_or_create(
                code=code,
                defaults={
                    "category": category,
                    "name": name,
                    "points": pts,
                    "award_roles": roles,
                    "daily_cap": day_cap,
                    "monthly_cap": month_cap,
                    "valid_days": valid,
                    "territory": city,
                    "sort_order": i,
                },
            )
    for district_code, catalogue in (("320106", GULOU), ("320102", XUANWU)):
        district = Territory.objects.filter(code=district_code).first()
        if district is None:
            continue
        for sort, (cat_code, cat_name, names) in enumerate(catalogue, 10):
            category, _ = PointCategory.objects.get_or_create(
                code=cat_code, defaults={"name": cat_name, "territory": district, "sort_order": sort}
            )
            for i, name in enumerate(names, 1):
                code = f"{cat_code}-{i:02d}"
                rules[code], _ = PointRule.objects.get_or_create(
                    code=code,
                    defaults={
                        "category": category,
                        "name": name,
                        "points": 2 + (i % 4) * 2,
                        "award_roles": LOCAL,
                        "daily_cap": 20,
                        "monthly_cap": 80,
                        "territory": district,
                        "sort_order": i,
                    },
                )
    return rules


def seed_rewards(today) -> None:
    city = Territory.objects.filter(depth=1).first()
    flagship = Station.objects.filter(code="NXF-320104-0001").first()
    for i, (kind, name, cost, stock) in enumerate(REWARDS):
        Reward.objects.get_or_create(
            name=name,
            territory=city,
            defaults={"kind": kind, "cost": cost, "stock": stock, "sort_order": i, "station": flagship},
        )
    for code, name, cost, beds in APARTMENTS:
        district = Territory.objects.filter(code=code).first()
        if district is None:
            continue
        apartment, _ = Reward.objects.get_or_create(
            name=name,
            territory=district,
            defaults={
                "kind": Reward.Kind.APARTMENT_NIGHT,
                "cost": cost,
                "stock": 0,
                "description": "新就业群体临时住宿，每次一晚，凭本人手机号入住",
            },
        )
        existing = set(RewardNight.objects.filter(reward=apartment).values_list("date", flat=True))
        RewardNight.objects.bulk_create(
            [
                RewardNight(reward=apartment, date=today + timedelta(days=d), capacity=beds)
                for d in range(-MONTHS * 30, 30)
                if today + timedelta(days=d) not in existing
            ]
        )


def _photo(rng: random.Random) -> SimpleUploadedFile:
    image = Image.new("RGB", (96, 72), (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return SimpleUploadedFile("demo.jpg", out.getvalue(), content_type="image/jpeg")


def _manager_of(station: Station):
    post = (
        StaffPost.objects.filter(pk=station.manager_post_id).select_related("user").first()
        if station.manager_post_id
        else None
    )
    return post.user if post else None


def seed_activity(rules: dict[str, PointRule], today, rng: random.Random) -> int:
    """About four months of activity, written through the services with past times."""
    people = list(Person.objects.exclude(phone="").select_related("territory").order_by("id")[:2000])
    stations = list(Station.objects.filter(status=Station.Status.OPEN).select_related("territory").order_by("id"))
    if not people or not stations:
        return 0
    by_street: dict[str, list[Station]] = {}
    for station in stations:
        by_street.setdefault(station.territory.path[:12], []).append(station)
    # Active workers: a minority earns most points (a long-tailed, plausible distribution).
    workers = rng.sample(people, min(len(people), 240))
    weights = [1 / (i + 1) ** 0.6 for i in range(len(workers))]
    start = today - timedelta(days=MONTHS * 30)
    count = 0
    fallback = stations[0]

    def home(person):
        return rng.choice(by_street.get(person.territory.path[:12]) or [fallback])

    # tasks published by stations, claimed and confirmed
    kinds = [("volunteer", "GY-ZYFW", 10), ("grid_worker", "AQ-WGXC", 8), ("food_safety", "AQ-SAWS", 8)]
    titles = {
        "volunteer": ["暑期送清凉", "文明交通劝导", "社区环境清扫", "关爱独居老人", "驿站开放日服务"],
        "grid_worker": ["流动网格员 · 隐患巡查", "流动网格员 · 信息采集"],
        "food_safety": ["食安卫士 · 后厨巡查", "食安卫士 · 外卖封签检查"],
    }
    for t in range(24):
        kind, rule_code, pts = kinds[t % 3] if t % 4 else kinds[0]
        station = rng.choice(stations)
        day = start + timedelta(days=rng.randrange(MONTHS * 30 - 3))
        begins = _aware(day, rng.choice([9, 14, 19]))
        task = VolunteerTask.objects.create(
            kind=kind,
            title=rng.choice(titles[kind]),
            place=station.address or station.name,
            starts_at=begins,
            ends_at=begins + timedelta(hours=3),
            slots=rng.choice([3, 5, 8, 10]),
            points=pts,
            rule=rules[rule_code],
            station=station,
            territory=station.territory,
            created_by=_manager_of(station),
            created_at=begins - timedelta(days=3),
        )
        local = [p for p in workers if p.territory.path.startswith(station.territory.path[:8])] or workers
        for person in rng.sample(local, min(len(local), task.slots)):
            claim = task_claim(task=task, person=person, at=begins - timedelta(days=1))
            task_confirm(claim=claim, actor=task.created_by, completed=rng.random() < 0.85, at=task.ends_at)
            count += 1
        VolunteerTask.objects.filter(pk=task.pk).update(status=VolunteerTask.Status.CLOSED)
    # manual awards by rule
    city_rules = [r for r in rules.values() if r.territory.depth == 1 and r.code not in ("AQ-SSP", "WM-JYYW")]
    for i in range(600):
        person = rng.choices(workers, weights)[0]
        local_rules = [
            r for r in rules.values() if r.territory.depth > 1 and person.territory.path.startswith(r.territory.path)
        ]
        rule = rng.choice(local_rules) if local_rules and rng.random() < 0.35 else rng.choice(city_rules)
        day = start + timedelta(days=rng.randrange(MONTHS * 30))
        station = home(person)
        try:
            points_award(
                person=person,
                rule=rule,
                actor=_manager_of(station),
                idempotency_key=f"demo:award:{i}",
                station=station,
                check_award_roles=False,
                at=_aware(day, rng.randint(8, 20)),
            )
            count += 1
        except PointsError:
            pass  # a cap reached that day: exactly what the rule is for
    # 随手拍
    texts = [
        "井盖松动，电动车经过容易侧滑",
        "小区门口消防通道被占用",
        "路口信号灯故障",
        "商户油烟管道破损",
        "充电桩线缆裸露",
        "人行道地砖缺失",
        "乱停放共享单车堵塞盲道",
    ]
    for _ in range(30):
        person = rng.choice(workers)
        station = home(person)
        report = photo_report_submit(
            station=station,
            phone=person.phone,
            kind=rng.choice(["hazard", "hazard", "incivility", "facility"]),
            text=rng.choice(texts),
            photo=_photo(rng),
            location_text=station.address[:60],
        )
        when = _aware(start + timedelta(days=rng.randrange(MONTHS * 30 - 1)), rng.randint(8, 21))
        PhotoReport.objects.filter(pk=report.pk).update(submitted_at=when)
        roll = rng.random()
        if roll < 0.6:
            photo_report_verify(report=report, actor=_manager_of(station), at=when + timedelta(hours=5))
        elif roll < 0.8:
            photo_report_reject(
                report=report, actor=_manager_of(station), reason="现场核实未发现所述情况", at=when + timedelta(hours=5)
            )
        count += 1
    # redemptions by those with enough points
    rewards = list(Reward.objects.filter(is_active=True).exclude(kind=Reward.Kind.APARTMENT_NIGHT))
    for i, person in enumerate(rng.sample(workers, min(len(workers), 120))):
        reward = rng.choice(rewards)
        at = timezone.now() - timedelta(days=rng.randrange(1, 20))
        try:
            redemption = points_redeem(person=person, reward=reward, idempotency_key=f"demo:redeem:{i}", at=at)
        except PointsError:
            continue
        roll = rng.random()
        if roll < 0.7:
            points_redemption_fulfil(redemption=redemption, actor=None, at=at + timedelta(days=1))
        elif roll < 0.8:
            points_redemption_cancel(redemption=redemption, actor=None, reason="本人取消", at=at + timedelta(hours=2))
        count += 1
    points_expire_due()
    return count


HOME_STATION_SHARE = 4  # of every 5 gig workers in a street with stations, 4 use one as home


def link_home_stations() -> int:
    """People linked to stations (常驻驿站): most gig workers of a street that has stations
    have one of them as their home station; office staff have none. Here, on the floor that
    sees both people and stations. Idempotent: only people without a home station are touched."""
    by_street: dict[str, list[int]] = {}
    for station_id, path in (
        Station.objects.filter(status=Station.Status.OPEN).order_by("pk").values_list("pk", "territory__path")
    ):
        by_street.setdefault(path[: 3 * Territory.steplen], []).append(station_id)
    linked = 0
    for street_path, stations in sorted(by_street.items()):
        workers = list(
            Person.objects.filter(territory__path__startswith=street_path)
            .exclude(occupation="office")
            .order_by("pk")
            .values_list("pk", "home_station_link__station_id")
        )
        # The choice depends on the street's workers only, so a second run picks the same people
        # and finds them linked already.
        pairs = [
            (pk, stations[i % len(stations)])
            for i, (pk, current) in enumerate(workers)
            if i % 5 < HOME_STATION_SHARE and current is None
        ]
        home_stations_set(pairs)
        linked += len(pairs)
    return linked


def seed(stdout=None) -> None:
    if not Territory.objects.filter(depth=1).exists():
        return
    today = timezone.localdate()
    link_home_stations()
    rules = seed_catalogue()
    seed_rewards(today)
    written = 0
    already = PointEntry.objects.filter(idempotency_key__startswith="demo:").exists()
    if not already and not VolunteerTask.objects.exists() and not PhotoReport.objects.exists():
        written = seed_activity(rules, today, random.Random(20251124))
    if stdout is not None:
        rules_n, entries_n = PointRule.objects.count(), PointEntry.objects.count()
        stdout.write(f"积分：规则 {rules_n} 项，本次新增活动 {written} 条，流水共 {entries_n} 条\n")
