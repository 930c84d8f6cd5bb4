"""``manage.py load_territory 3201``: a city's official districts, streets and communities."""

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from organizations.services import territory_load_official


class Command(BaseCommand):
    help = "按国家统计用区划代码载入（或更新）一个城市的区、街道/镇/功能区和社区/村（可重复运行）"

    def add_arguments(self, parser):
        parser.add_argument(
            "city",
            nargs="?",
            default=None,
            help="城市代码，如 3201 或 320100；不给则用 PORTAL_CITY_CODE",
        )
        parser.add_argument(
            "--data-dir",
            type=Path,
            help="区划代码表目录（cities/areas/streets/villages.csv）；默认用仓库内置的版本",
        )
        parser.add_argument("--edition", help="该表的版本（年份），如 2024；默认内置版本 2023")
        parser.add_argument("--list", action="store_true", help="同时逐条列出更名和撤销的节点")

    def handle(self, *args, **opts):
        city = opts["city"] or settings.PORTAL_CITY_CODE
        try:
            summary = territory_load_official(city, data_dir=opts["data_dir"], edition=opts["edition"])
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        except FileNotFoundError as exc:
            raise CommandError(f"找不到区划代码表文件：{exc.filename}") from exc
        if opts["list"] or opts["verbosity"] > 1:
            for code, old, new in summary.renamed:
                self.stdout.write(f"  更名 {code}：{old} → {new}")
            for code in summary.retired:
                self.stdout.write(f"  撤销 {code}")
        self.stdout.write(self.style.SUCCESS(summary.text()))
