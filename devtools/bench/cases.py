"""The benchmark cases. Each suite returns Results; `bench` runs them all and writes the report.

Two kinds of floor:

* ``table=...``: the heaviest statement the page runs against that table (a list page's
  essential query, captured from the real request);
* ``table=None``: every statement the page runs except the session/user lookups of the
  middleware, replayed one after the other through the bare cursor (dashboards and reports,
  whose work *is* many queries). The ratio then shows what Python adds around that SQL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, reset_queries, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from devtools.bench import floors
from devtools.bench.harness import Result, Throughput, main_query_of, measure, measure_pair, run_sql
from devtools.bench.imports import import_cases
from devtools.bench.intake import intake_cases

INFRASTRUCTURE = ('"django_session"', '"auth_user"', '"auth_group"', '"auth_permission"', '"axes_')


@dataclass
class Context:
    iterations: int
    clients: dict[str, Client]  # by role: "municipal", "district", "street"
    codes: dict[str, str]  # "district", "street": territory codes the role users sit at
    profile: str = "city"
    users: dict | None = None  # by role, the User objects behind the clients


def captured(fn: Callable[[], object]) -> list[str]:
    reset_queries()
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return [q["sql"] for q in ctx.captured_queries]


def replay(statements: list[str]) -> Callable[[], None]:
    """Run ``statements`` (SELECTs only: a floor must not write) through the bare cursor."""
    selects = [sql for sql in statements if sql.lstrip().upper().startswith(("SELECT", "WITH"))]
    selects = [sql for sql in selects if not any(name in sql for name in INFRASTRUCTURE)]

    def floor():
        with connection.cursor() as cursor:
            for sql in selects:
                cursor.execute(sql)
                cursor.fetchall()

    return floor


def timed_case(
    ctx: Context,
    name: str,
    fn: Callable[[], object],
    table: str | None,
    note: str = "",
    *,
    floor: Callable[[], object] | None = None,
    **kw,
) -> Result:
    """``fn`` against its floor, interleaved. The floor is ``floor`` when given (the same figures
    computed the cheapest way, see ``floors``), else the page's main query against ``table``, else
    its own statements replayed. With an explicit floor the replay is timed too, for reference."""
    fn()  # once first, so the captured statements are those of the steady state that is timed
    statements = captured(fn)
    replay_ms = None
    if floor is not None:
        replay_ms = measure(replay(statements), iterations=max(1, kw.get("iterations", ctx.iterations) // 3)).median_ms
    elif table:
        floor = run_sql(main_query_of(fn, table))
    else:
        floor = replay(statements)
    iterations = kw.get("iterations", ctx.iterations)
    page_stats, floor_stats = measure_pair(fn, floor, iterations=iterations, warmup=kw.get("warmup", 2))
    return Result(
        name=name, page=page_stats, floor=floor_stats, queries=len(statements), note=note, replay_ms=replay_ms
    )


def page_case(
    ctx: Context, name: str, role: str, url: str, table: str | None, note: str = "", floor=None, **kw
) -> Result:
    client = ctx.clients[role]

    def page():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{name}: {url} answered {response.status_code}")

    return timed_case(ctx, name, page, table, note, floor=floor, **kw)


def baseline_cases(ctx: Context) -> list[Result]:
    """What Django costs with next to no data: a changelist and an API list over a table of a
    dozen rows. Subtracted from a list page's time, it leaves what that page's data costs."""
    return [
        page_case(ctx, "基线 admin 小表（驿站服务项目）", "municipal", "/admin/stations/service/", "stations_service"),
        page_case(
            ctx,
            "基线 API 小表（区级辖区）",
            "municipal",
            "/api/v1/territories/?level=district",
            "organizations_territory",
        ),
    ]


def organization_cases(ctx: Context) -> list[Result]:
    d, s = ctx.codes["district"], ctx.codes["street"]
    unit = "organizations_unit"
    org = "organizations_partyorganization"
    units = "/admin/organizations/unit/"
    return [
        page_case(ctx, "admin 覆盖单位 首页（市级）", "municipal", "/admin/organizations/unit/", unit),
        page_case(ctx, "admin 覆盖单位 首页（街道）", "street", "/admin/organizations/unit/", unit),
        page_case(ctx, "admin 覆盖单位 筛选（区级，类型）", "district", f"{units}?kind__exact=enterprise", unit),
        page_case(ctx, "admin 覆盖单位 搜索（市级，名称）", "municipal", "/admin/organizations/unit/?q=第1234号", unit),
        page_case(ctx, "admin 党组织 首页（市级）", "municipal", "/admin/organizations/partyorganization/", org),
        page_case(ctx, "API 单位列表（街道）", "street", "/api/v1/units/", unit),
        page_case(ctx, "API 单位列表（市级，辖区筛选）", "municipal", f"/api/v1/units/?territory={d}", unit),
        page_case(ctx, "API 党组织列表（区级）", "district", "/api/v1/organizations/", org),
        page_case(
            ctx, "API 单位列表（街道，类型筛选）", "street", f"/api/v1/units/?territory={s}&kind=enterprise", unit
        ),
    ]


def members_cases(ctx: Context) -> list[Result]:
    person = "members_person"
    member = "members_partymembership"
    persons, members = "/admin/members/person/", "/admin/members/partymembership/"
    return [
        page_case(ctx, "admin 人员 首页（市级）", "municipal", "/admin/members/person/", person),
        page_case(ctx, "admin 人员 首页（街道）", "street", "/admin/members/person/", person),
        page_case(ctx, "admin 人员 筛选（区级，职业）", "district", f"{persons}?occupation=courier", person),
        page_case(ctx, "admin 人员 搜索（市级，姓名）", "municipal", "/admin/members/person/?q=王", person),
        page_case(ctx, "admin 人员 搜索（区级，拼音首字母）", "district", "/admin/members/person/?q=zw", person),
        page_case(ctx, "admin 党员 首页（市级）", "municipal", "/admin/members/partymembership/", member),
        page_case(ctx, "admin 党员 筛选（区级，流动党员）", "district", f"{members}?is_mobile__exact=1", member),
        page_case(ctx, "admin 党员 搜索（市级，姓名）", "municipal", "/admin/members/partymembership/?q=李", member),
        page_case(ctx, "API 人员列表（街道）", "street", "/api/v1/persons/", person),
        page_case(ctx, "API 人员列表（市级）", "municipal", "/api/v1/persons/", person),
        page_case(ctx, "API 党员列表（市级，流动党员）", "municipal", "/api/v1/members/?is_mobile=true", member),
        page_case(ctx, "API 党员列表（街道）", "street", "/api/v1/members/", member),
        page_case(ctx, "党员工作台（市级）", "municipal", "/members/board/", member),
        page_case(ctx, "党员工作台（区级）", "district", "/members/board/", member),
    ]


def grievance_cases(ctx: Context) -> list[Result]:
    table = "grievances_grievance"
    admin = "/admin/grievances/grievance/"
    return [
        page_case(ctx, "admin 诉求 首页（市级）", "municipal", "/admin/grievances/grievance/", table),
        page_case(ctx, "admin 诉求 首页（街道）", "street", "/admin/grievances/grievance/", table),
        page_case(ctx, "admin 诉求 筛选（区级，处理中）", "district", f"{admin}?state__exact=in_progress", table),
        page_case(ctx, "admin 诉求 搜索（市级，编号）", "municipal", "/admin/grievances/grievance/?q=SQ2026", table),
        page_case(ctx, "API 诉求列表（街道）", "street", "/api/v1/grievances/", table),
        page_case(ctx, "API 诉求列表（市级，已办结）", "municipal", "/api/v1/grievances/?state=closed", table),
        page_case(ctx, "API 驿站列表（市级）", "municipal", "/api/v1/stations/", "stations_station"),
        # one case and its timeline (partitioned by month on PostgreSQL: a probe per month)
        page_case(ctx, "API 单件诉求及办理记录（市级）", "municipal", f"/api/v1/grievances/{_last_case()}/", None),
    ]


def _last_case() -> str:
    """The ticket of the newest case (the API looks cases up by ticket)."""
    from grievances.models import Grievance

    return Grievance.objects.order_by("-pk").values_list("ticket", flat=True).first() or "-"


def _recent_account() -> int:
    from points.models import PointEntry

    first = PointEntry.objects.order_by("-pk").values_list("account_id", flat=True).first()
    return first or 0


def _todays_inventory(today: date, territories) -> bool:
    """Make sure today's daily inventory (日盘点) holds the measured nodes, running it as the beat
    would when it does not: without it the "read from the inventory" cases silently measure the
    live path (a run just after midnight, before the nightly job). Returns whether it ran."""
    from cadence.models import DailySnapshot
    from cadence.nodes import Node
    from cadence.services import snapshots

    keys = [Node.of(territory).key for territory in territories]
    present = DailySnapshot.objects.filter(kind=DailySnapshot.Kind.DAILY, date=today, node_key__in=keys).count()
    if present == len(keys):
        return False
    snapshots.daily_inventory_run(day=today, node_keys=snapshots.daily_inventory_nodes())
    return True


def dashboard_cases(ctx: Context) -> list[Result]:
    from cadence.services.weekly import iso_week_of, prefill_figures
    from organizations.models import Territory

    street = Territory.objects.get(code=ctx.codes["street"])
    district = Territory.objects.get(code=ctx.codes["district"])
    city = Territory.objects.get_root_nodes().first()
    today = timezone.localdate()
    year, week = iso_week_of(today)
    # The live path too: a week whose Monday has no snapshot yet is prefilled from the selectors.
    live_year, live_week = iso_week_of(today - timedelta(days=7 * 60))
    live_day = min(date.fromisocalendar(live_year, live_week, 7), today)
    grouped = "下限：同样指标按 GROUP BY 下级一次算出"
    made = _todays_inventory(today, (city, district, street))
    read = "今日日盘点在测量前由基准生成（当日尚未运行）；" if made else ""
    return [
        page_case(ctx, "看板（市级，读日盘点）", "municipal", "/dashboard/", None, note=read),
        page_case(ctx, "看板（区级，读日盘点）", "district", "/dashboard/", None, note=read),
        page_case(ctx, "看板（街道，读日盘点）", "street", "/dashboard/", None, note=f"{read}目标：≤20 条 SQL"),
        page_case(
            ctx,
            "看板（市级，实时）",
            "municipal",
            "/dashboard/?live=1",
            None,
            note=f"无缓存；{grouped}",
            floor=floors.dashboard_floor(city, today),
        ),
        page_case(
            ctx,
            "看板（区级，实时）",
            "district",
            "/dashboard/?live=1",
            None,
            note=f"无缓存；{grouped}",
            floor=floors.dashboard_floor(district, today),
        ),
        page_case(
            ctx,
            "看板（街道，实时）",
            "street",
            "/dashboard/?live=1",
            None,
            note=f"无缓存；{grouped}",
            floor=floors.dashboard_floor(street, today),
        ),
        page_case(ctx, "看板数据 API（区级）", "district", f"/dashboard/figures.json?node=T:{district.code}", None),
        timed_case(ctx, "周例会 预填（街道，本周）", lambda: prefill_figures(street, year, week), None),
        timed_case(
            ctx,
            "周例会 预填（街道，60 周前）",
            lambda: prefill_figures(street, live_year, live_week),
            None,
            note="周报预填不读快照，与打开周报时一样现算（语句按进程保留）；下限为同样指标的聚合",
            floor=floors.run_statements(floors.grouped_figures_sql(street, live_day, depths=())),
        ),
    ]


def dispatch_cases(ctx: Context) -> list[Result]:
    from cadence.models import DailySnapshot
    from cadence.nodes import Node
    from cadence.services.dispatch import dispatch_nodes, monthly_dispatch_build, monthly_dispatch_run, period_of
    from organizations.models import Territory

    city = Node.of(Territory.objects.get_root_nodes().first())
    today = timezone.localdate()
    month_end = period_of(today)[1]

    def build():
        with transaction.atomic():
            monthly_dispatch_build(node=city, day=today)

    def cold(nodes):
        # As on a first working day when the nightly inventory of the month's last day is
        # missing: every node's month-end figures are computed on the spot. Rolled back, so each
        # round starts cold again.
        def run():
            try:
                with transaction.atomic():
                    DailySnapshot.objects.filter(kind=DailySnapshot.Kind.DAILY, date=month_end).delete()
                    monthly_dispatch_run(nodes=nodes(), day=today)
                    raise _Rollback
            except _Rollback:
                pass

        return run

    return [
        timed_case(ctx, "月调度 全市报告（月末快照已有）", build, None, iterations=5, warmup=1),
        timed_case(
            ctx,
            "月调度 全市报告（月末快照现算）",
            cold(lambda: [city]),
            None,
            note="下限：全市合计＋按区 GROUP BY",
            floor=floors.run_statements(
                floors.grouped_figures_sql(
                    city.territory, month_end, depths=(city.territory.depth + 1,), child_providers=None
                )
            ),
            iterations=3,
            warmup=0,
        ),
        timed_case(
            ctx,
            "月调度 整个月度任务（全市＋各区，月末快照现算）",
            cold(dispatch_nodes),
            None,
            note="下限：全市合计＋按区、按街道各一次 GROUP BY；目标：megacity 60 s 内",
            floor=floors.dispatch_floor(today),
            iterations=3,
            warmup=0,
        ),
    ]


class _Rollback(Exception):
    pass


def points_cases(ctx: Context) -> list[Result | Throughput]:
    from devtools.bench import ledger

    results: list[Result | Throughput] = [
        page_case(ctx, "积分排行（区级，按人，本月）", "district", "/points/leaderboard/", "points_pointentry"),
        page_case(
            ctx, "积分排行（市级，按街道，本年）", "municipal", "/points/leaderboard/?group=street&period=year", None
        ),
        page_case(ctx, "API 积分流水（街道）", "street", "/api/v1/points/entries/", "points_pointentry"),
        page_case(ctx, "API 积分流水（市级）", "municipal", "/api/v1/points/entries/", "points_pointentry"),
        page_case(ctx, "admin 积分流水 首页（市级）", "municipal", "/admin/points/pointentry/", "points_pointentry"),
        page_case(ctx, "admin 积分流水 首页（街道）", "street", "/admin/points/pointentry/", "points_pointentry"),
        # one account's lines (the ledger is partitioned by month on PostgreSQL: a probe per month)
        page_case(
            ctx, "API 一人积分流水（市级）", "municipal", f"/api/v1/points/entries/?account={_recent_account()}", None
        ),
    ]
    results += ledger.ledger_throughput(ctx.users["municipal"], rounds=max(ctx.iterations * 10, 50))
    return results


ROLE_LABELS = {"municipal": "市级", "district": "区级", "street": "街道", "industry": "行业党委", "station": "站长"}


def list_pages(ctx: Context) -> list[tuple[str, str, str, str]]:
    """(role, name, url, main table) of every admin changelist the role may open and every API
    list endpoint on the router, for each role the bench context has."""
    from django.contrib import admin
    from django.test import RequestFactory
    from django.urls import NoReverseMatch, reverse

    from portal.api_urls import build_router

    pages = []
    api = [(prefix, viewset) for prefix, viewset, _ in build_router().registry]
    for role in ctx.clients:
        request = RequestFactory().get("/admin/")
        request.user = ctx.users[role]
        label = ROLE_LABELS.get(role, role)
        for model, model_admin in sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label):
            if not (model_admin.has_module_permission(request) and model_admin.has_view_or_change_permission(request)):
                continue
            try:
                url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            except NoReverseMatch:
                continue
            name = f"admin 清单 {model._meta.verbose_name_plural}（{label}）"
            pages.append((role, name, url, model._meta.db_table))
        for prefix, viewset in api:
            if not hasattr(viewset, "list"):
                continue
            queryset = getattr(viewset, "queryset", None)
            table = queryset.model._meta.db_table if queryset is not None else ""
            pages.append((role, f"API 清单 {prefix}（{label}）", f"/api/v1/{prefix}/", table))
    return pages


def lists_cases(ctx: Context) -> list[Result]:
    """Every list page and API list of every role (issue 22, item 0): each against its main
    query run bare, the query count beside the time. Few rounds per page (there are hundreds);
    pages a role may not open (403/404) are left out, those that fail are reported by name."""
    iterations = max(3, ctx.iterations // 5)
    results, failed = [], []
    for role, name, url, table in list_pages(ctx):
        client = ctx.clients[role]
        first = client.get(url)
        if 400 <= first.status_code < 500:  # not this role's, or a list that needs a parameter
            continue
        if first.status_code != 200:
            failed.append(f"{name} {url} → {first.status_code}")
            continue

        def page(client=client, url=url):
            client.get(url)

        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            page()
        statements = captured.captured_queries
        mains = [q for q in statements if table and f'FROM "{table}"' in q["sql"] and "LIMIT" in q["sql"]]
        mains = mains or [q for q in statements if table and f'"{table}"' in q["sql"]]
        floor = (
            run_sql(max(mains, key=lambda q: float(q["time"]))["sql"])
            if mains
            else replay([q["sql"] for q in statements])
        )
        page_stats, floor_stats = measure_pair(page, floor, iterations=iterations, warmup=0)
        results.append(Result(name=name, page=page_stats, floor=floor_stats, queries=len(statements), note=url))
    if failed:
        raise RuntimeError("list pages that failed: " + "; ".join(failed))
    return results


# Each entry produces results; `bench --only NAME` runs the suites called NAME_cases.
SUITES: list[Callable[[Context], list]] = [
    baseline_cases,
    organization_cases,
    members_cases,
    grievance_cases,
    dashboard_cases,
    dispatch_cases,
    points_cases,
    intake_cases,
    import_cases,
    lists_cases,
]
