from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from cadence import tasks
from cadence.metrics import Lens, compute_all
from cadence.models import DailySnapshot
from cadence.nodes import Node
from cadence.services.snapshots import EXCEPTIONS_KEY, daily_inventory_nodes
from core.tree import add_node
from members.selectors import member_distribution
from organizations.models import Territory, Unit
from organizations.scope import scope_for
from organizations.selectors import coverage_rates, violating_organizations

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 20)
# A nightly batch of every node of the test world (tests below).
QUERIES = 80


def snapshot(code, day=DAY):
    return DailySnapshot.objects.get(kind="daily", date=day, node_key=f"T:{code}").figures


@pytest.mark.smoke
def test_snapshot_figures_equal_live_selectors(data, world, qinhuai_organizer, xinjiekou_cadre, municipal):
    tasks.daily_inventory(DAY.isoformat())
    for user, code in ((qinhuai_organizer, "320104"), (xinjiekou_cadre, "320102003000"), (municipal, "320100")):
        figures = snapshot(code)
        coverage = coverage_rates(user).total
        assert figures["organizations"]["units"] == coverage.units
        assert figures["organizations"]["units_own"] == coverage.own
        assert figures["organizations"]["units_uncovered"] == coverage.uncovered
        assert figures["organizations"]["should_build"] == coverage.should_build
        assert figures["organizations"]["violations"] == violating_organizations(user).count()
        assert figures["members"]["members"] == member_distribution(user, today=DAY).total
        assert figures["members"]["full"] == member_distribution(user, today=DAY).full
        # …and what the user's dashboard computes live for their own scope.
        live = compute_all(Lens(scope_for(user)), DAY)
        assert {k: v for k, v in figures.items() if k != EXCEPTIONS_KEY} == live
    assert snapshot("320104")["organizations"]["units"] == data.units_qinhuai
    assert snapshot("320102")["organizations"]["units"] == data.units_xuanwu
    assert snapshot("320100")["organizations"]["units"] == data.units_qinhuai + data.units_xuanwu
    stations = snapshot("320104")["stations"]
    assert (stations["stations"], stations["open"], stations["closed"]) == (2, 1, 1)
    assert snapshot("320104")["members"]["members"] == 2


def test_industry_committee_node_counts_its_line(data, world):
    world.fuzimiao_org.refresh_from_db()
    data.fuzimiao_branch.industry_committee = world.kuaidi_committee
    data.fuzimiao_branch.save()
    tasks.daily_inventory(DAY.isoformat())
    figures = DailySnapshot.objects.get(date=DAY, node_key="O:HY-KD").figures
    assert figures["organizations"]["units"] == 3  # the co-managed branch's units, 夫子庙 only


def test_rerun_is_idempotent_and_upserts(data, world):
    tasks.daily_inventory(DAY.isoformat())
    rows = DailySnapshot.objects.count()
    assert rows == len(daily_inventory_nodes())
    Unit.objects.create(name="新增未覆盖企业", kind=Unit.Kind.ENTERPRISE, territory=world.chaokujie)
    tasks.daily_inventory(DAY.isoformat())
    assert DailySnapshot.objects.count() == rows
    assert snapshot("320104")["organizations"]["units"] == data.units_qinhuai + 1


def test_exceptions_flag_rises_since_previous_day(data, world):
    call_command("run_report", "daily", "--date", DAY.isoformat(), "--node", "320104")
    Unit.objects.create(name="又一家未覆盖企业", kind=Unit.Kind.ENTERPRISE, territory=world.chaokujie)
    next_day = DAY + timedelta(days=1)
    call_command("run_report", "daily", "--date", next_day.isoformat(), "--node", "320104")
    found = {(e["provider"], e["figure"]) for e in snapshot("320104", next_day)[EXCEPTIONS_KEY]}
    assert ("organizations", "units_uncovered") in found
    assert snapshot("320104", DAY)[EXCEPTIONS_KEY] == []
    # The subtree only: 玄武 was not computed.
    assert not DailySnapshot.objects.filter(node_key="T:320102").exists()


def test_backfill_range_and_errors(data, world):
    call_command("backfill_snapshots", "2026-11-01", "2026-11-03", "--node", "320102")
    assert DailySnapshot.objects.filter(node_key="T:320102").count() == 3
    call_command("backfill_snapshots", "2026-11-01", "2026-11-03", "--node", "320102")
    assert DailySnapshot.objects.filter(node_key="T:320102").count() == 3
    with pytest.raises(CommandError, match="找不到节点"):
        call_command("backfill_snapshots", "2026-11-01", "2026-11-03", "--node", "999999")
    with pytest.raises(CommandError, match="结束日期早于开始日期"):
        call_command("backfill_snapshots", "2026-11-03", "2026-11-01")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("run_report", "daily", "--date", "2026-13-01")


def test_node_parse():
    assert Node.parse("nonsense") is None


def test_beat_schedule_in_one_place(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    tasks_by_entry = {name: entry["task"] for name, entry in schedule.items() if name.startswith("cadence-")}
    assert tasks_by_entry == {
        "cadence-daily-inventory": "cadence.daily_inventory",
        "cadence-weekly-open": "cadence.weekly_reports_open",
        "cadence-weekly-reminders": "cadence.weekly_reminders",
        "cadence-monthly-dispatch": "cadence.monthly_dispatch",
        "cadence-catch-up": "cadence.catch_up",
    }
    from portal.celery import app

    app.loader.import_default_modules()
    for task_name in tasks_by_entry.values():
        assert task_name in app.tasks
    # Nothing in the cadence app schedules work on its own.
    from pathlib import Path

    import cadence

    root = Path(cadence.__file__).parent
    for path in root.rglob("*.py"):
        text = path.read_text()
        assert "add_periodic_task" not in text and "beat_schedule" not in text, path


def test_the_nightly_batch_takes_the_grouped_path_and_equals_each_node_alone(flows, world):
    """A batch of the nightly inventory (every node, as the task hands them out) stores what
    each node's own selectors give, and what the per-node path (``daily_snapshot_compute``)
    stored before."""
    from cadence.metrics import compute_each
    from cadence.nodes import Node
    from cadence.services.snapshots import daily_inventory_run, daily_snapshot_compute

    day = timezone.localdate()
    keys = daily_inventory_nodes()
    assert any(k.startswith("O:") for k in keys) and len(keys) > 10
    alone = {}
    sid = transaction.savepoint()
    for key in keys:
        alone[key] = daily_snapshot_compute(node=Node.parse(key), day=day).figures
    transaction.savepoint_rollback(sid)
    assert daily_inventory_run(day=day, node_keys=[*keys, "T:999999", keys[0]]) == len(keys)
    stored = dict(DailySnapshot.objects.filter(kind="daily", date=day).values_list("node_key", "figures"))
    assert stored == alone
    for key in keys:
        figures = dict(stored[key])
        figures.pop(EXCEPTIONS_KEY)
        assert figures == compute_each(Node.parse(key).lens, day), key


def test_the_nightly_batch_queries_are_pinned_and_do_not_grow_with_nodes(flows, world, django_assert_num_queries):
    """One grouped pass per provider and level, the nodes read in two queries, the previous
    snapshots in one, one upsert: the same count with six more districts' streets and
    communities. (Each industry committee is its own lens: computed on its own, one per.)"""
    from cadence.services.snapshots import daily_inventory_run

    day = timezone.localdate()

    def run(queries):
        keys = daily_inventory_nodes()
        sid = transaction.savepoint()
        with django_assert_num_queries(queries):
            daily_inventory_run(day=day, node_keys=keys)
        transaction.savepoint_rollback(sid)
        return len(keys)

    before = run(QUERIES)
    for i in range(2):
        world.city.refresh_from_db()
        district = add_node(Territory, world.city, code=f"3201{90 + i}", name=f"新区{i}", level="district")
        for j in range(3):
            district.refresh_from_db()
            street = add_node(Territory, district, code=f"3201{90 + i}{900 + j}000", name=f"新街{j}", level="street")
            add_node(Territory, street, code=f"3201{90 + i}{900 + j}001", name="新社区", level="community")
    assert run(QUERIES) == before + 2 + 6 + 6


def test_each_node_compares_with_its_own_latest_earlier_day(data, world):
    """The nodes of one batch need not share their previous day (a node added later, a run
    missed for one subtree): each day's exceptions compare with that node's own latest earlier
    snapshot, never an older one, a later one or another node's."""
    from cadence.services.snapshots import daily_snapshots_store, snapshots_upsert

    qinhuai, xuanwu = Node.parse("T:320104"), Node.parse("T:320102")

    def uncovered(n):
        return {"organizations": {"units_uncovered": n}}

    def store(day, *pairs):
        daily_snapshots_store(day=day, items=[(node, uncovered(n)) for node, n in pairs])

    store(DAY - timedelta(days=1), (qinhuai, 9))  # 玄武's run of that day was missed
    store(DAY - timedelta(days=9), (qinhuai, 1), (xuanwu, 1))  # stored later, older: never kept
    store(DAY - timedelta(days=5), (qinhuai, 5), (xuanwu, 7))
    store(DAY + timedelta(days=3), (qinhuai, 0), (xuanwu, 0))  # a later day is never "previous"
    # Another kind of snapshot between 玄武's last daily one and the day is not a daily one.
    snapshots_upsert(kind=DailySnapshot.Kind.MONTHLY, day=DAY - timedelta(days=2), items=[(xuanwu, uncovered(2))])
    store(DAY, (qinhuai, 9), (xuanwu, 8))
    assert snapshot("320104")[EXCEPTIONS_KEY] == []  # 9 then 9: nothing rose
    (rose,) = snapshot("320102")[EXCEPTIONS_KEY]
    assert (rose["figure"], rose["previous"], rose["current"]) == ("units_uncovered", 7, 8)
