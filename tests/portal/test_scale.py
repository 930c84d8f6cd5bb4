"""The scale generator (`generate_scale_data`) and `make bench` on the small profile."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import F, OuterRef, Subquery, Sum

from cadence.models import DailySnapshot
from devtools.scale.profiles import PROFILES
from devtools.scale.run import generate
from grievances.models import Grievance, GrievanceEvent
from members.models import PartyMembership, Person
from members.validators import id_number_consistency_errors, validate_id_number
from organizations.models import PartyOrganization, Territory, Unit
from points.models import PointAccount, PointEntry

SMALL = PROFILES["small"]


def assert_small_profile_is_consistent(report):
    assert Person.objects.count() == SMALL.persons
    assert PartyMembership.objects.count() == SMALL.members
    assert Unit.objects.count() == SMALL.units
    assert Grievance.objects.count() == SMALL.grievances
    assert PartyOrganization.objects.count() == SMALL.organizations
    # Everyone sits on a leaf of the territory tree, inside the city.
    city = Territory.objects.get(depth=1)
    assert not Person.objects.exclude(territory__path__startswith=city.path).exists()
    # ID numbers are unique (a constraint) and valid: checksum, birth date and gender agree.
    for person in Person.objects.order_by("?")[:50]:
        validate_id_number(person.id_number)
        assert id_number_consistency_errors(person.id_number, birth_date=person.birth_date, gender=person.gender) == {}
    # Every case has a timeline that ends in its state.
    last_state = Subquery(
        GrievanceEvent.objects.filter(grievance=OuterRef("pk")).order_by("-at", "-pk").values("new_state")[:1]
    )
    assert not Grievance.objects.annotate(last=last_state).exclude(last=F("state")).exists()
    # The ledger adds up: each balance is the sum of its entries, and never negative.
    sums = PointEntry.objects.values("account").annotate(total=Sum("delta"))
    balances = dict(PointAccount.objects.values_list("pk", "balance"))
    assert {row["account"]: row["total"] for row in sums} == balances
    assert min(balances.values()) >= 0
    # A snapshot per node per day down to streets; communities and grids today only, as the
    # nightly run leaves them (a street's dashboard reads its children from them).
    today = DailySnapshot.objects.order_by("-date").values_list("date", flat=True).first()
    below = DailySnapshot.objects.filter(territory__level__in=["community", "grid"])
    assert below.exists() and not below.exclude(date=today).exists()
    assert below.count() == Territory.objects.filter(level__in=["community", "grid"]).count()
    nodes = DailySnapshot.objects.exclude(pk__in=below).values("node_key").distinct().count()
    assert DailySnapshot.objects.exclude(pk__in=below).count() == nodes * SMALL.snapshot_days
    assert report["snapshots"]["rows"] == nodes * SMALL.snapshot_days + below.count()


def test_generator_refuses_a_database_with_data(world):
    with pytest.raises(CommandError, match="已有辖区数据"):
        call_command("generate_scale_data", "--profile", "small")


# One generation serves both checks (it is the slow part): the profile is generated and checked,
# then the bench measures it as it measures a database someone filled (no second generation).
@pytest.mark.timeout(300)
def test_generator_and_bench_on_the_small_profile(db, tmp_path):
    assert_small_profile_is_consistent(generate(SMALL, log=lambda *_: None))
    if connection.vendor == "postgresql":
        # The partitioned ledger and timeline got their months before the COPY: nothing piled
        # up in the DEFAULT partitions.
        with connection.cursor() as cursor:
            for table in ("points_pointentry", "grievances_grievanceevent"):
                cursor.execute(f"SELECT count(*) FROM {table}_default")
                assert cursor.fetchone()[0] == 0, table
    call_command(
        "bench", "--profile", "small", "--iterations", "1", "--out", str(tmp_path),
        "--only", "baseline", "--only", "organization", "--only", "points", "--only", "dispatch",
    )  # fmt: skip
    (json_file,) = tmp_path.glob("bench-small-*.json")
    payload = json.loads(json_file.read_text(encoding="utf-8"))
    cases = {row["case"]: row for row in payload["results"]}
    assert "admin 覆盖单位 首页（街道）" in cases
    assert "月调度 全市报告（月末快照现算）" in cases
    # List pages also get their ratio net of the fixed cost of rendering such a page.
    assert cases["admin 覆盖单位 首页（街道）"]["net_ratio"] >= 0
    assert "net_ratio" not in cases["月调度 全市报告（月末快照现算）"]
    # The whole monthly job, against the grouped-SQL floor, with its own SQL replayed beside it.
    whole = next(row for name, row in cases.items() if name.startswith("月调度 整个月度任务"))
    assert whole["replay_floor_ms"] > 0 and whole["queries"] > cases["月调度 全市报告（月末快照现算）"]["queries"]
    assert "admin 积分流水 首页（市级）" in cases and "API 积分流水（市级）" in cases
    assert cases["API 一人积分流水（市级）"]["queries"] > 0
    assert cases["基线 admin 小表（驿站服务项目）"]["before_city"] == "34 ms"
    timed = [row for row in payload["results"] if "median_ms" in row]
    assert all(row["median_ms"] > 0 and row["floor_median_ms"] > 0 and row["queries"] > 0 for row in timed)
    rates = [row for row in payload["results"] if "rate" in row]
    assert {row["unit"] for row in rates} == {"entries/s"}
    assert all(row["rate"] > 0 and row["baseline_rate"] > 0 for row in rates)
    # An award is one statement, a redemption two, each in one round trip (savepoint included).
    # Inside the test's transaction the bench's rolled-back round is a savepoint itself: its
    # SAVEPOINT, ROLLBACK TO and RELEASE count as three more round trips here (not in `make bench`).
    shapes = {row["case"][:4]: (row["round_trips"] - 3, row["statements"]) for row in rates}
    assert shapes == {"积分授予": (1, 1), "积分兑换": (1, 2)}
    assert payload["generation"] == {}  # measured what was there, regenerated nothing
    markdown = next(tmp_path.glob("bench-small-*.md")).read_text(encoding="utf-8")
    assert "| admin 覆盖单位 首页（街道） |" in markdown


def test_bench_refuses_unknown_suites(db):
    with pytest.raises(CommandError, match="没有这些用例组"):
        call_command("bench", "--only", "nonsense")
