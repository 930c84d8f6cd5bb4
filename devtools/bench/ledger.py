"""The ledger case: awards and redemptions per second at the profile's ledger size.

Each call runs inside a transaction that is rolled back afterwards, and so does its floor:
both skip the commit, the rows never pile up between rounds, and the floor can replay the
exact statements the service ran (its idempotency key swapped for a fresh one each time) even
though they insert rows with unique keys. The floor is those statements through the bare
cursor: what the ledger costs without Django's ORM, the checks and the Python around them.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

import sqlparse
from django.db import connection, reset_queries, transaction
from django.test.utils import CaptureQueriesContext

from devtools.bench.harness import Throughput
from members.models import Person
from organizations.models import Territory
from points.models import PointAccount, PointCategory, PointRule, Reward
from points.services.ledger import points_award
from points.services.rewards import points_redeem

# Left out of the floor: its round runs in a transaction of its own already (``_rolled_back``), and
# a savepoint is no work of the ledger's. (Until issue 22 the outer BEGIN and ROLLBACK the capture
# sees were replayed too, two round trips the service side did not pay: the floor looked slower.)
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK", "BEGIN", "COMMIT")
OUTER = ("BEGIN", "ROLLBACK", "COMMIT")


class _Rollback(Exception):
    pass


def _rolled_back(fn: Callable[[], object]) -> None:
    try:
        with transaction.atomic():
            fn()
            raise _Rollback
    except _Rollback:
        pass


def _bare(sql: str) -> str:
    """``sql`` without the savepoint a round trip carries with it (an award or a redemption is
    one round trip: ``SAVEPOINT …; <its statements>; RELEASE SAVEPOINT …``)."""
    return re.sub(r"; RELEASE SAVEPOINT \w+$", "", re.sub(r"^SAVEPOINT \w+; ", "", sql))


def _statements(call: Callable[[], object]) -> list[str]:
    """The statements ``call`` runs, for its floor: without transaction control (the floor's
    round is one transaction too, and a savepoint is no work of the ledger's)."""
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        _rolled_back(call)
    bare = [_bare(q["sql"]) for q in ctx.captured_queries]
    return [sql for sql in bare if not sql.startswith(TRANSACTION_CONTROL)]


def _round_trips(call: Callable[[], object]) -> int:
    """Round trips to the database of one call, savepoints included, the outer transaction not."""
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        _rolled_back(call)
    return sum(1 for q in ctx.captured_queries if q["sql"] not in OUTER)


def _statement_count(round_trips: list[str]) -> int:
    """SQL statements in the captured round trips (one round trip may carry several)."""
    return sum(len(sqlparse.split(sql)) for sql in round_trips)


def _floor(statements: list[str], key: str) -> Callable[[int], None]:
    def replay(i: int) -> None:
        fresh = f"{key}-floor-{i}"
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql.replace(key, fresh))

    return replay


CHUNK = 10


def _interleaved_rates(rounds: int, call: Callable[[int], object], floor: Callable[[int], None]) -> tuple[float, float]:
    """Both rates from chunks of ``CHUNK`` rounds taken in turn (alternating which goes first), so
    a burst of someone else's load on this shared machine falls on both sides alike."""
    spent = {"call": 0.0, "floor": 0.0}
    done = 0
    for chunk, start in enumerate(range(0, rounds, CHUNK)):
        size = min(CHUNK, rounds - start)
        sides = [("call", call), ("floor", floor)]
        for side, fn in sides if chunk % 2 == 0 else reversed(sides):
            started = time.perf_counter()
            for i in range(start, start + size):
                _rolled_back(lambda i=i, fn=fn: fn(i))
            spent[side] += time.perf_counter() - started
        done += size
    return done / spent["call"], done / spent["floor"]


def _fixtures(persons: int, actor) -> tuple[list[Person], PointRule, Reward]:
    city = Territory.objects.get_root_nodes().first()
    category, _ = PointCategory.objects.get_or_create(code="bench", defaults={"name": "基准测试", "territory": city})
    rule, _ = PointRule.objects.get_or_create(
        code="bench-award", defaults={"category": category, "name": "基准：志愿服务", "points": 10, "territory": city}
    )
    reward, _ = Reward.objects.get_or_create(name="基准：矿泉水", territory=city, defaults={"cost": 10, "stock": 10**9})
    people = list(
        Person.objects.filter(pk__in=PointAccount.objects.order_by("pk").values("person_id")[:persons]).order_by("pk")
    )
    # A balance to redeem from, committed once: the measured rounds roll back.
    for person in people:
        points_award(
            person=person, rule=rule, actor=actor, idempotency_key=f"bench-seed:{person.pk}", points=100_000,
            check_award_roles=False,
        )  # fmt: skip
    return people, rule, reward


def ledger_throughput(actor, *, rounds: int = 200, persons: int = 50) -> list[Throughput]:
    people, rule, reward = _fixtures(persons, actor)
    run = uuid.uuid4().hex[:8]

    def award(i: int):
        return points_award(
            person=people[i % len(people)], rule=rule, actor=actor, idempotency_key=f"bench-{run}-a{i}",
            check_award_roles=False,
        )  # fmt: skip

    def redeem(i: int):
        return points_redeem(person=people[i % len(people)], reward=reward, idempotency_key=f"bench-{run}-r{i}")

    results = []
    for label, call, prefix in (("积分授予", award, "a"), ("积分兑换", redeem, "r")):
        _rolled_back(lambda call=call: call(10**6))  # warm-up
        statements = _statements(lambda call=call: call(10**6 + 1))
        trips = _round_trips(lambda call=call: call(10**6 + 2))
        key = f"bench-{run}-{prefix}{10**6 + 1}"
        rate, floor = _interleaved_rates(rounds, call, _floor(statements, key))
        count = _statement_count(statements)
        results.append(
            Throughput(
                name=f"{label}（单笔事务，{len(people)} 人轮流）",
                rate=rate,
                baseline=floor,
                unit="entries/s",
                note=f"每笔 {trips} 次往返（不含保存点 {count} 条 SQL）；基线为同样 SQL 直接执行（交替）",
                extra={"statements": count, "round_trips": trips, "ledger_entries": _entry_count()},
            )
        )
    return results


def _entry_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'points_pointentry'")
        row = cursor.fetchone()
    return int(row[0]) if row else 0
