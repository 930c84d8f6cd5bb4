"""Backfill the daily inventory for a date range: ``backfill_snapshots FROM TO [--node CODE]``.

Re-running a day replaces its rows (upsert by kind, date, node). State figures (counts of
organizations, stations…) are what the data holds now; period figures (the month's weekly
reports) follow the date.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from cadence.services import snapshots


class Command(BaseCommand):
    help = "按日期区间补算日盘点快照（可重复运行）"

    def add_arguments(self, parser):
        parser.add_argument("start", help="开始日期 YYYY-MM-DD")
        parser.add_argument("end", help="结束日期 YYYY-MM-DD")
        parser.add_argument("--node", help="只补算该节点及其下级（辖区代码或行业党委编码）")

    def handle(self, *args, **opts):
        try:
            start, end = date.fromisoformat(opts["start"]), date.fromisoformat(opts["end"])
            days = list(snapshots.date_range(start, end))
            keys = snapshots.daily_inventory_nodes(opts["node"])
        except ValueError as exc:
            raise CommandError(
                str(exc) if "日期" in str(exc) or "节点" in str(exc) else "日期格式应为 YYYY-MM-DD"
            ) from exc
        if len(days) > 366:
            raise CommandError("一次最多补算 366 天")
        for day in days:
            snapshots.daily_inventory_run(day=day, node_keys=keys)
            self.stdout.write(f"  {day}：{len(keys)} 个节点")
        self.stdout.write(self.style.SUCCESS(f"已补算 {len(days)} 天"))
