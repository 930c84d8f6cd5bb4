"""The downloadable error report: each flagged row as it was in the file, with the Excel row
number and a reason column. openpyxl (write-only, streamed) because formatting matters here:
a bold header, the reason in red, widths a clerk can read. Every text cell is escaped against
formula injection (=, +, -, @, TAB, CR)."""

from __future__ import annotations

import tempfile

from django.db.models import Q
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from core.excel import neutralize_formula
from surveys.models import ImportBatch, RowStatus, StagedRow

SEVERITY = {"error": "错误", "duplicate": "重复", "warning": "提示"}


def error_report(batch: ImportBatch) -> tempfile.SpooledTemporaryFile:
    """An .xlsx of every row with an error, a duplicate or a warning; returned rewound."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("问题清单")
    width = max((c["index"] for c in batch.columns), default=-1) + 1
    by_index = {c["index"]: c["title"] for c in batch.columns}
    headers = ["Excel行号", "问题类别", "问题列", "原因", *[by_index.get(i, "") for i in range(width)]]
    sheet.column_dimensions["A"].width = 10
    sheet.column_dimensions["B"].width = 10
    sheet.column_dimensions["C"].width = 18
    sheet.column_dimensions["D"].width = 48
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    red = Font(color="C00000")
    wrap = Alignment(wrap_text=True, vertical="top")

    def styled(value, font=None, fill_=None, align=None):
        cell = WriteOnlyCell(sheet, value=neutralize_formula(value))
        if font:
            cell.font = font
        if fill_:
            cell.fill = fill_
        if align:
            cell.alignment = align
        return cell

    sheet.append([styled(h, bold, fill) for h in headers])
    rows = (
        StagedRow.objects.filter(batch=batch)
        .filter(Q(status__in=[RowStatus.ERROR, RowStatus.DUPLICATE]) | Q(has_warning=True))
        .order_by("row_number")
        .values_list("row_number", "issues", "raw")
    )
    for row_number, issues, raw in rows.iterator(chunk_size=2000):
        kinds = "、".join(dict.fromkeys(SEVERITY.get(i["severity"], i["severity"]) for i in issues))
        columns = "、".join(dict.fromkeys(i.get("column", "") for i in issues if i.get("column")))
        reasons = "\n".join(
            f"{i.get('letter') or ''}{'列' if i.get('letter') else ''}{i.get('column', '')}：{i['message']}"
            for i in issues
        )
        cells = list(raw) + [""] * max(0, width - len(raw))
        sheet.append(
            [
                styled(row_number),
                styled(kinds),
                styled(columns),
                styled(reasons, red, None, wrap),
                *[styled(v) for v in cells[:width]],
            ]
        )
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - the response closes it
    workbook.save(out)
    out.seek(0)
    return out
