"""Grievances with their timelines, and the points ledger, at scale."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from core.partitions import ensure_partitions
from devtools.scale.hierarchy import Hierarchy
from devtools.scale.loader import bulk_load, next_id
from devtools.scale.profiles import Profile
from grievances.models import Category, Grievance, GrievanceEvent
from points.models import PointAccount, PointCategory, PointEntry, PointRule

TEXTS = [
    "小区不让外卖骑手进门，送餐要走很远", "驿站附近没有充电桩，电动车充电难", "孩子在南京上学入学手续咨询",
    "平台拖欠配送费两个月", "路口红绿灯时间太短，骑手过马路危险", "希望驿站增加微波炉热饭",
    "租房太贵，想申请小蜂公寓", "商场后门临时停车被罚款", "夜间配送路段照明不足存在隐患",
]  # fmt: skip

S = Grievance.State
CHUNK = 50_000
LIFECYCLE = [S.SUBMITTED, S.TRIAGED, S.ASSIGNED, S.IN_PROGRESS, S.RESOLVED, S.CLOSED]


def generate_grievances(profile: Profile, h: Hierarchy, rng: random.Random) -> int:
    categories = list(Category.objects.values_list("pk", flat=True)) or [
        Category.objects.create(code="other", name="其他").pk
    ]
    first = next_id(Grievance)
    first_event = next_id(GrievanceEvent)
    now = timezone.now()
    # The timeline is partitioned by month on PostgreSQL: the year back gets its partitions before
    # the COPY, so the rows land in their months rather than all in the DEFAULT partition.
    ensure_partitions(since=now - timedelta(days=366))
    person_ids = sorted(h.person_street)
    event_id = first_event
    events: list[dict] = []

    def rows(chunk: range):
        nonlocal event_id
        for offset in chunk:
            pk = first + offset
            person_id = rng.choice(person_ids) if person_ids and rng.random() < 0.7 else None
            street_id = h.person_street[person_id] if person_id else rng.choice(h.street_ids)
            submitted = now - timedelta(minutes=rng.randint(0, 365 * 24 * 60))
            # Most old cases are closed; recent ones are spread along the lifecycle.
            age_days = (now - submitted).days
            reached = len(LIFECYCLE) - 1 if age_days > 30 and rng.random() < 0.9 else rng.randrange(len(LIFECYCLE))
            state = LIFECYCLE[reached]
            stations = h.station_ids_by_street.get(street_id) or [None]
            responded = submitted + timedelta(hours=rng.randint(1, 30)) if reached >= 2 else None
            resolved = submitted + timedelta(days=rng.randint(1, 12)) if reached >= 4 else None
            yield {
                "id": pk,
                "ticket": f"SQ{submitted:%Y%m%d}-{pk:07d}",
                "channel": rng.choice(["station_qr", "hotline", "staff", "campaign"]),
                "person_id": person_id,
                "category_id": rng.choice(categories),
                "territory_id": rng.choice(h.places_by_street[street_id]),
                "owner_territory_id": street_id,
                "station_id": rng.choice(stations) if rng.random() < 0.5 else None,
                "text": rng.choice(TEXTS),
                "priority": "normal",
                "state": state,
                "submitted_at": submitted,
                "responded_at": responded,
                "resolved_at": resolved,
                "closed_at": resolved + timedelta(days=7) if state == S.CLOSED else None,
                "resolve_due_at": submitted + timedelta(days=7),
                "rating": rng.choice([3, 4, 5, 5, 5]) if reached >= 4 else None,
            }
            at = submitted
            previous = ""
            for step in LIFECYCLE[: reached + 1]:
                events.append(
                    {"id": event_id, "grievance_id": pk, "kind": "submitted" if not previous else "transition",
                     "actor_label": "系统", "at": at, "old_state": previous, "new_state": step}
                )  # fmt: skip
                event_id += 1
                previous = step
                at = at + timedelta(hours=rng.randint(1, 48))

    # In chunks, so the timelines of a million cases never sit in memory at once.
    count = 0
    for begin in range(0, profile.grievances, CHUNK):
        events.clear()
        count += bulk_load(Grievance, rows(range(begin, min(begin + CHUNK, profile.grievances))))
        count += bulk_load(GrievanceEvent, events)
    return count


def generate_points(profile: Profile, h: Hierarchy, rng: random.Random) -> int:
    category, _ = PointCategory.objects.get_or_create(
        code="scale-public", defaults={"name": "公共服务", "territory_id": h.city_id}
    )
    rule, _ = PointRule.objects.get_or_create(
        code="scale-volunteer",
        defaults={"category": category, "name": "志愿服务", "points": 10, "territory_id": h.city_id},
    )
    person_ids = sorted(h.person_street)
    holders = rng.sample(person_ids, min(len(person_ids), max(profile.points_entries // 50, 1)))
    first_account = next_id(PointAccount)
    first_entry = next_id(PointEntry)
    per_account = max(profile.points_entries // len(holders), 1)
    start = timezone.now() - timedelta(days=365)
    ensure_partitions(since=start)  # the ledger's months exist before the COPY (see above)
    accounts: list[dict] = []

    def entries():
        entry_id = first_entry
        for index, person_id in enumerate(holders):
            account_id = first_account + index
            street_id = h.person_street[person_id]
            place = h.places_by_street[street_id][0]
            stations = h.station_ids_by_street.get(street_id) or [None]
            balance = earned = 0
            at: datetime = start + timedelta(minutes=rng.randint(0, 600))
            for n in range(per_account):
                if balance >= 30 and rng.random() < 0.15:
                    kind, delta = "redemption", -rng.choice([10, 20, 30])
                else:
                    kind, delta = "award", rng.choice([5, 10, 10, 20])
                    earned += delta
                balance += delta
                at += timedelta(minutes=rng.randint(30, 60 * 24 * 14 // max(per_account // 26, 1)))
                yield {
                    "id": entry_id,
                    "account_id": account_id,
                    "kind": kind,
                    "delta": delta,
                    "balance_after": balance,
                    "rule_id": rule.pk if kind == "award" else None,
                    "idempotency_key": f"scale:{account_id}:{n}",
                    "territory_id": place,
                    "station_id": rng.choice(stations),
                    "created_at": at,
                }
                entry_id += 1
            accounts.append(
                {"id": account_id, "person_id": person_id, "balance": balance, "earned_total": earned,
                 "updated_at": at}
            )  # fmt: skip

    # Entries go in before their accounts: Django's foreign keys on PostgreSQL are
    # DEFERRABLE INITIALLY DEFERRED, so they are checked when the step's transaction commits.
    count = bulk_load(PointEntry, entries())
    bulk_load(PointAccount, accounts)
    return count + len(accounts)
