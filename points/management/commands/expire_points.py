from django.core.management.base import BaseCommand

from points.services import points_expire_due


class Command(BaseCommand):
    help = "把已过有效期的积分批次记为过期流水（与每小时的定时任务相同，可重复执行）"

    def handle(self, *args, **options):
        expired = points_expire_due()
        self.stdout.write(f"已处理到期积分批次 {expired} 个")
