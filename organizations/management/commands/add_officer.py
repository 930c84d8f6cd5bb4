from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from organizations.roles import Role
from organizations.services import officer_upsert


class Command(BaseCommand):
    help = "创建或更新一名工作人员及其岗位：add_officer USERNAME --role ROLE --node CODE"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument(
            "--node",
            required=True,
            help="岗位所在节点的代码：辖区代码（市/区/街道/驿站岗位）、党组织编码（行业党委）或机构代码（委员/成员单位）",
        )
        parser.add_argument("--password", help="设置/重置密码；不给则保留原密码")
        parser.add_argument("--title", default="", help="职务，如 组织委员")
        parser.add_argument("--name", default="", help="姓名")

    def handle(self, *args, **opts):
        try:
            post = officer_upsert(
                username=opts["username"],
                role=opts["role"],
                node_code=opts["node"],
                password=opts["password"],
                title=opts["title"],
                full_name=opts["name"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"{post.user.username}: {post}"))
