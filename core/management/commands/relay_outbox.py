from datetime import timedelta

from django.core.management.base import BaseCommand

from core.queue import RELAY_GRACE, relay_pending


class Command(BaseCommand):
    help = "发送任务发件箱中待发送的任务（beat 每分钟自动执行；Redis 恢复后也可手动执行）"

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="不等待宽限期，立即发送全部待发任务")

    def handle(self, *args, **opts):
        sent, failed = relay_pending(grace=timedelta(0) if opts["now"] else RELAY_GRACE)
        self.stdout.write(f"已发送 {sent} 条，失败 {failed} 条")
