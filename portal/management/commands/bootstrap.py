"""``manage.py bootstrap``: the first install of a real deployment, without demo data.

Migrates (which also installs the reference data: branch rules, the station service catalogue,
the grievance taxonomy, survey header aliases), loads the territory, the committee structure
(municipal committee and its member units, district committees, industry committees, street
comprehensive committees) and creates the first municipal officer with a password they choose.
Idempotent: a second run adds what is missing and changes nothing else; a later edition of the
区划代码 table is applied by ``load_territory`` on its own (renames and retirements with history).
"""

from __future__ import annotations

import getpass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

# The structure ships for Nanjing, the portal's first city: the municipal bodies and industry
# committees. The lists live with the demo data (organizations/demo.py) but hold no people; only
# these structural parts are used here. The territory is the official table (load_territory).
BUILTIN_CITY = "320100"


class Command(BaseCommand):
    help = "新部署首次安装：迁移数据库，载入辖区、组织架构和基础数据，创建第一位市级工作人员（不含示例人员）"

    def add_arguments(self, parser):
        parser.add_argument("--officer", required=True, help="第一位市委两新工委工作人员的用户名")
        parser.add_argument("--name", default="", help="其姓名")
        parser.add_argument(
            "--password-file",
            type=Path,
            help="从文件第一行读取密码（用于脚本）；不给则交互输入两次",
        )
        parser.add_argument("--superuser", action="store_true", help="同时设为系统管理员（可在管理后台管理所有账号）")

    def handle(self, *args, **opts):
        if settings.PORTAL_CITY_CODE != BUILTIN_CITY:
            raise CommandError(
                f"PORTAL_CITY_CODE={settings.PORTAL_CITY_CODE}：内置的组织架构（市委两新工委、委员单位、行业党委）"
                "只有南京市（320100）；其他城市的辖区可先用 load_territory 载入。"
            )
        password = self._password(opts)
        self.stdout.write("1/4 迁移数据库（含基础数据：支部规则、驿站服务目录、诉求分类、摸排表头别名）")
        call_command("migrate", interactive=False, verbosity=0)
        with transaction.atomic():
            city = self._territory()
            self._structure(city)
            self._officer(city, opts, password)
        self.stdout.write(self.style.SUCCESS("首次安装完成：请用该账号登录，在管理后台添加各区、街道的工作人员。"))

    def _password(self, opts) -> str | None:
        User = get_user_model()
        existing = User.objects.filter(username=opts["officer"]).exists() if self._has_tables() else False
        if opts["password_file"]:
            try:
                password = opts["password_file"].read_text(encoding="utf-8").splitlines()[0]
            except (OSError, IndexError) as exc:
                raise CommandError(f"无法从 {opts['password_file']} 读取密码：文件不存在或为空") from exc
        elif existing:
            return None  # a rerun keeps the officer's password
        else:
            password = getpass.getpass(f"为 {opts['officer']} 设置密码：")
            if password != getpass.getpass("再输入一次："):
                raise CommandError("两次输入的密码不一致，未做任何修改")
        try:
            validate_password(password, user=User(username=opts["officer"], first_name=opts["name"]))
        except ValidationError as exc:
            raise CommandError("密码不符合要求：" + "；".join(exc.messages)) from exc
        return password

    @staticmethod
    def _has_tables() -> bool:
        from django.db import connection

        return get_user_model()._meta.db_table in connection.introspection.table_names()

    def _territory(self):
        from organizations.models import Territory

        self.stdout.write("2/4 载入辖区（load_territory：国家统计用区划代码的区、街道/镇/功能区、社区/村）")
        call_command("load_territory", settings.PORTAL_CITY_CODE, stdout=self.stdout)
        city = Territory.objects.filter(code=settings.PORTAL_CITY_CODE, level=Territory.Level.CITY).first()
        if city is None:
            raise CommandError(f"辖区中没有代码为 {settings.PORTAL_CITY_CODE} 的市（PORTAL_CITY_CODE）")
        return city

    def _structure(self, city) -> None:
        from organizations.demo import seed_bodies, seed_core_organizations
        from organizations.rules import ensure_default_rules

        self.stdout.write("3/4 载入组织架构：市委两新工委及委员/成员单位、各区两新工委、行业党委、街道两新综合党委")
        ensure_default_rules()
        seed_bodies(city)
        seed_core_organizations(city)

    def _officer(self, city, opts, password) -> None:
        from organizations.roles import Role
        from organizations.services import officer_upsert

        self.stdout.write(f"4/4 创建市级工作人员 {opts['officer']}")
        try:
            post = officer_upsert(
                username=opts["officer"],
                role=Role.MUNICIPAL,
                node_code=city.code,
                password=password,
                title="市委两新工委",
                full_name=opts["name"],
            )
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        if opts["superuser"] and not post.user.is_superuser:
            post.user.is_superuser = True
            post.user.save(update_fields=["is_superuser"])
