"""Territory, Party organizations and covered units at scale."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from devtools.scale.identity import credit_code
from devtools.scale.loader import bulk_load, next_id
from devtools.scale.profiles import Profile
from devtools.scale.tree import child_path
from organizations.models import PartyOrganization, Territory, Unit
from organizations.official_territory import EDITION


def official_tree() -> list[tuple[str, str, list[tuple[str, str, list[tuple[str, str]]]]]]:
    """Nanjing's districts → streets → communities with their official codes and names (the
    vendored 统计用区划代码 table, as load_territory reads it), in code order."""
    from organizations.official_territory import read_table

    districts: dict[str, tuple[str, str, list]] = {}
    streets: dict[str, list] = {}
    for row in read_table("3201"):
        if row.level == "district":
            districts[row.code] = (row.code, row.name, [])
        elif row.level == "street":
            streets[row.code] = []
            districts[row.parent][2].append((row.code, row.name, streets[row.code]))
        elif row.level == "community":
            streets[row.parent].append((row.code, row.name))
    return sorted(districts.values())


@dataclass
class Hierarchy:
    """What later generators need to place their rows consistently."""

    city_id: int = 0
    district_ids: list[int] = field(default_factory=list)
    street_ids: list[int] = field(default_factory=list)
    # per street: its communities and grids (leaf places for people, units, stations)
    places_by_street: dict[int, list[int]] = field(default_factory=dict)
    district_of_street: dict[int, int] = field(default_factory=dict)
    code_of: dict[int, str] = field(default_factory=dict)
    street_org: dict[int, int] = field(default_factory=dict)
    orgs_by_street: dict[int, list[int]] = field(default_factory=dict)
    industry_committee_ids: list[int] = field(default_factory=list)
    unit_ids_by_street: dict[int, list[int]] = field(default_factory=dict)
    unit_street: dict[int, int] = field(default_factory=dict)
    station_ids_by_street: dict[int, list[int]] = field(default_factory=dict)
    person_street: dict[int, int] = field(default_factory=dict)


def generate_territory(profile: Profile, h: Hierarchy) -> int:
    rows: list[dict] = []
    next_pk = next_id(Territory)

    def add(code, name, level, path, depth, numchild):
        nonlocal next_pk
        pk = next_pk
        next_pk += 1
        rows.append(
            {"id": pk, "code": code, "name": name, "level": level, "path": path, "depth": depth,
             "numchild": numchild, "edition": "" if level == "grid" else EDITION}
        )  # fmt: skip
        h.code_of[pk] = code
        return pk

    # The official codes and names; the profile says how many of each district's streets (and of
    # each street's communities) to take, the first in code order. Grids are local additions.
    city_path = child_path("", 1)
    tree = official_tree()
    h.city_id = add("320100", "南京市", "city", city_path, 1, len(tree))
    for d_index, (d_code, d_name, streets) in enumerate(tree, start=1):
        d_path = child_path(city_path, d_index)
        streets = sorted(streets)[: profile.streets_per_district]
        district_id = add(d_code, d_name, "district", d_path, 2, len(streets))
        h.district_ids.append(district_id)
        for s_index, (s_code, s_name, communities) in enumerate(streets, start=1):
            s_path = child_path(d_path, s_index)
            communities = sorted(communities)[: profile.communities_per_street]
            street_id = add(s_code, s_name, "street", s_path, 3, len(communities))
            h.street_ids.append(street_id)
            h.district_of_street[street_id] = district_id
            places = h.places_by_street.setdefault(street_id, [street_id])
            if communities:
                places.remove(street_id)
            for c_index, (c_code, c_name) in enumerate(communities, start=1):
                c_path = child_path(s_path, c_index)
                community_id = add(c_code, c_name, "community", c_path, 4, profile.grids_per_community)
                places.append(community_id)
                for g_index in range(1, profile.grids_per_community + 1):
                    places.append(
                        add(f"{c_code}G{g_index:02d}", f"{c_name}第{g_index}网格", "grid",
                            child_path(c_path, g_index), 5, 0)
                    )  # fmt: skip
    return bulk_load(Territory, rows)


INDUSTRIES = ["快递", "网约配送", "网约车", "律师", "民办教育", "互联网", "物业"]


def generate_organizations(profile: Profile, h: Hierarchy, rng: random.Random) -> int:
    K = PartyOrganization.Kind
    rows: list[dict] = []
    next_pk = next_id(PartyOrganization)
    branch_budget = max(profile.organizations - 1 - len(INDUSTRIES) - len(h.district_ids) - len(h.street_ids), 0)
    # Spread the budget over the streets, the remainder one each to the first streets.
    per_street, remainder = divmod(branch_budget, max(len(h.street_ids), 1))
    branches_of = {street_id: per_street + (i < remainder) for i, street_id in enumerate(h.street_ids)}

    def add(name, kind, territory_id, path, depth, numchild, **extra):
        nonlocal next_pk
        pk = next_pk
        next_pk += 1
        rows.append(
            {"id": pk, "code": f"SC-{pk}", "name": name, "kind": kind, "status": "active",
             "territory_id": territory_id, "path": path, "depth": depth, "numchild": numchild, **extra}
        )  # fmt: skip
        return pk

    root_path = child_path("", 1)
    add("中共南京市委两新工委", K.WORKING_COMMITTEE, h.city_id, root_path, 1, len(INDUSTRIES) + len(h.district_ids))
    position = 0
    for name in INDUSTRIES:
        position += 1
        h.industry_committee_ids.append(
            add(f"南京市{name}行业党委", K.INDUSTRY_COMMITTEE, h.city_id, child_path(root_path, position), 2, 0)
        )
    streets_of = {}
    for street_id in h.street_ids:
        streets_of.setdefault(h.district_of_street[street_id], []).append(street_id)
    for district_id in h.district_ids:
        position += 1
        d_path = child_path(root_path, position)
        d_streets = streets_of.get(district_id, [])
        add(f"{h.code_of[district_id]}两新工委", K.WORKING_COMMITTEE, district_id, d_path, 2, len(d_streets))
        for s_index, street_id in enumerate(d_streets, start=1):
            s_path = child_path(d_path, s_index)
            street_org = add(f"{h.code_of[street_id]}两新综合党委", K.COMPREHENSIVE_COMMITTEE, street_id,
                             s_path, 3, branches_of[street_id])  # fmt: skip
            h.street_org[street_id] = street_org
            places = h.places_by_street[street_id]
            branches = h.orgs_by_street.setdefault(street_id, [])
            for b_index in range(1, branches_of[street_id] + 1):
                kind = rng.choices([K.BRANCH, K.JOINT_BRANCH, K.GENERAL_BRANCH, K.COMMITTEE], [80, 12, 6, 2])[0]
                co_managed = rng.choice(h.industry_committee_ids) if rng.random() < 0.15 else None
                branches.append(
                    add(f"第{b_index}党支部（{h.code_of[street_id]}）", kind, rng.choice(places),
                        child_path(s_path, b_index), 4, 0, industry_committee_id=co_managed,
                        full_member_count=rng.randint(1, 30))
                )  # fmt: skip
    return bulk_load(PartyOrganization, rows)


def generate_units(profile: Profile, h: Hierarchy, rng: random.Random) -> int:
    first = next_id(Unit)
    kinds = [k for k, _ in Unit.Kind.choices]
    streets = h.street_ids

    def rows():
        for offset in range(profile.units):
            pk = first + offset
            street_id = streets[offset % len(streets)]
            covered = rng.random() < 0.6
            org_id = rng.choice(h.orgs_by_street[street_id]) if covered and h.orgs_by_street[street_id] else None
            h.unit_ids_by_street.setdefault(street_id, []).append(pk)
            h.unit_street[pk] = street_id
            region = h.code_of[h.district_of_street[street_id]]
            yield {
                "id": pk,
                "name": f"南京{h.code_of[street_id][-6:-3]}第{pk}号企业有限公司",
                "credit_code": credit_code(region, pk),
                "kind": rng.choice(kinds),
                "territory_id": rng.choice(h.places_by_street[street_id]),
                "organization_id": org_id,
                "employee_count": rng.randint(3, 800),
                "new_employment_worker_count": rng.randint(0, 120),
                "full_member_count": rng.choice([0, 0, 0, 1, 2, 3, 4, 6]),
            }

    return bulk_load(Unit, rows())
