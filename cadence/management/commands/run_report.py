"""Run a cadence report by hand: ``run_report daily|weekly|monthly [--date YYYY-MM-DD] [--node CODE]``."""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cadence.nodes import Node
from cadence.services import dispatch, snapshots, weekly
from organizations.models import Territory


class Command(BaseCommand):
    help = "手动运行日盘点（daily）、周例会（weekly：生成本周草稿并催报逾期街道）或月调度（monthly）"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["daily", "weekly", "monthly"])
        parser.add_argument("--date", help="日期 YYYY-MM-DD，默认今天")
        parser.add_argument("--node", help="节点：辖区代码（如 320104）或行业党委编码（如 HY-KD），默认全部")

    def handle(self, *args, **opts):
        try:
            day = date.fromisoformat(opts["date"]) if opts["date"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"日期“{opts['date']}”格式不正确，应为 YYYY-MM-DD") from exc
        node = None
        if opts["node"]:
            node = Node.parse(opts["node"])
            if node is None:
                raise CommandError(f"找不到节点 {opts['node']}（应为辖区代码或行业党委编码）")
        try:
            getattr(self, f"run_{opts['kind']}")(day, node)
        except (ValidationError, ValueError) as exc:
            raise CommandError("；".join(getattr(exc, "messages", [str(exc)]))) from exc

    def run_daily(self, day, node):
        keys = snapshots.daily_inventory_nodes(node.key if node else None)
        count = snapshots.daily_inventory_run(day=day, node_keys=keys)
        self.stdout.write(self.style.SUCCESS(f"日盘点 {day}：{count} 个节点已更新"))

    def run_weekly(self, day, node):
        iso_year, iso_week = weekly.iso_week_of(day)
        streets = Territory.objects.filter(level=Territory.Level.STREET)
        if node is not None:
            if node.territory is None:
                raise CommandError("周例会按街道报送，--node 请给辖区代码")
            streets = streets.filter(path__startswith=node.territory.path)
        opened = 0
        for street in streets.order_by("path"):
            weekly.weekly_report_open(street=street, iso_year=iso_year, iso_week=iso_week)
            opened += 1
        self.stdout.write(self.style.SUCCESS(f"{iso_year}年第{iso_week}周：{opened} 个街道的周报已就绪"))
        reminded = weekly.weekly_reminders_send()
        self.stdout.write(f"已催报逾期周报 {reminded} 份")

    def run_monthly(self, day, node):
        nodes = [node] if node is not None else dispatch.dispatch_nodes()
        for each, snapshot in zip(nodes, dispatch.monthly_dispatch_run(nodes=nodes, day=day), strict=True):
            self.stdout.write(f"  {each.label} {snapshot.figures['period']}")
        self.stdout.write(self.style.SUCCESS(f"月调度已生成 {len(nodes)} 份"))
