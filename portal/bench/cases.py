"""The benchmark cases. Each returns a Result; `bench` runs them all and writes the report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

from portal.bench.harness import Result, main_query_of, measure, run_sql


@dataclass
class Context:
    iterations: int
    clients: dict[str, Client]  # by role: "municipal", "district", "street"
    codes: dict[str, str]  # "district", "street": territory codes the role users sit at


def page_case(ctx: Context, name: str, role: str, url: str, table: str, note: str = "") -> Result:
    client = ctx.clients[role]

    def page():
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{name}: {url} answered {response.status_code}")

    sql = main_query_of(page, table)
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        page()
    return Result(
        name=name,
        page=measure(page, iterations=ctx.iterations),
        floor=measure(run_sql(sql), iterations=ctx.iterations),
        queries=len(captured.captured_queries),
        note=note,
    )


CaseFn = Callable[[Context], Result]


def organization_cases(ctx: Context) -> list[Result]:
    d, s = ctx.codes["district"], ctx.codes["street"]
    unit = "organizations_unit"
    org = "organizations_partyorganization"
    return [
        page_case(ctx, "admin 覆盖单位 首页（市级）", "municipal", "/admin/organizations/unit/", unit),
        page_case(ctx, "admin 覆盖单位 首页（街道）", "street", "/admin/organizations/unit/", unit),
        page_case(
            ctx,
            "admin 覆盖单位 筛选（区级，类型）",
            "district",
            "/admin/organizations/unit/?kind__exact=enterprise",
            unit,
        ),
        page_case(ctx, "admin 覆盖单位 搜索（市级，名称）", "municipal", "/admin/organizations/unit/?q=第1234号", unit),
        page_case(ctx, "admin 党组织 首页（市级）", "municipal", "/admin/organizations/partyorganization/", org),
        page_case(ctx, "API 单位列表（街道）", "street", "/api/v1/units/", unit),
        page_case(ctx, "API 单位列表（市级，辖区筛选）", "municipal", f"/api/v1/units/?territory={d}", unit),
        page_case(ctx, "API 党组织列表（区级）", "district", "/api/v1/organizations/", org),
        page_case(
            ctx, "API 单位列表（街道，类型筛选）", "street", f"/api/v1/units/?territory={s}&kind=enterprise", unit
        ),
    ]


# Each entry produces results; the later domain issues add theirs here.
SUITES: list[Callable[[Context], list[Result]]] = [organization_cases]
