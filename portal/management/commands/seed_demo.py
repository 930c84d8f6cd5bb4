"""Load the Nanjing demo data. Idempotent: a second run adds nothing."""

from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from core.db import analyze

OUR_PACKAGES = {
    "core",
    "organizations",
    "members",
    "stations",
    "cobuild",
    "grievances",
    "points",
    "training",
    "surveys",
    "cadence",
    "volunteers",
    "assessment",
    "portal",
}


def demo_modules() -> list[str]:
    """Each app's ``demo`` module, in INSTALLED_APPS order, which is the floor order: a module's
    ``seed(stdout=...)`` may rely on the data of the apps installed before it."""
    names = []
    for config in apps.get_app_configs():
        module_name = f"{config.name}.demo"
        if config.name.split(".")[0] in OUR_PACKAGES and find_spec(module_name) is not None:
            names.append(module_name)
    return names


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, role, where) of every demo login, from each module's ``LOGINS``."""
    logins: list[tuple[str, str, str]] = [("admin", "系统管理员（超级用户）", "全部")]
    for name in demo_modules():
        logins.extend(getattr(import_module(name), "LOGINS", []))
    return logins


class Command(BaseCommand):
    help = "载入南京示例数据（可重复运行，不会产生重复数据）"

    def add_arguments(self, parser):
        parser.add_argument("--print-logins", action="store_true", help="只打印示例账号，不写数据")

    def handle(self, *args, **opts):
        from organizations.demo import DEMO_PASSWORD

        if opts["print_logins"]:
            self.stdout.write(f"示例账号（密码均为 {DEMO_PASSWORD}）：")
            for username, role, where in demo_logins():
                self.stdout.write(f"  {username:<12} {role:<12} {where}")
            return
        if settings.PRODUCTION:
            raise CommandError(
                "生产环境（PORTAL_ENV=production）不能载入示例数据：示例数据包含演示人员，"
                f"以及密码公开（{DEMO_PASSWORD}）的管理员账号 admin。"
                "新部署请用 manage.py bootstrap（见 README「部署」）。"
            )
        for name in demo_modules():
            with transaction.atomic():
                import_module(name).seed(stdout=self.stdout)
                # Fresh tables have no planner statistics until autovacuum gets to them, and the
                # next module's seed (or the same transaction in a test) reads what this one wrote:
                # without them PostgreSQL picks nested loops that take minutes.
                analyze()
            self.stdout.write(f"  ✓ {name}")
        self._ensure_admin(DEMO_PASSWORD)
        self.stdout.write(self.style.SUCCESS("示例数据已就绪"))

    def _ensure_admin(self, password: str) -> None:
        from django.contrib.auth import get_user_model

        User = get_user_model()
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "", password)
