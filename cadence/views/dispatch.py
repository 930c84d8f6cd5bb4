"""月调度 pages: the stored monthly dispatch as a printable page and as formatted Excel."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from cadence.kpis import available_kpis
from cadence.models import DailySnapshot
from core.excel import XLSX_CONTENT_TYPE, Column, Sheet, subtitle_for, write_xlsx
from core.exports import file_response
from organizations.models import StaffPost
from organizations.scope import get_visible_or_404, restrict


def _dispatches(user):
    if not user.has_perm("cadence.view_dailysnapshot"):
        raise PermissionDenied
    return restrict(DailySnapshot.objects.filter(kind=DailySnapshot.Kind.MONTHLY), user).select_related("territory")


# The posts a monthly dispatch is made for (the city ranks districts, a district its streets).
DISPATCH_ROLES = (StaffPost.Role.MUNICIPAL, StaffPost.Role.DISTRICT)


@login_required
def dispatch_list(request):
    rows = _dispatches(request.user).order_by("-date", "territory__path")[:120]
    # Anyone else (a street, a line post) never gets a report of their own: the empty list must
    # not promise one on the first working day.
    made_for_them = (
        request.user.is_superuser or request.user.posts.filter(is_active=True, role__in=DISPATCH_ROLES).exists()
    )
    return render(
        request,
        "cadence/dispatch_list.html",
        {"rows": rows, "kpis": available_kpis(), "made_for_them": made_for_them},
    )


def _table(snapshot: DailySnapshot) -> tuple[list[str], list[list], list]:
    """The ranking table: one row per child node, one (value, rank) pair per KPI, and a totals row."""
    figures = snapshot.figures
    rankings = figures.get("rankings", [])
    headers = [figures.get("child_level") or "单位"]
    for block in rankings:
        headers += [f"{block['label']}（%）", "排名", "较上月"]
    by_node = {}
    for block in rankings:
        for entry in block["entries"]:
            by_node.setdefault(entry["node"], {})[block["kpi"]] = entry
    rows = []
    for child in figures.get("children", []):
        row = [child["label"]]
        for block in rankings:
            entry = by_node.get(child["node"], {}).get(block["kpi"], {})
            row += [
                entry.get("value") if entry.get("value") is not None else entry.get("note", "—"),
                entry.get("rank") or "—",
                entry.get("delta") if entry.get("delta") is not None else "—",
            ]
        rows.append(row)
    totals = ["合计"]
    for block in rankings:
        totals += [block.get("total") if block.get("total") is not None else "—", "", ""]
    return headers, rows, totals


@login_required
def dispatch_detail(request, pk: int):
    snapshot = get_visible_or_404(_dispatches(request.user), request.user, pk=pk)
    headers, rows, totals = _table(snapshot)
    return render(
        request,
        "cadence/dispatch_detail.html",
        {"snapshot": snapshot, "f": snapshot.figures, "headers": headers, "rows": rows, "totals": totals},
    )


def _indexed(headers: list[str], wide: int | None = None) -> list[Column]:
    return [Column(h, (lambda row, i=i: row[i]), width=(wide if i and wide else None)) for i, h in enumerate(headers)]


def dispatch_workbook(snapshot: DailySnapshot, user=None) -> bytes:
    """Rankings (with the stored totals row), the KPI definitions, overdue items and key tasks,
    one sheet each, written by the one export path."""
    figures = snapshot.figures
    headers, rows, totals = _table(snapshot)
    node = figures.get("node_label", "")
    stamp = subtitle_for(scope=node, user=user)
    overdue = figures.get("overdue", {})
    late = [
        *(["周例会未报", r["street"], r["week"], r["status"]] for r in overdue.get("weekly_reports", [])),
        *(["重点任务超期", t["lead"], f"{t['number']}. {t['title']}", t["due"]] for t in overdue.get("key_tasks", [])),
        *(["里程碑超期", m["task"], m["title"], m["due"]] for m in overdue.get("milestones", [])),
        *(["整改事项超期", i["territory"], i["problem"], i["due"]] for i in overdue.get("rectification", [])),
    ]
    tasks = [
        [t["number"], t["title"], t["lead"], t["status"], t["progress"], t["due"]] for t in figures.get("key_tasks", [])
    ]
    kpis = [[b["label"], b["definition"], b["min_sample"]] for b in figures.get("rankings", [])]
    return write_xlsx(
        [
            Sheet(
                name="排名",
                title=f"{node}新兴领域党建工作月调度（{figures.get('period', '')}）",
                subtitle=f"单位：%（排名为并列排名，样本不足不参与排名）    数据截至：{figures.get('period_end', '')}"
                f"    {stamp}",
                columns=_indexed(headers),
                rows=[*rows, totals],
                freeze_first_column=True,
            ),
            Sheet(
                name="指标口径",
                title="指标口径",
                subtitle=stamp,
                columns=_indexed(["指标", "口径", "最小样本"], 40),
                rows=kpis,
            ),
            Sheet(
                name="逾期事项",
                title="逾期事项",
                subtitle=stamp,
                columns=_indexed(["类别", "对象", "事项", "时限/状态"], 30),
                rows=late,
            ),
            Sheet(
                name="重点任务",
                title="重点任务进度",
                subtitle=stamp,
                columns=_indexed(["序号", "任务", "牵头单位", "状态", "进度（%）", "完成时限"], 30),
                rows=tasks,
            ),
        ]
    )


@login_required
def dispatch_xlsx(request, pk: int):
    snapshot = get_visible_or_404(_dispatches(request.user), request.user, pk=pk)
    name = f"月调度-{snapshot.figures.get('node_label', '')}-{snapshot.figures.get('period', '')}.xlsx"
    return file_response(name, dispatch_workbook(snapshot, request.user), XLSX_CONTENT_TYPE)
