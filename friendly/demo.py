"""Demo friendly city: 骑手友好社区 with 公约 and gates, riders' 宁新码 passes and 150,000 gate
checks ("扫码使用超15万次"), and 爱'新'商家 claims in every state.

20 communities × 2 gates put 40 entrances on the map and 20 approved merchants 20 more: with
the stations app's 440 points that makes the articles' 500 service points. Fixed seed;
a second run finds the communities by name and adds nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from friendly import passes
from friendly.models import CommunityEntrance, FriendlyCommunity, MerchantClaim, PassScan, RiderPass
from friendly.services import community_publish, community_save, entrance_save, merchant_claim_approve
from members.models import NEW_EMPLOYMENT_OCCUPATIONS, Person
from organizations.demo import demo_streets
from organizations.models import StaffPost, Territory
from stations.demo import DISTRICT_CENTRES

COMMUNITIES = 20
SCANS = 150_000
PASSES = 400
CONVENTION = (
    "一、社区为持宁新码的骑手、快递员开放指定入口，门岗扫码核验后即可通行，不设额外登记。\n"
    "二、骑手进入社区减速慢行（电动车不超过每小时10公里），不逆行、不鸣笛，按指定点位停放。\n"
    "三、夜间22:00后轻声作业，不在楼道内停放车辆、不堵塞消防通道。\n"
    "四、物业在东门设置取餐柜和临时停车位，雨雪天气开放门卫室歇脚、饮水。\n"
    "五、双方遇到纠纷先协商，可拨打暖新热线或到附近宁小蜂驿站反映。"
)
SHOPS = ["老街面馆", "鸭血粉丝汤", "便利店", "小笼包子铺", "快餐店", "牛肉锅贴", "咖啡馆", "水果店"]


def _street_cadre():
    post = StaffPost.objects.filter(role=StaffPost.Role.STREET, is_active=True).select_related("user").first()
    return post.user if post else None


def seed_communities(rng: random.Random) -> list[FriendlyCommunity]:
    if FriendlyCommunity.objects.exists():
        return []
    nodes = list(
        Territory.objects.filter(level=Territory.Level.COMMUNITY, code__startswith="320104").order_by("path")[:12]
    ) + list(
        Territory.objects.filter(level=Territory.Level.COMMUNITY)
        .exclude(code__startswith="320104")
        .order_by("path")[::7][: COMMUNITIES - 12]
    )
    created = []
    for index, node in enumerate(nodes[:COMMUNITIES]):
        lng0, lat0, spread, _ = DISTRICT_CENTRES.get(node.code[:6], (118.79, 32.04, 0.02, 1))
        community = community_save(
            community=FriendlyCommunity(
                territory=node,
                name=f"{node.name}骑手友好社区",
                convention=CONVENTION,
                property_company=f"{node.name.removesuffix('社区')}物业服务有限公司",
            )
        )
        lng, lat = lng0 + rng.uniform(-spread, spread), lat0 + rng.uniform(-spread, spread) * 0.85
        for gate, (dx, dy) in (("东门", (0.0012, 0.0)), ("北门", (0.0, 0.0010))):
            entrance_save(
                entrance=CommunityEntrance(
                    community=community,
                    name=gate,
                    address=f"{node.name}{gate}",
                    longitude=Decimal(f"{lng + dx:.6f}"),
                    latitude=Decimal(f"{lat + dy:.6f}"),
                )
            )
        if index < COMMUNITIES - 2:  # two still 筹建
            community_publish(community=community)
        created.append(community)
    return created


def seed_passes(rng: random.Random) -> list[RiderPass]:
    workers = list(
        Person.objects.filter(occupation__in=NEW_EMPLOYMENT_OCCUPATIONS).exclude(phone="").order_by("pk")[:PASSES]
    )
    now = timezone.now()
    rows = []
    for person in workers:
        issued = now - timedelta(hours=rng.randint(0, 30))
        rows.append(
            RiderPass(
                person=person,
                code=passes.new_code(),
                issued_at=issued,
                expires_at=issued + timedelta(seconds=passes.ttl_seconds()),
            )
        )
    return RiderPass.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=False)


def seed_scans(rng: random.Random, communities: list[FriendlyCommunity], rider_passes: list[RiderPass]) -> int:
    entrances = [e for c in communities if c.status == FriendlyCommunity.Status.PUBLISHED for e in c.entrances.all()]
    if not entrances or not rider_passes:
        return 0
    now = timezone.now()
    weights = [rng.uniform(0.3, 3.0) for _ in entrances]
    results = [PassScan.Result.VALID] * 92 + [PassScan.Result.EXPIRED] * 5 + [PassScan.Result.UNKNOWN] * 3
    rows = []
    for _ in range(SCANS):
        entrance = rng.choices(entrances, weights)[0]
        rows.append(
            PassScan(
                entrance=entrance,
                community_id=entrance.community_id,
                rider_pass=rng.choice(rider_passes),
                result=rng.choice(results),
                method=PassScan.Method.QR if rng.random() < 0.85 else PassScan.Method.TYPED,
            )
        )
    PassScan.objects.bulk_create(rows, batch_size=5000)
    # auto_now_add stamps every row "now"; spread them over the last 120 days, mostly daytime.
    ids = list(PassScan.objects.order_by("pk").values_list("pk", flat=True))
    by_minutes: dict[int, list[int]] = {}
    for pk in ids:
        minutes = rng.randint(0, 120 * 24 * 60)
        by_minutes.setdefault(minutes // 1440, []).append(pk)
    for days, pks in by_minutes.items():
        PassScan.objects.filter(pk__in=pks).update(scanned_at=now - timedelta(days=days, hours=rng.randint(0, 12)))
    return len(rows)


def seed_claims(rng: random.Random) -> int:
    if MerchantClaim.objects.exists():
        return 0
    streets = demo_streets()  # the streets with demo organizations (organizations.demo)
    if not streets:
        return 0
    qinhuai = [s for s in streets if s.code.startswith("320104")] or streets
    reviewer = _street_cadre()
    count = 0
    for index in range(30):
        street = qinhuai[index % len(qinhuai)] if index < 18 else rng.choice(streets)
        lng0, lat0, spread, _ = DISTRICT_CENTRES.get(street.code[:6], (118.79, 32.04, 0.02, 1))
        placed = index < 26
        claim = MerchantClaim.objects.create(
            merchant_name=f"{street.name.removesuffix('街道')}{rng.choice(SHOPS)}（{index + 1}号店）",
            contact_name=rng.choice(["王", "李", "陈", "刘", "周"]) + "老板",
            contact_phone=f"139{rng.randint(10_000_000, 99_999_999)}",
            territory=street,
            address=f"南京市{Territory.objects.get_parent(street).name}{street.name}{rng.randint(1, 300)}号",
            longitude=Decimal(f"{lng0 + rng.uniform(-spread, spread):.6f}") if placed else None,
            latitude=Decimal(f"{lat0 + rng.uniform(-spread, spread) * 0.85:.6f}") if placed else None,
            green_channel=rng.random() < 0.8,
            care_meal=rng.random() < 0.6,
            other_offers=rng.choice(["免费热水", "手机充电", "借用卫生间", ""]),
            hours_text="每天 9:00–22:00",
        )
        count += 1
        if index < 20 and reviewer is not None:
            merchant_claim_approve(claim=claim, actor=reviewer)
        elif 20 <= index < 24:
            MerchantClaim.objects.filter(pk=claim.pk).update(
                status=MerchantClaim.Status.REJECTED,
                review_note="地址不在本街道，请向所在街道重新认领",
                reviewed_by=reviewer,
                reviewed_at=timezone.now(),
            )
    return count


def seed(stdout=None) -> None:
    rng = random.Random(20251130)
    communities = seed_communities(rng)
    rider_passes = seed_passes(rng) if communities else []
    scans = seed_scans(rng, communities, rider_passes)
    claims = seed_claims(rng)
    if stdout is not None:
        stdout.write(
            f"友好社区：新增 {len(communities)} 个；宁新码 {len(rider_passes)} 张，"
            f"核验 {scans} 次；商家认领 {claims} 条\n"
        )
