"""python manage.py import_survey FILE --kind units|members|stations|organizations [...]"""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from organizations.models import Territory
from surveys.readers import UnreadableFile
from surveys.services import ApplyMode, import_file
from surveys.specs import SPECS


class Command(BaseCommand):
    help = "双线摸排导入：读取部门报送的 CSV/Excel，比对、筛查并分解为街道核实任务；可试运行或应用。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV / XLSX / XLS 文件")
        parser.add_argument("--kind", required=True, choices=sorted(SPECS), help="导入类别")
        parser.add_argument("--source", default="", help="来源部门，如 市场监管局")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--dry-run", action="store_true", help="只读取、比对和筛查，不写入任何数据")
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--apply", action="store_true", help="应用已由街道核实（确认或更正）的行")
        group.add_argument(
            "--apply-clean", action="store_true", help="非交互：应用所有无错误、无警告、无重复的行及已核实的行"
        )
        parser.add_argument("--full-list", action="store_true", help="全量清单：列出平台有而文件中没有的记录")
        parser.add_argument(
            "--territory", default="", help="批次辖区的区划代码（默认全市或 --user 的辖区；须在 --user 的辖区内）"
        )
        parser.add_argument("--user", default="", help="以该用户身份导入（决定可写入的辖区）")

    def handle(self, *args, **options):
        path = Path(options["file"])
        as_json = options["format"] == "json"
        if not path.is_file():
            return self._fail(f"找不到文件：{path}", as_json)
        if options["dry_run"] and (options["apply"] or options["apply_clean"]):
            raise CommandError("--dry-run 不能与 --apply/--apply-clean 同时使用")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"找不到用户 {options['user']}")
        territory = None
        if options["territory"]:
            territory = Territory.objects.filter(code=options["territory"]).first()
            if territory is None:
                raise CommandError(f"找不到区划代码 {options['territory']}")
        apply = ApplyMode.VERIFIED if options["apply"] else ApplyMode.CLEAN if options["apply_clean"] else None
        try:
            _outcome, report = import_file(
                kind=options["kind"],
                path=path,
                user=user,
                source=options["source"],
                full_list=options["full_list"],
                dry_run=options["dry_run"],
                apply=apply,
                territory=territory,
            )
        except UnreadableFile as exc:
            return self._fail(f"无法读取文件：{exc}", as_json)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        if as_json:
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        self._print(report)

    def _fail(self, message: str, as_json: bool):
        if as_json:
            self.stdout.write(json.dumps({"batch": None, "error": message}, ensure_ascii=False))
        raise CommandError(message, returncode=2)

    def _print(self, report: dict) -> None:
        out = self.stdout
        out.write(f"批次：{report['batch'] or '（试运行，未保存）'}  状态：{report['status']}")
        out.write(
            f"共{report['rows']}行：新增{report['created']}，更新{report['updated']}，无变化{report['unchanged']}，"
            f"需处理{report['flagged']}，平台有而文件无{report['missing']}"
        )
        for item in report["errors"][:50]:
            out.write(f"  第{item['row']}行 [{item['column']}] {item['message']}")
        if len(report["errors"]) > 50:
            out.write(f"  ……另有{len(report['errors']) - 50}条错误，见批次页面或错误报告")
        for item in report["duplicates"][:20]:
            out.write(f"  第{item['row']}行与第{item['first_row']}行重复")
        for item in report["warnings"][:20]:
            out.write(f"  提示 第{item['row']}行 [{item['column']}] {item['message']}")
        out.write(self.style.SUCCESS(report["message"]))
