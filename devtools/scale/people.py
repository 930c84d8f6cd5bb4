"""Stations, persons and Party memberships at scale."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from devtools.scale.hierarchy import Hierarchy
from devtools.scale.identity import id_number, phone
from devtools.scale.loader import bulk_load, next_id
from devtools.scale.profiles import Profile
from members.models import PartyMembership, Person
from members.models.people import Occupation, Platform
from points.models import HomeStation
from stations.models import Station

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
SURNAME_INITIALS = "WLZLCYHZWZXSMZHGHGLLZLXSTXHFDCPZXTDYPYJCYDYCSWLDRS"
GIVEN = [("伟", "W"), ("芳", "F"), ("娜", "N"), ("敏", "M"), ("静", "J"), ("强", "Q"), ("磊", "L"), ("军", "J"),
         ("洋", "Y"), ("勇", "Y"), ("杰", "J"), ("娟", "J"), ("涛", "T"), ("明", "M"), ("超", "C"), ("秀英", "XY"),
         ("建华", "JH"), ("志强", "ZQ"), ("海燕", "HY"), ("晓东", "XD")]  # fmt: skip

# Nanjing's bounding box in GCJ-02, roughly: stations land inside it.
LNG_RANGE = (118.45, 119.15)
LAT_RANGE = (31.30, 32.55)


def generate_stations(profile: Profile, h: Hierarchy, rng: random.Random) -> int:
    first = next_id(Station)
    flagship = max(1, profile.stations * 12 // 1000)
    key = max(1, profile.stations * 100 // 1000)
    hosts = [k for k, _ in Station.HostType.choices]

    def rows():
        for offset in range(profile.stations):
            pk = first + offset
            street_id = h.street_ids[offset % len(h.street_ids)]
            h.station_ids_by_street.setdefault(street_id, []).append(pk)
            tier = "flagship" if offset < flagship else "key" if offset < flagship + key else "standard"
            yield {
                "id": pk,
                "code": f"NXF{pk:05d}",
                "name": f"宁小蜂驿站·{h.code_of[street_id][-9:-3]}-{pk}",
                "tier": tier,
                "host_type": rng.choice(hosts),
                "territory_id": rng.choice(h.places_by_street[street_id]),
                "longitude": Decimal(f"{rng.uniform(*LNG_RANGE):.6f}"),
                "latitude": Decimal(f"{rng.uniform(*LAT_RANGE):.6f}"),
                "coord_system": "gcj02",
                "status": "open" if rng.random() < 0.95 else "suspended",
                "is_24h": rng.random() < 0.2,
            }

    return bulk_load(Station, rows())


OCCUPATIONS = [Occupation.RIDER, Occupation.COURIER, Occupation.RIDE_HAILING, Occupation.TRUCK,
               Occupation.STREAMER, Occupation.OFFICE, Occupation.OTHER]  # fmt: skip
OCCUPATION_WEIGHTS = [30, 25, 15, 8, 4, 12, 6]
PLATFORMS = {
    Occupation.RIDER: [Platform.MEITUAN, Platform.ELEME],
    Occupation.COURIER: [Platform.SF, Platform.JD, Platform.ZTO, Platform.YTO, Platform.STO, Platform.EMS],
    Occupation.RIDE_HAILING: [Platform.DIDI, Platform.T3],
    Occupation.TRUCK: [Platform.HUOLALA],
}


def generate_persons(profile: Profile, h: Hierarchy, rng: random.Random) -> int:
    first = next_id(Person)
    homes: list[tuple[int, int]] = []  # (person, station) for points.HomeStation, loaded after the persons

    def rows():
        for offset in range(profile.persons):
            pk = first + offset
            street_id = h.street_ids[offset % len(h.street_ids)]
            h.person_street[pk] = street_id
            s_index = rng.randrange(len(SURNAMES))
            given, given_initials = rng.choice(GIVEN)
            born = _birth_of(pk)
            # The districts are the official ones (统计用区划代码), each a county of GB/T 2260.
            region = h.code_of[h.district_of_street[street_id]]
            occupation = rng.choices(OCCUPATIONS, OCCUPATION_WEIGHTS)[0]
            units = h.unit_ids_by_street.get(street_id) or [None]
            stations = h.station_ids_by_street.get(street_id) or [None]
            yield {
                "id": pk,
                "name": SURNAMES[s_index] + given,
                "name_initials": (SURNAME_INITIALS[s_index] + given_initials).lower(),
                "id_number": id_number(region, born, pk % 1000),
                "phone": phone(13_000_000 + pk),
                "gender": "M" if pk % 2 else "F",
                "birth_date": born,
                "occupation": occupation,
                "platform": rng.choice(PLATFORMS.get(occupation, [""])),
                "territory_id": rng.choice(h.places_by_street[street_id]),
                "employer_id": rng.choice(units) if rng.random() < 0.5 else None,
            }
            # Drawn last, as when it was a column of the person, so the generated data is unchanged.
            home = rng.choice(stations) if rng.random() < 0.3 else None
            if home is not None:
                homes.append((pk, home))

    count = bulk_load(Person, rows())
    bulk_load(HomeStation, ({"person_id": pk, "station_id": station} for pk, station in homes))
    return count


def _birth_of(pk: int) -> date:
    """A birth date that makes (birth date, serial) unique per person, so ID numbers never
    collide: ``pk // 1000`` picks the day (7919 is prime to the 14,600-day span, so the first
    14,600,000 ids map to distinct days) and ``pk % 1000`` is the serial. Ages 20 to 60."""
    return date(1966, 1, 1) + timedelta(days=(pk // 1000) * 7919 % 14_600)


def generate_memberships(profile: Profile, h: Hierarchy, rng: random.Random) -> int:
    first = next_id(PartyMembership)
    person_ids = sorted(h.person_street)
    chosen = rng.sample(person_ids, min(profile.members, len(person_ids)))

    def rows():
        for offset, person_id in enumerate(chosen):
            street_id = h.person_street[person_id]
            orgs = h.orgs_by_street.get(street_id) or [h.street_org[street_id]]
            joined = date(2026, 1, 1) - timedelta(days=rng.randint(400, 12000))
            probationary = rng.random() < 0.06
            yield {
                "id": first + offset,
                "person_id": person_id,
                "status": "probationary" if probationary else "full",
                "organization_id": rng.choice(orgs),
                "joined_on": joined,
                "full_member_on": None if probationary else joined + timedelta(days=365),
                "is_mobile": rng.random() < 0.08,
                "is_invisible": rng.random() < 0.01,
                "is_new_employment": rng.random() < 0.3,
                "last_contact_on": date(2026, 1, 1) - timedelta(days=rng.randint(0, 300)),
            }

    return bulk_load(PartyMembership, rows())
