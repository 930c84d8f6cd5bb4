"""Excel exports of the three lists, through the scope door."""

from __future__ import annotations

from cobuild.models import Need, Project, Resource
from core.excel import workbook_bytes
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
            "是" if r.is_available else "否",
            r.address,
        ],
    ),
    "projects": (
        "项目清单",
        ["联盟", "项目名称", "牵头单位", "预算（元）", "状态", "进度（%）", "申报日期", "完成日期", "论证意见"],
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


def export_list(key: str, user) -> tuple[str, bytes]:
    """(filename, xlsx bytes) of one list as the user may see it. Lists are per alliance and
    stay in the thousands, so they are written at once."""
    title, headers, rows, row = LISTS[key]
    return f"{title}.xlsx", workbook_bytes(title=title, headers=headers, rows=(row(obj) for obj in rows(user)))
