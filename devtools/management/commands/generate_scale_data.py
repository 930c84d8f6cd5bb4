import time

from django.core.management.base import BaseCommand, CommandError

from devtools.scale.profiles import PROFILES
from devtools.scale.run import generate
from organizations.models import Territory


class Command(BaseCommand):
    help = "生成大规模测试数据（small / city / megacity），用于性能基准；要求库中尚无辖区数据"

    def add_arguments(self, parser):
        parser.add_argument("--profile", choices=sorted(PROFILES), default="city")
        parser.add_argument("--seed", type=int, default=2025)

    def handle(self, *args, **opts):
        if Territory.objects.exists():
            raise CommandError("数据库中已有辖区数据：请在空库上生成（make bench 会自建临时库）")
        profile = PROFILES[opts["profile"]]
        self.stdout.write(f"生成 {profile.name} 规模数据 …")
        started = time.perf_counter()
        generate(profile, seed=opts["seed"], log=self.stdout.write)
        self.stdout.write(self.style.SUCCESS(f"完成，用时 {time.perf_counter() - started:.1f} 秒"))
