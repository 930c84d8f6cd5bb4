"""`make bench`: generate a profile into an empty PostgreSQL database and time the portal."""

from __future__ import annotations

import json
import platform
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone

from devtools.bench.cases import SUITES, Context
from devtools.scale.profiles import PROFILES
from devtools.scale.run import generate
from organizations.models import Territory
from organizations.roles import Role
from organizations.services import officer_upsert


class Command(BaseCommand):
    help = "性能基准：生成数据并测量页面/接口相对 SQL 下限的耗时比（结果写入 bench-results/）"

    def add_arguments(self, parser):
        parser.add_argument("--profile", choices=sorted(PROFILES), default="city")
        parser.add_argument("--iterations", type=int, default=15)
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "bench-results"))
        parser.add_argument(
            "--only", action="append", default=[], metavar="SUITE", help="只跑指定的用例组（可重复），如 --only ledger"
        )

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            raise CommandError("基准只在 PostgreSQL 上有意义：请用 make bench（自带临时 PostgreSQL）")
        unknown = set(opts["only"]) - {suite.__name__.removesuffix("_cases") for suite in SUITES}
        if unknown:
            raise CommandError(f"没有这些用例组：{', '.join(sorted(unknown))}")
        # Time the production code path: no debug query log, no template debug, and no
        # dashboard cache (a cached dashboard would measure Redis, not the page).
        with override_settings(DEBUG=False, CADENCE_DASHBOARD_CACHE_SECONDS=0):
            self._run(opts)

    def _run(self, opts) -> None:
        call_command("migrate", verbosity=0)
        profile = PROFILES[opts["profile"]]
        generation = {}
        if Territory.objects.exists():
            self.stdout.write("库中已有数据：直接测量（不重新生成）")
        else:
            self.stdout.write(f"生成 {profile.name} 规模数据 …")
            generation = generate(profile, log=self.stdout.write)
        ctx = self._context(opts["iterations"])
        ctx.profile = profile.name
        results = []
        for suite in SUITES:
            if opts["only"] and suite.__name__.removesuffix("_cases") not in opts["only"]:
                continue
            for result in suite(ctx):
                results.append(result)
                self.stdout.write("  " + _line(result.as_dict()))
        self._write(opts["out"], profile.name, generation, results)

    def _context(self, iterations: int) -> Context:
        street = Territory.objects.filter(level="street").order_by("path").first()
        district = Territory.objects.get_parent(street)
        users = {
            "municipal": officer_upsert(username="bench-municipal", role=Role.MUNICIPAL, node_code="320100"),
            "district": officer_upsert(username="bench-district", role=Role.DISTRICT, node_code=district.code),
            "street": officer_upsert(username="bench-street", role=Role.STREET, node_code=street.code),
        }
        users.update(_line_officers())
        clients = {}
        for role, post in users.items():
            client = Client()
            client.force_login(post.user)
            clients[role] = client
        return Context(
            iterations=iterations,
            clients=clients,
            codes={"district": district.code, "street": street.code},
            users={role: post.user for role, post in users.items()},
        )

    def _write(self, out: str, profile: str, generation: dict, results: list) -> None:
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        payload = {
            "profile": profile,
            "at": timezone.localtime().isoformat(),
            "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
            "generation": generation,
            "results": with_previous(with_net_ratios([r.as_dict() for r in results])),
        }
        json_path = folder / f"bench-{profile}-{stamp}.json"
        json_path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
        lines = [f"# make bench — {profile} — {payload['at']}", ""]
        timed = [r for r in payload["results"] if "median_ms" in r]
        rates = [r for r in payload["results"] if "rate" in r]
        if timed:
            lines += [
                "Server-side time per request against its SQL floor (the page's own SQL run directly);",
                "ratio = page / floor, target ≤ 1.5; net ratio = (page − the fixed cost of the same",
                "kind of page over a dozen rows, the 基线 rows) / floor.",
                "",
                "Dashboards, reports and the monthly job have a grouped-SQL floor (every figure of the node",
                "and its children in one GROUP BY pass per table); `replay ms` is their own SQL replayed.",
                "`before (city)` is the figure on record before issue 22, for comparison.",
                "",
                "| case | median ms | p95 ms | SQL floor ms | ratio | net ratio | queries | replay ms "
                "| before (city) |",
                "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
            ]
            for r in timed:
                cells = [
                    r["case"],
                    r["median_ms"],
                    r["p95_ms"],
                    r["floor_median_ms"],
                    r["ratio"],
                    r.get("net_ratio", ""),
                ]
                cells += [r["queries"], r.get("replay_floor_ms") or "", r.get("before_city", "")]
                lines.append("| " + " | ".join(str(c) for c in cells) + " |")
            lines.append("")
        if rates:
            lines += [
                "Rates against their baseline measured in the same run; ratio = rate / baseline.",
                "",
                "| case | rate | baseline | unit | ratio | before (city) | note |",
                "| --- | ---: | ---: | --- | ---: | --- | --- |",
            ]
            for r in rates:
                cells = [r["case"], r["rate"], r["baseline_rate"], r["unit"], r["ratio"], r.get("before_city", "")]
                cells.append(r["note"])
                lines.append("| " + " | ".join(str(c) for c in cells) + " |")
        md_path = folder / f"bench-{profile}-{stamp}.md"
        md_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"结果：{json_path} 和 {md_path}"))


# Which baseline row (a changelist or an API list over a dozen rows) stands for the fixed cost of
# which pages, by the start of the case name.
BASELINES = {"admin ": "基线 admin", "API ": "基线 API"}


# Figures on record at the city profile before issue 22 (README, the table), by the start
# of the case name, shown beside this run's so progress is visible. Ratios then used the page's
# own SQL replayed as the dashboards' floor.
BEFORE_CITY = {
    "基线 admin": "34 ms",
    "看板（街道，读日盘点）": "833 ms, 329 SQL",
    "看板（市级，实时）": "1.08× (replay floor)",
    "看板（区级，实时）": "1.69× (replay floor)",
    "看板（街道，实时）": "2.53× (replay floor)",
    "月调度 全市报告（月末快照现算）": "1.92× (replay floor)",
    "月调度 整个月度任务": "39.8 s, 4,565 SQL (not benchmarked)",
    "admin 积分流水 首页（市级）": "1.5 s (not benchmarked)",
    "API 积分流水（市级）": "0.7 s (not benchmarked)",
    "积分授予": "0.29×, 7 SQL",
    "积分兑换": "0.28×, 17 SQL",
    "申诉受理吞吐": "0.07× (no-DB view)",
    "导入 覆盖单位 100k行（取数": "17.2×",
    "导入 覆盖单位 100k行 对": "≈0.05 (measured by hand)",
    "导入 覆盖单位 100k行（30k行已在库": "≈8× (1,470 rows/s, by hand)",
}


def _line_officers() -> dict:
    """An industry-committee officer and a station manager, when the profile has a committee and a
    station (the list sweep times every role's lists)."""
    from organizations.models import PartyOrganization
    from stations.models import Station

    posts = {}
    committee = (
        PartyOrganization.objects.filter(kind=PartyOrganization.Kind.INDUSTRY_COMMITTEE, code__isnull=False)
        .order_by("path")
        .first()
    )
    if committee is not None:
        posts["industry"] = officer_upsert(username="bench-industry", role=Role.INDUSTRY, node_code=committee.code)
    station = Station.objects.select_related("territory").order_by("pk").first()
    if station is not None:
        post = officer_upsert(username="bench-station", role=Role.STATION, node_code=station.territory.code)
        if station.manager_post_id != post.pk:
            station.manager_post = post  # as the demo does: the bench's own manager for this station
            station.save(update_fields=["manager_post"])
        posts["station"] = post
    return posts


def with_previous(rows: list[dict]) -> list[dict]:
    for row in rows:
        before = next((v for prefix, v in BEFORE_CITY.items() if row["case"].startswith(prefix)), None)
        if before:
            row["before_city"] = before
    return rows


def with_net_ratios(rows: list[dict]) -> list[dict]:
    """Add ``net_ratio`` = (median − the fixed cost of that kind of page) / floor to list pages,
    when the run measured the baseline. It separates what the data costs from what rendering a
    page of the admin or the API costs at any size."""
    fixed = {
        prefix: next((r["median_ms"] for r in rows if r["case"].startswith(name)), None)
        for prefix, name in BASELINES.items()
    }
    for row in rows:
        prefix = next((p for p in BASELINES if row["case"].startswith(p)), None)
        if prefix and fixed[prefix] is not None and row.get("floor_median_ms"):
            row["net_ratio"] = round(max(row["median_ms"] - fixed[prefix], 0) / row["floor_median_ms"], 2)
    return rows


def _line(row: dict) -> str:
    if "rate" in row:
        return (
            f"{row['case']:<36} {row['rate']:>10.1f} {row['unit']:<10} baseline {row['baseline_rate'] or 0:>10.1f}"
            f"  ratio {row['ratio'] or 0:>6.2f}  {row['note']}"
        )
    return (
        f"{row['case']:<36} median {row['median_ms']:>8.2f} ms  p95 {row['p95_ms']:>8.2f} ms"
        f"  floor {row['floor_median_ms'] or 0:>7.2f} ms  ratio {row['ratio'] or 0:>5.2f}  queries {row['queries']}"
    )
