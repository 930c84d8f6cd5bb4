"""Demo stations: a Nanjing-like network of 宁小蜂驿站 with hours, inspections, visits and
care activities.

Sized after the articles (12 flagship, 100 key, the rest standard; about a fifth open 24 hours;
Qinhuai the densest) but kept to a few hundred stations so `make run` stays quick on SQLite.
Coordinates are GCJ-02, as taken from Amap, scattered around plausible centres of each
district. Everything is generated from a fixed random seed and written with bulk inserts; a
second run finds the stations by code and adds nothing.
"""

from __future__ import annotations

import random
from datetime import time, timedelta

from django.utils import timezone

from organizations.demo import DEMO_PASSWORD, demo_streets
from organizations.models import Territory
from organizations.roles import Role
from organizations.services import officer_upsert
from stations.catalogue import ensure_catalogue
from stations.demo_points import seed_service_points
from stations.models import (
    CareActivity,
    Inspection,
    InspectionItem,
    InspectionResult,
    OpeningHours,
    Service,
    Station,
    Visit,
)

TOTAL = 320
FLAGSHIP, KEY = 12, 100
VISIT_DAYS = 60

# GB/T 2260 code → (GCJ-02 lng, lat of a plausible centre, scatter in degrees, weight).
DISTRICT_CENTRES = {
    "320102": (118.7970, 32.0490, 0.020, 30),  # 玄武区
    "320104": (118.7950, 32.0220, 0.018, 60),  # 秦淮区 (128 stations in the articles)
    "320105": (118.7320, 32.0040, 0.022, 25),  # 建邺区
    "320106": (118.7700, 32.0660, 0.018, 30),  # 鼓楼区
    "320111": (118.6280, 32.0590, 0.040, 32),  # 浦口区, with the 江北新区 streets
    "320113": (118.9090, 32.0960, 0.035, 20),  # 栖霞区
    "320114": (118.7790, 31.9910, 0.022, 18),  # 雨花台区
    "320115": (118.8400, 31.9530, 0.045, 35),  # 江宁区
    "320116": (118.8220, 32.3230, 0.040, 12),  # 六合区
    "320117": (119.0280, 31.6510, 0.035, 10),  # 溧水区
    "320118": (118.8920, 31.3280, 0.030, 8),  # 高淳区
}

HOST_NAMES = {
    Station.HostType.UNION_REST_STOP: "工会户外劳动者驿站",
    Station.HostType.YOUTH_HOME: "青年之家驿站",
    Station.HostType.OFFICE_TOWER: "商务楼宇驿站",
    Station.HostType.CHARGING: "充电站驿站",
    Station.HostType.SHOP: "爱心商户驿站",
    Station.HostType.COMMUNITY_CENTER: "党群服务中心驿站",
}
STREET_NAMES = [
    "中山路",
    "建康路",
    "长江路",
    "汉中路",
    "龙蟠路",
    "应天大街",
    "江东中路",
    "双龙大道",
    "文靖路",
    "弘阳路",
]

FLAGSHIP_STATION = {
    "code": "NXF-320104-0001",
    "name": "夫子庙宁小蜂旗舰驿站",
    "address": "南京市秦淮区贡院街 95 号",
    "lng": 118.788603,
    "lat": 32.021190,
}
MANAGER = ("yizhan", "夫子庙宁小蜂旗舰驿站 孙站长", "驿站站长")

LOGINS = [("yizhan", "驿站站长", "夫子庙宁小蜂旗舰驿站（秦淮区 夫子庙街道）")]

BASE_SERVICES = ["rest", "charging", "heating", "water", "toilet"]
EXTRA_SERVICES = ["medicine", "directions", "legal", "counselling", "meals", "housing", "childcare"]


def _hours_for(rng: random.Random, host_type: str) -> list[tuple[int, time, time]]:
    if host_type == Station.HostType.CHARGING and rng.random() < 0.5:
        # Charging stations often serve the night shift: 18:00 until 02:00 the next morning.
        return [(d, time(18, 0), time(2, 0)) for d in range(7)] + [(d, time(8, 0), time(12, 0)) for d in range(7)]
    if host_type == Station.HostType.SHOP:
        return [(d, time(7, 0), time(22, 0)) for d in range(7)]
    if host_type == Station.HostType.OFFICE_TOWER:
        return [(d, time(8, 30), time(20, 0)) for d in range(5)]
    weekday = [(d, time(8, 30), time(20, 0)) for d in range(5)]
    return weekday + [(d, time(9, 0), time(18, 0)) for d in (5, 6)]


def _streets_by_district() -> dict[str, tuple[Territory, list[Territory]]]:
    result = {}
    for district in Territory.objects.filter(level=Territory.Level.DISTRICT, code__in=list(DISTRICT_CENTRES)):
        streets = [s for s in demo_streets() if s.path.startswith(district.path)] or [district]
        result[district.code] = (district, streets)
    return result


def _station_rows(rng: random.Random) -> list[dict]:
    streets = _streets_by_district()
    codes = [code for code in DISTRICT_CENTRES if code in streets]
    weights = [DISTRICT_CENTRES[c][3] for c in codes]
    tiers = [Station.Tier.FLAGSHIP] * FLAGSHIP + [Station.Tier.KEY] * KEY
    tiers += [Station.Tier.STANDARD] * (TOTAL - len(tiers))
    serial: dict[str, int] = {}
    rows = []
    fuzimiao = Territory.objects.filter(name="夫子庙街道", level=Territory.Level.STREET).first()
    for index, tier in enumerate(tiers):
        district_code = "320104" if index == 0 and "320104" in streets else rng.choices(codes, weights)[0]
        serial[district_code] = serial.get(district_code, 0) + 1
        lng0, lat0, spread, _ = DISTRICT_CENTRES[district_code]
        district, district_streets = streets[district_code]
        street = rng.choice(district_streets)
        host_type = rng.choice(list(HOST_NAMES))
        place = street.name.removesuffix("街道").removesuffix("镇")
        row = {
            "code": f"NXF-{district_code}-{serial[district_code]:04d}",
            "name": f"{place}{HOST_NAMES[host_type]}（{serial[district_code]}号）",
            "tier": tier,
            "host_type": host_type,
            "territory": street,
            "address": f"南京市{district.name}{rng.choice(STREET_NAMES)}{rng.randint(1, 399)}号",
            "lng": round(lng0 + rng.uniform(-spread, spread), 6),
            "lat": round(lat0 + rng.uniform(-spread, spread) * 0.85, 6),
            "is_24h": tier == Station.Tier.FLAGSHIP or rng.random() < 0.18,
            "status": Station.Status.OPEN if rng.random() > 0.04 else Station.Status.SUSPENDED,
        }
        if index == 0 and fuzimiao is not None and district_code == "320104":
            row.update(
                code=FLAGSHIP_STATION["code"],
                name=FLAGSHIP_STATION["name"],
                address=FLAGSHIP_STATION["address"],
                lng=FLAGSHIP_STATION["lng"],
                lat=FLAGSHIP_STATION["lat"],
                territory=fuzimiao,
                host_type=Station.HostType.COMMUNITY_CENTER,
                is_24h=True,
                status=Station.Status.OPEN,
            )
        rows.append(row)
    return rows


def seed_stations(rng: random.Random) -> list[Station]:
    existing = set(Station.objects.filter(code__startswith="NXF-").values_list("code", flat=True))
    new = []
    for row in _station_rows(rng):
        if row["code"] in existing:
            continue
        station = Station(
            code=row["code"],
            name=row["name"],
            tier=row["tier"],
            host_type=row["host_type"],
            territory=row["territory"],
            address=row["address"],
            longitude=row["lng"],
            latitude=row["lat"],
            coord_system=Station.CoordSystem.GCJ02,
            is_24h=row["is_24h"],
            status=row["status"],
            contact_phone=f"025-{rng.randint(5000, 8999)}{rng.randint(1000, 9999)}",
        )
        station.derive_wgs84()  # bulk_create skips save()
        new.append(station)
    if not new:
        return []
    Station.objects.bulk_create(new, batch_size=500)
    created = list(Station.objects.filter(code__in=[s.code for s in new]).order_by("code"))
    services = {s.code: s.pk for s in Service.objects.all()}
    through = Station.services.through
    links, hours = [], []
    for station in created:
        chosen = BASE_SERVICES[: rng.randint(3, 5)] + rng.sample(EXTRA_SERVICES, rng.randint(0, 3))
        if station.tier == Station.Tier.FLAGSHIP:
            chosen = BASE_SERVICES + EXTRA_SERVICES
        links += [through(station_id=station.pk, service_id=services[c]) for c in chosen if c in services]
        if not station.is_24h:
            hours += [
                OpeningHours(station=station, weekday=d, opens=o, closes=c)
                for d, o, c in _hours_for(rng, station.host_type)
            ]
    through.objects.bulk_create(links, batch_size=2000)
    OpeningHours.objects.bulk_create(hours, batch_size=2000)
    return created


def seed_inspections(rng: random.Random, stations: list[Station]) -> None:
    items = list(InspectionItem.objects.filter(is_active=True))
    today = timezone.localdate()
    inspections, plans = [], []
    for station in stations:
        count = rng.choice([0, 1, 2, 2, 3]) if station.tier == Station.Tier.STANDARD else rng.choice([2, 3])
        day = today - timedelta(days=rng.randint(5, 150))
        for _ in range(count):
            failed = {i.pk for i in items if rng.random() < 0.05}
            inspections.append(
                Inspection(
                    station=station,
                    inspected_on=day,
                    inspector_name=rng.choice(["陈书记", "李组织员", "王干事", "赵委员"]),
                    is_compliant=not failed,
                    notes="" if not failed else "部分项目需整改，限期一个月",
                )
            )
            plans.append(failed)
            day -= timedelta(days=rng.randint(60, 120))
    Inspection.objects.bulk_create(inspections, batch_size=1000)
    results = []
    for inspection, failed in zip(inspections, plans, strict=True):
        results += [InspectionResult(inspection=inspection, item=item, passed=item.pk not in failed) for item in items]
    InspectionResult.objects.bulk_create(results, batch_size=2000)
    latest: dict[int, Inspection] = {}
    for inspection in inspections:
        current = latest.get(inspection.station_id)
        if current is None or inspection.inspected_on > current.inspected_on:
            latest[inspection.station_id] = inspection
    for station in stations:
        last = latest.get(station.pk)
        station.last_inspected_on = last.inspected_on if last else None
        station.compliant = last.is_compliant if last else None
    Station.objects.bulk_update(stations, ["last_inspected_on", "compliant"], batch_size=500)


def seed_visits(rng: random.Random, stations: list[Station]) -> None:
    """Daily counts for flagship and key stations, weekly tallies for standard ones."""
    today = timezone.localdate()
    through = Station.services.through
    offered: dict[int, list[int]] = {}
    for station_id, service_id in through.objects.filter(station__in=stations).values_list("station_id", "service_id"):
        offered.setdefault(station_id, []).append(service_id)
    scale = {Station.Tier.FLAGSHIP: 80, Station.Tier.KEY: 25, Station.Tier.STANDARD: 30}
    visits = []
    for station in stations:
        if station.status != Station.Status.OPEN:
            continue
        standard = station.tier == Station.Tier.STANDARD
        services = offered.get(station.pk, [])[: 1 if standard else 2]
        step = 7 if standard else 1
        for offset in range(1, VISIT_DAYS + 1, step):
            day = today - timedelta(days=offset)
            for service_id in services:
                count = max(0, int(rng.gauss(scale[station.tier], scale[station.tier] / 3)))
                if count:
                    visits.append(Visit(station=station, day=day, service_id=service_id, count=count))
    Visit.objects.bulk_create(visits, batch_size=2000)


def seed_care(rng: random.Random, stations: list[Station]) -> None:
    today = timezone.localdate()
    kinds = [
        (CareActivity.Kind.SUMMER, "夏送清凉进驿站", "清凉礼包"),
        (CareActivity.Kind.CHECKUP, "新就业群体免费体检", "体检券"),
        (CareActivity.Kind.FESTIVAL, "节日慰问暖新行动", "慰问品"),
        (CareActivity.Kind.LEGAL, "法律服务进驿站", ""),
    ]
    rows = []
    for station in stations:
        if station.tier == Station.Tier.STANDARD and rng.random() > 0.3:
            continue
        for _ in range(rng.randint(1, 3)):
            kind, title, item = rng.choice(kinds)
            participants = rng.randint(15, 120)
            rows.append(
                CareActivity(
                    station=station,
                    held_on=today - timedelta(days=rng.randint(3, 180)),
                    kind=kind,
                    title=title,
                    participants=participants,
                    items_given=item,
                    items_count=participants if item else 0,
                )
            )
    CareActivity.objects.bulk_create(rows, batch_size=1000)


def seed_manager() -> None:
    station = Station.objects.filter(code=FLAGSHIP_STATION["code"]).select_related("territory").first()
    if station is None:
        return
    username, full_name, title = MANAGER
    post = officer_upsert(
        username=username,
        role=Role.STATION,
        node_code=station.territory.code,
        password=DEMO_PASSWORD,
        title=title,
        full_name=full_name,
    )
    if station.manager_post_id != post.pk:
        station.manager_post = post
        station.save(update_fields=["manager_post"])


def seed(stdout=None) -> None:
    ensure_catalogue(Service, InspectionItem)
    rng = random.Random(20250601)
    created = seed_stations(rng)
    if created:
        seed_inspections(rng, created)
        seed_visits(rng, created)
        seed_care(rng, created)
    seed_manager()
    points = seed_service_points(random.Random(20251120), _streets_by_district(), DISTRICT_CENTRES, STREET_NAMES)
    if stdout is not None:
        stdout.write(f"驿站：新增 {len(created)} 个，共 {Station.objects.count()} 个；服务点位新增 {points} 个\n")
