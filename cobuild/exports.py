"""The three lists on the one export path (``core.exports``: ``cobuild.needs|resources|projects``),
through the scope door. Lists are per alliance and stay in the thousands; a bigger one would run
as a background job like every other list."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from cobuild.models import Need, Project, Resource
from core.excel import Column
from core.exports import Export, register
from organizations.scope import restrict

LISTS = {
    "needs": (
        "需求清单",
        ["联盟", "需求名称", "类别", "提出方", "数量", "状态", "提出日期", "满足日期", "地址"],
        lambda user: restrict(Need.objects.select_related("alliance"), user).order_by("alliance_id", "id"),
        lambda n: [
            n.alliance.name,
            n.title,
            n.get_category_display(),
            n.raised_by,
            n.quantity,
            n.get_status_display(),
            n.raised_on,
            n.met_on,
            n.address,
        ],
    ),
    "resources": (
        "资源清单",
        ["联盟", "资源名称", "大类", "类别", "提供单位", "数量", "单位", "开放时间", "可认领", "地址"],
        lambda user: restrict(Resource.objects.select_related("alliance", "owner"), user).order_by("alliance_id", "id"),
        lambda r: [
            r.alliance.name,
            r.name,
            r.get_kind_display(),
            r.get_category_display(),
            r.owner.name,
            r.capacity,
            r.capacity_unit,
            r.availability,
            r.is_available,
            r.address,
        ],
    ),
    "projects": (
        "项目清单",
        ["联盟", "项目名称", "牵头单位", ("预算", "元"), "状态", ("进度", "%"), "申报日期", "完成日期", "论证意见"],
        lambda user: restrict(Project.objects.select_related("alliance", "lead"), user).order_by("alliance_id", "id"),
        lambda p: [
            p.alliance.name,
            p.title,
            p.lead.name,
            p.budget_yuan,
            p.get_status_display(),
            p.progress,
            p.proposed_on,
            p.done_on,
            p.review_opinion,
        ],
    ),
}


def _register(key: str) -> None:
    title, headers, rows, row = LISTS[key]
    columns = []
    for index, header in enumerate(headers):
        header, unit = header if isinstance(header, tuple) else (header, "")
        columns.append(Column(header, (lambda values, i=index: values[i]), unit=unit))

    @register(f"cobuild.{key}", title)
    def build(user, params: dict) -> Export:
        if not user.has_perm("cobuild.view_need"):
            raise PermissionDenied
        return Export(title, columns, _Rows(rows(user), row))


class _Rows:
    """The queryset's rows as cell lists, read lazily (and counted without reading them)."""

    def __init__(self, queryset, row):
        self.queryset, self.row = queryset, row

    def __iter__(self):
        return (self.row(obj) for obj in self.queryset.iterator(chunk_size=500))

    def count(self) -> int:
        return self.queryset.count()


for _key in LISTS:
    _register(_key)
