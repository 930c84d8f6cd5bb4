"""The downloadable error report: each flagged row as it was in the file, with the Excel row
number and a reason column, written by the one export path (``core.excel``): title, header,
widths a clerk can read, and every text cell escaped against formula injection."""

from __future__ import annotations

import tempfile

from django.db.models import Q

from core.excel import Column, Sheet, subtitle_for, write_xlsx
from surveys.models import ImportBatch, RowStatus, StagedRow
from surveys.selectors import report_masks

SEVERITY = {"error": "错误", "duplicate": "重复", "warning": "提示"}


def _flagged(batch: ImportBatch, width: int, masks: dict):
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
        for index, mask in masks.items():
            if index < width and cells[index]:
                cells[index] = mask(str(cells[index]))
        yield [row_number, kinds, columns, reasons, *[v if v != "" else None for v in cells[:width]]]


def error_report(batch: ImportBatch, user=None) -> tempfile.SpooledTemporaryFile:
    """An .xlsx of every row with an error, a duplicate or a warning; returned rewound."""
    width = max((c["index"] for c in batch.columns), default=-1) + 1
    by_index = {c["index"]: c["title"] for c in batch.columns}
    fixed = [
        Column("Excel行号", lambda r: r[0], width=10),
        Column("问题类别", lambda r: r[1], width=10),
        Column("问题列", lambda r: r[2], width=18),
        Column("原因", lambda r: r[3], width=48, wrap=True),
    ]
    raw = [Column(by_index.get(i, ""), lambda r, i=i: r[4 + i]) for i in range(width)]
    content = write_xlsx(
        Sheet(
            name="问题清单",
            title=f"导入问题清单：{batch.file_name}",
            subtitle=subtitle_for(scope=f"批次{batch.pk}", user=user),
            columns=[*fixed, *raw],
            rows=_flagged(batch, width, report_masks(batch, user)),
        )
    )
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - the response closes it
    out.write(content)
    out.seek(0)
    return out
