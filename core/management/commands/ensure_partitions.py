from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core.partitions import ensure_partitions, months_ahead, partitioned_tables, partitions_of


class Command(BaseCommand):
    help = (
        "为按月分区的表（积分流水、诉求办理记录）提前创建月分区，并把默认分区中属于新月份的记录移入"
        "（可重复执行；仅 PostgreSQL，beat 每日自动执行）"
    )

    def add_arguments(self, parser):
        parser.add_argument("--ahead", type=int, default=None, help="提前创建的月数（默认 PARTITION_MONTHS_AHEAD）")
        parser.add_argument("--since", default=None, help="同时补建自该月起的分区，格式 YYYY-MM（导入历史数据前）")

    def handle(self, *args, **opts):
        if connection.vendor != "postgresql":
            self.stdout.write("当前数据库不是 PostgreSQL，无需分区")
            return
        since = None
        if opts["since"]:
            try:
                year, month = (int(part) for part in opts["since"].split("-"))
                since = date(year, month, 1)
            except ValueError as exc:
                raise CommandError("--since 的格式应为 YYYY-MM") from exc
        ahead = months_ahead() if opts["ahead"] is None else opts["ahead"]
        if ahead < 0:
            raise CommandError("--ahead 不能为负数")
        created = ensure_partitions(ahead=ahead, since=since)
        for name in created:
            self.stdout.write(f"已创建分区 {name}")
        with connection.cursor() as cursor:
            for table, key in partitioned_tables(cursor):
                self.stdout.write(f"{table}（按 {key} 分区）：{len(partitions_of(cursor, table))} 个分区")
        self.stdout.write(f"新建 {len(created)} 个分区")
