"""Every figure in grouped SQL equals the providers' own selectors (``compute_each``): the
child table in one grouped pass per provider equals each child computed alone, the totals
(``compute_all``, one plain aggregate per source) equal the selectors' totals, for every lens a
page or a job uses; and the query counts of the pages and the monthly job do not grow with the
number of children."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from cadence.metrics import PROVIDERS, Lens, compute_all, compute_children, compute_each, keeping_statements
from cadence.models import (
    DailySnapshot,
)
from cadence.nodes import Node
from core.tree import add_node
from organizations.models import Territory
from organizations.scope import UserScope, scope_for

pytestmark = pytest.mark.django_db

GROUPED = sorted(PROVIDERS)


def test_every_provider_has_a_grouped_form():
    assert [name for name in GROUPED if PROVIDERS[name].grouped is None] == []


def _per_child(lens, children, day, only=None):
    return {c.pk: compute_each(lens.narrowed(c), day, only=only) for c in children}


@pytest.mark.parametrize("code", ["320100", "320104", "320104002000"])
def test_grouped_children_equal_each_child_computed_alone(flows, world, code):
    node = Node.parse(code)
    children = [c.territory for c in node.children()]
    assert children
    day = timezone.localdate()
    grouped = compute_children(node.lens, children, day)
    assert grouped == _per_child(node.lens, children, day)
    if code != "320104002000":  # streets' weekly reports; a street's children are communities
        assert any(figures["weekly"]["late"] for figures in grouped.values())


def test_grouped_children_of_an_industry_committee(data, world, flows):
    data.fuzimiao_branch.industry_committee = world.kuaidi_committee
    data.fuzimiao_branch.save()
    lens = Lens(UserScope(organization_paths=frozenset({world.kuaidi_committee.path})))
    children = [c.territory for c in Node.of(world.kuaidi_committee).children()]
    day = timezone.localdate()
    assert compute_children(lens, children, day) == _per_child(lens, children, day)


@pytest.mark.parametrize("code", ["320100", "320104", "320102", "320104002000", "320104002005", "O:HY-KD"])
def test_totals_equal_the_selectors(flows, world, code):
    """A node's own lens (the inventory, the dispatch) and the same narrowed from the city."""
    from cadence.periods import running

    node = Node.parse(code)
    assert node is not None
    day = timezone.localdate()
    totals = compute_all(node.lens, day)
    assert totals == compute_each(node.lens, day)
    month = running("month")
    assert compute_all(node.lens.during(month), month) == compute_each(node.lens.during(month), month)
    if node.territory is not None:
        narrowed = Node.of(world.city).lens.narrowed(node.territory)
        assert compute_all(narrowed, day) == totals
    if code == "320100":
        assert (totals["weekly"]["due"], totals["weekly"]["on_time"], totals["weekly"]["late"]) == (4, 2, 1)
        assert totals["key_tasks"]["overdue"] == 2 and totals["mediation"]["agreed"] == 1


@pytest.mark.parametrize(
    "username", ["municipal", "qinhuai_organizer", "fuzimiao_cadre", "industry_officer", "member_unit_officer"]
)
def test_totals_for_a_viewer_equal_the_selectors(flows, request, username):
    """A viewer's own scope as the lens (no node): no figure counts a record they cannot open."""
    user = request.getfixturevalue(username)
    lens = Lens(scope_for(user))
    day = timezone.localdate()
    assert compute_all(lens, day) == compute_each(lens, day)


def _live(client, url):
    assert client.get(url).status_code == 200


def _add_children(parent: Territory, level: str, count: int, code_of) -> None:
    for i in range(count):
        parent.refresh_from_db()
        add_node(Territory, parent, code=code_of(i), name=f"新{i}", level=level)


@pytest.mark.parametrize(
    ("username", "url", "node_code", "level", "code_of", "queries"),
    [
        ("municipal", "/dashboard/?live=1", "320100", "district", lambda i: f"3201{90 + i}", 33),
        ("qinhuai_organizer", "/dashboard/?live=1", "320104", "street", lambda i: f"320104{900 + i}000", 32),
        ("fuzimiao_cadre", "/dashboard/?live=1", "320104002000", "community", lambda i: f"320104002{900 + i}", 31),
    ],
)
def test_live_dashboard_queries_are_pinned_and_do_not_grow_with_children(
    client, flows, request, django_assert_num_queries, username, url, node_code, level, code_of, queries
):
    client.force_login(request.getfixturevalue(username))
    _live(client, url)
    with django_assert_num_queries(queries):
        _live(client, url)
    _add_children(Territory.objects.get(code=node_code), level, 3, code_of)
    with django_assert_num_queries(queries):
        _live(client, url)


def _dispatch_nodes_of(codes):
    return [Node.parse(code) for code in codes]


def test_the_monthly_job_equals_each_dispatch_built_alone(flows, world):
    """Shared passes, lists cut per node from one query, one upsert: the same dispatches as
    each node's built alone (its own lens's queries), month-end snapshots missing or not."""
    from cadence.services import dispatch

    day = timezone.localdate().replace(day=1) + timedelta(days=40)
    nodes = dispatch.dispatch_nodes()
    assert [n.key for n in nodes] == ["T:320100", "T:320102", "T:320104"]
    alone = {}
    for node in nodes:
        sid = transaction.savepoint()
        alone[node.key] = dispatch.monthly_dispatch_build(node=node, day=day).figures
        transaction.savepoint_rollback(sid)
    together = {s.node_key: s.figures for s in dispatch.monthly_dispatch_run(nodes=nodes, day=day)}
    assert together == alone
    city = together["T:320100"]
    assert [c["node"] for c in city["children"]] == ["T:320102", "T:320104"]
    assert [len(city["overdue"][k]) for k in ("weekly_reports", "milestones", "rectification")] == [1, 3, 3]
    assert len(together["T:320104"]["overdue"]["rectification"]) == 2
    assert len(together["T:320102"]["overdue"]["rectification"]) == 1
    assert len(city["key_tasks"]) == 5 and len(together["T:320102"]["key_tasks"]) == 1
    # Stored once per node and level: re-running upserts, month-end snapshots now present.
    stored = DailySnapshot.objects.filter(kind="daily", date=dispatch.period_of(day)[1]).count()
    assert stored == 3 + 3  # the city, 2 districts, 3 streets
    again = {s.node_key: s.figures for s in dispatch.monthly_dispatch_run(nodes=nodes, day=day)}
    assert again == together
    assert DailySnapshot.objects.filter(kind="monthly").count() == 3


def test_the_monthly_job_queries_do_not_grow_with_districts_and_streets(flows, world, django_assert_num_queries):
    from cadence.services import dispatch

    day = timezone.localdate().replace(day=1) + timedelta(days=40)

    def run(queries):
        sid = transaction.savepoint()
        with django_assert_num_queries(queries):
            dispatch.monthly_dispatch_run(nodes=dispatch.dispatch_nodes(), day=day)
        transaction.savepoint_rollback(sid)

    run(60)
    for i in range(2):
        world.city.refresh_from_db()
        district = add_node(Territory, world.city, code=f"3201{90 + i}", name=f"新区{i}", level="district")
        _add_children(district, "street", 3, lambda j, i=i: f"3201{90 + i}{900 + j}000")
    run(60)


@pytest.mark.parametrize("username", ["municipal", "qinhuai_organizer", "fuzimiao_cadre"])
def test_the_live_dashboard_reads_the_branch_rules_once(client, flows, request, username):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(request.getfixturevalue(username))
    with CaptureQueriesContext(connection) as ctx:
        _live(client, "/dashboard/?live=1")
    reads = [q["sql"] for q in ctx.captured_queries if 'FROM "organizations_branchrule"' in q["sql"]]
    assert len(reads) == 1


def _page(client, url) -> bytes:
    """The page without its CSRF token (masked afresh on every response)."""
    import re

    response = client.get(url)
    assert response.status_code == 200
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", response.content)


def _unkept(monkeypatch):
    for prov in PROVIDERS.values():
        monkeypatch.setattr(prov, "keep_sql", False)


@pytest.mark.parametrize(
    "username, url",
    [
        ("municipal", "/dashboard/?live=1"),
        ("qinhuai_organizer", "/dashboard/?live=1"),
        ("fuzimiao_cadre", "/dashboard/?live=1"),
        ("fuzimiao_cadre", "/dashboard/?live=1&period=quarter"),
        ("industry_officer", "/dashboard/?live=1"),
    ],
)
def test_kept_statements_render_the_page_compiled_afresh(client, flows, request, settings, monkeypatch, username, url):
    """Statements kept per process (``keep_sql``) give the very page the ORM gives: recorded on
    the first view, replayed on the next, byte for byte the page with nothing kept."""
    from cadence.metrics import _STATEMENTS, forget_statements

    settings.CADENCE_DASHBOARD_CACHE_SECONDS = 0
    client.force_login(request.getfixturevalue(username))
    forget_statements()
    recorded = _page(client, url)
    if connection.vendor == "postgresql":  # elsewhere the ORM runs every time
        assert _STATEMENTS, "the page keeps the statements of its grouped forms"
    replayed = _page(client, url)
    with monkeypatch.context() as patch:
        _unkept(patch)
        forget_statements()
        afresh = _page(client, url)
        assert not _STATEMENTS
    assert recorded == replayed == afresh


def test_kept_statements_are_rerun_with_the_current_time(flows, world, monkeypatch):
    """Only SQL is kept: a replayed statement counts what is overdue at the time it runs, and
    gives what the selectors give then."""
    from cadence.metrics import _STATEMENTS, forget_statements

    lens = Node.parse("320104").lens
    day = timezone.localdate() - timedelta(days=40)  # a window already over: the same key later
    forget_statements()
    with keeping_statements():
        before = compute_all(lens, day)
    assert before == compute_each(lens, day)
    kept = len(_STATEMENTS)
    if connection.vendor == "postgresql":
        assert kept
        # Replayed with their parameters written in but ``now()`` (the path this test runs).
        statements = [st for sts in _STATEMENTS.values() for st in sts]
        assert all(st.bound is not None for st in statements) and any(st.now_at for st in statements)
    later = timezone.now() + timedelta(days=400)
    monkeypatch.setattr(timezone, "now", lambda: later)
    with keeping_statements():
        after = compute_all(lens, day)
    assert len(_STATEMENTS) == kept  # replayed, not recorded again
    assert after == compute_each(lens, day)
    assert after["grievances"]["overdue"] > before["grievances"]["overdue"]


def test_kept_statements_follow_changed_records(flows, world):
    """Figures are counted afresh on every run: a record changed after the statements were kept
    is counted as it is now by the replay."""
    from cadence.metrics import forget_statements
    from stations.models import Station

    node = Node.parse("320104")
    day = timezone.localdate()
    forget_statements()
    with keeping_statements():
        before = compute_all(node.lens, day, only=["stations"])["stations"]
    station = Station.objects.filter(territory__path__startswith=node.territory.path, status=Station.Status.OPEN)
    Station.objects.filter(pk=station.values("pk")[:1]).update(status=Station.Status.CLOSED)
    with keeping_statements():
        after = compute_all(node.lens, day, only=["stations"])["stations"]
    assert after == compute_each(node.lens, day, only=["stations"])["stations"]
    assert (after["open"], after["closed"]) == (before["open"] - 1, before["closed"] + 1)


def test_batches_keep_no_statements(flows, world):
    """Outside ``keeping_statements()`` (the daily inventory, the monthly job) nothing is kept."""
    from cadence.metrics import _STATEMENTS, forget_statements

    forget_statements()
    node = Node.parse("320104")
    compute_all(node.lens, timezone.localdate())
    compute_children(node.lens, [c.territory for c in node.children()], timezone.localdate())
    assert not _STATEMENTS


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statements are kept on PostgreSQL only")
def test_a_bound_statement_gives_what_the_statement_gives(world):
    """``_bound`` writes every parameter in but ``now()``: percent signs in the values or the
    SQL, quotes, and several ``now()`` run as the statement with its parameters does."""
    from cadence.metrics import _bound

    now = timezone.now()
    sql = (
        "SELECT COUNT(*) FILTER (WHERE t.name LIKE %s), %s::text, %s < %s, %s::timestamptz = %s, "
        "'100%%' FROM organizations_territory t WHERE t.path LIKE %s"
    )
    params = ("%街道%", "it's 50%", now + timedelta(days=1), now, now, now, "0001%")
    now_at = (3, 4, 5)
    bound = _bound(connection, sql, params, now_at)
    assert bound is not None and bound.count("%s") == 3
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        expected = cursor.fetchall()
        cursor.execute(bound, [now] * 3)
        assert cursor.fetchall() == expected
        assert expected[0][2] is False
        later = now + timedelta(days=2)
        cursor.execute(bound, [later] * 3)
        assert cursor.fetchall()[0][2] is True  # ``now()`` re-bound, the other values kept
    plain = _bound(connection, "SELECT %s::text, '5%%'", ("a%b",), ())
    with connection.cursor() as cursor:
        cursor.execute(plain)
        assert cursor.fetchall() == [("a%b", "5%")]
