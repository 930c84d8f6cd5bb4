"""``manage.py healthcheck [PART...]``: the /healthz/ report from the command line.

Compose runs it as the worker's and beat's health check (they serve no HTTP), and an operator
can run it anywhere the settings are. Exit 0 when the named parts (all by default) are fine.
"""

from django.core.management.base import BaseCommand, CommandError

from portal.health import health_report

PARTS = ("database", "broker", "worker", "beat")


class Command(BaseCommand):
    help = "检查数据库、消息队列、后台任务进程（worker）和定时调度（beat）是否正常；有异常时以非零状态退出"

    def add_arguments(self, parser):
        parser.add_argument("parts", nargs="*", metavar="PART", help=f"只检查这些部分（默认全部）：{' '.join(PARTS)}")

    def handle(self, *args, **opts):
        parts = opts["parts"] or list(PARTS)
        unknown = sorted(set(parts) - set(PARTS))
        if unknown:
            raise CommandError(f"未知的检查项：{'、'.join(unknown)}；可选：{' '.join(PARTS)}")
        _, report = health_report()
        failing = [part for part in parts if report[part]["ok"] is False or report[part]["ok"] is None]
        for part in parts:
            state = "正常" if part not in failing else "异常"
            self.stdout.write(f"{part:<9}{state}  {report[part].get('info', '')}")
        if failing:
            raise CommandError(f"不健康：{'、'.join(failing)}")
