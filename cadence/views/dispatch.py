"""月调度 pages: the stored monthly dispatch as a printable page and as formatted Excel."""

from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from cadence.kpis import available_kpis
from cadence.models import DailySnapshot
from cadence.views.exports import xlsx_response
from core.excel import neutralize_formula
from organizations.scope import get_visible_or_404, restrict

THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD = PatternFill("solid", fgColor="F2DCDB")


def _dispatches(user):
    if not user.has_perm("cadence.view_dailysnapshot"):
        raise PermissionDenied
    return restrict(DailySnapshot.objects.filter(kind=DailySnapshot.Kind.MONTHLY), user).select_related("territory")


@login_required
def dispatch_list(request):
    rows = _dispatches(request.user).order_by("-date", "territory__path")[:120]
    return render(request, "cadence/dispatch_list.html", {"rows": rows, "kpis": available_kpis()})


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


def dispatch_workbook(snapshot: DailySnapshot) -> bytes:
    figures = snapshot.figures
    headers, rows, totals = _table(snapshot)
    wb = Workbook()
    ws = wb.active
    ws.title = "排名"
    title = f"{figures.get('node_label', '')}新兴领域党建工作月调度（{figures.get('period', '')}）"
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append([f"单位：%（排名为并列排名，样本不足不参与排名）    数据截至：{figures.get('period_end', '')}"])
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(headers))
    ws.append(headers)
    for row in rows:
        ws.append([neutralize_formula(v) for v in row])
    ws.append(totals)
    last = ws.max_row
    for r in range(3, last + 1):
        for c in range(1, len(headers) + 1):
            cell = ws.cell(row=r, column=c)
            cell.border = BORDER
            if r == 3:
                cell.font = Font(bold=True)
                cell.fill = HEAD
                cell.alignment = Alignment(horizontal="center", wrap_text=True)
            if r == last:
                cell.font = Font(bold=True)
    for c in range(1, len(headers) + 1):
        ws.column_dimensions[get_column_letter(c)].width = 16 if c == 1 else 11
    ws.freeze_panes = "B4"

    kpi_sheet = wb.create_sheet("指标口径")
    kpi_sheet.append(["指标", "口径", "最小样本"])
    for block in figures.get("rankings", []):
        kpi_sheet.append([block["label"], block["definition"], block["min_sample"]])

    overdue = figures.get("overdue", {})
    ws2 = wb.create_sheet("逾期事项")
    ws2.append(["类别", "对象", "事项", "时限/状态"])
    for r in overdue.get("weekly_reports", []):
        ws2.append(["周例会未报", r["street"], r["week"], r["status"]])
    for t in overdue.get("key_tasks", []):
        ws2.append(["重点任务超期", t["lead"], f"{t['number']}. {t['title']}", t["due"]])
    for m in overdue.get("milestones", []):
        ws2.append(["里程碑超期", m["task"], m["title"], m["due"]])
    for i in overdue.get("rectification", []):
        ws2.append(["整改事项超期", i["territory"], neutralize_formula(i["problem"]), i["due"]])

    ws3 = wb.create_sheet("重点任务")
    ws3.append(["序号", "任务", "牵头单位", "状态", "进度（%）", "完成时限"])
    for t in figures.get("key_tasks", []):
        ws3.append([t["number"], neutralize_formula(t["title"]), t["lead"], t["status"], t["progress"], t["due"]])
    for sheet in (ws2, ws3, kpi_sheet):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
            cell.fill = HEAD
        sheet.column_dimensions["B"].width = 40
        sheet.column_dimensions["C"].width = 30
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@login_required
def dispatch_xlsx(request, pk: int):
    snapshot = get_visible_or_404(_dispatches(request.user), request.user, pk=pk)
    name = f"月调度-{snapshot.figures.get('node_label', '')}-{snapshot.figures.get('period', '')}.xlsx"
    return xlsx_response(name, dispatch_workbook(snapshot))
