"""Demo service points of the friendly map (友好地图): charging points, 爱心商家, 暖新驿站 partners,
toilets and water points scattered like the stations, Qinhuai densest.

The articles count "驿站、充电点等500个服务点位" on the map. This module adds 440; the friendly
app's demo adds the entrances of its 骑手友好社区 and the merchants whose claims the streets
approved, which brings the points to 500. Fixed seed, bulk inserts, idempotent by code.
"""

from __future__ import annotations

import random

from stations import geo
from stations.models import ServicePoint

# kind → (how many, name pattern, hours, offers)
PLAN = [
    (ServicePoint.Kind.CHARGING, 180, "{place}{brand}换电充电点", "24小时", "电动车换电、充电"),
    (ServicePoint.Kind.MERCHANT, 100, "{place}{shop}", "每天 10:00–22:00", "取餐绿色通道、小哥爱心套餐、免费热水"),
    (ServicePoint.Kind.PARTNER, 60, "{place}暖新驿站（{host}）", "每天 8:00–20:00", "休息、饮水、手机充电"),
    (ServicePoint.Kind.TOILET, 60, "{place}公共厕所", "24小时", "如厕、洗手"),
    (ServicePoint.Kind.WATER, 40, "{place}爱心饮水点", "每天 7:00–21:00", "免费饮水、热水"),
]
BRANDS = ["铁塔", "e换电", "小哥", "哈啰"]
SHOPS = ["老街面馆", "鸭血粉丝汤", "便利店", "小笼包子铺", "快餐店", "药房"]
HOSTS = ["银行网点", "加油站", "邮政网点", "物业服务中心"]


def seed_service_points(rng: random.Random, streets_by_district: dict, centres: dict, street_names: list) -> int:
    codes = [code for code in centres if code in streets_by_district]
    if not codes:
        return 0
    weights = [centres[c][3] for c in codes]
    existing = set(ServicePoint.objects.values_list("code", flat=True))
    rows = []
    serial: dict[tuple[str, str], int] = {}
    for kind, count, pattern, hours, offers in PLAN:
        for _ in range(count):
            district_code = rng.choices(codes, weights)[0]
            key = (kind, district_code)
            serial[key] = serial.get(key, 0) + 1
            code = f"{kind[:3].upper()}-{district_code}-{serial[key]:04d}"
            district, streets = streets_by_district[district_code]
            street = rng.choice(streets)
            lng0, lat0, spread, _ = centres[district_code]
            lng = round(lng0 + rng.uniform(-spread, spread), 6)
            lat = round(lat0 + rng.uniform(-spread, spread) * 0.85, 6)
            place = street.name.removesuffix("街道").removesuffix("镇")
            name = pattern.format(place=place, brand=rng.choice(BRANDS), shop=rng.choice(SHOPS), host=rng.choice(HOSTS))
            address = f"南京市{district.name}{rng.choice(street_names)}{rng.randint(1, 399)}号"
            # Every random draw comes before this skip, so a second run draws the same sequence.
            if code in existing:
                continue
            point = ServicePoint(
                code=code,
                name=name,
                kind=kind,
                territory=street,
                address=address,
                longitude=lng,
                latitude=lat,
                is_24h=hours == "24小时",
                hours_text=hours,
                offers=offers,
            )
            # bulk_create skips save(), which keeps the WGS-84 copy the nearby search reads.
            point.lng_wgs84, point.lat_wgs84 = geo.convert(lng, lat, source=geo.GCJ02, target=geo.WGS84)
            rows.append(point)
    ServicePoint.objects.bulk_create(rows, batch_size=500)
    return len(rows)
