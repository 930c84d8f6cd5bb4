"""The one spreadsheet writer: every list officials take out of the portal is written here.

A sheet as officials expect it: a title row (what), a subtitle (where, when, by whom), a bold
frozen header with units in brackets, one row per record, and a totals row where a sum means
something. Values are written as what they are: dates as dates, numbers as numbers, flags as
是/否, nothing as an empty cell (never the text ``None``/``True``/``False``); every text cell is
escaped against formula injection. Column widths count a CJK character as two, because that is
how much room Excel gives it.

CSV is the same rows, UTF-8 with a BOM so that Excel opens it without garbling the Chinese.
This module knows nothing of the domain apps: callers hand in columns and rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.html import strip_tags
from django.utils.safestring import SafeData

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
TRUE_TEXT, FALSE_TEXT = "是", "否"
PROGRESS_EVERY = 200
WIDTH_SAMPLE = 200  # rows looked at to size the columns (the write-only sheet needs widths first)
MIN_WIDTH, MAX_WIDTH = 6, 60
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def neutralize_formula(value):
    """Prefix a text cell that Excel would run as a formula (CVE-style CSV injection).

    Numbers stay numbers: only *strings* starting with = + - @ TAB CR are escaped.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@dataclass
class Column:
    """One column: ``value(row)`` gives the cell. ``unit`` goes in the header as 名称（单位）;
    ``total`` asks for a sum in the totals row (only where adding the figures means something:
    counts, amounts, points — never years, ranks or rates)."""

    header: str
    value: Callable[[object], object]
    unit: str = ""
    total: bool = False
    width: int | None = None
    wrap: bool = False

    @property
    def title(self) -> str:
        return f"{self.header}（{self.unit}）" if self.unit else self.header


@dataclass
class Sheet:
    """A titled table. ``rows`` may be a lazy iterator (a queryset's ``iterator()``): it is read
    once. ``totals`` adds the 合计 row when a column asks for one. ``notes`` are lines after the
    table (a definition, a caveat)."""

    title: str
    columns: Sequence[Column]
    rows: Iterable
    subtitle: str = ""
    name: str = ""
    totals: bool = True
    notes: Sequence[str] = field(default_factory=tuple)
    freeze_first_column: bool = False


def cell_value(value):
    """A Python value as the cell Excel should hold."""
    if value is None:
        return None
    if isinstance(value, bool):
        return TRUE_TEXT if value else FALSE_TEXT
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, (dt.date, int, float, Decimal)):
        return value
    if isinstance(value, SafeData):  # an admin column rendered as HTML: keep its text
        value = strip_tags(str(value))
    elif isinstance(value, Promise) or not isinstance(value, str):
        value = str(value)
    return neutralize_formula(value)


def display_width(value) -> int:
    """Columns Excel needs for ``value``: a wide (CJK) character takes two."""
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    text = str(value)
    longest = max((line for line in text.splitlines()), key=len, default="")
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest)


def subtitle_for(*, scope: str = "", user=None, when: dt.datetime | None = None) -> str:
    """范围：…  导出时间：…  导出人：… — where, when and by whom, for the second line."""
    parts = []
    if scope:
        parts.append(f"范围：{scope}")
    parts.append(f"导出时间：{timezone.localtime(when or timezone.now()):%Y-%m-%d %H:%M}")
    if user is not None:
        name = (user.get_full_name() or user.get_username()) if hasattr(user, "get_username") else str(user)
        parts.append(f"导出人：{name}")
    return "    ".join(parts)


def _sum(a, b):
    if isinstance(b, bool) or not isinstance(b, (int, float, Decimal)):
        return a
    return b if a is None else a + b


def _write_sheet(wb, sheet: Sheet, progress: Callable[[int], None] | None) -> int:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    columns = list(sheet.columns)
    ws = wb.create_sheet(_sheet_name(sheet.name or sheet.title))
    rows: Iterator = iter(sheet.rows)
    # The write-only sheet needs widths before the first row: size them on a sample.
    sample = [[cell_value(c.value(obj)) for c in columns] for obj in islice(rows, WIDTH_SAMPLE)]
    for index, column in enumerate(columns):
        width = column.width or max(
            [display_width(column.title) + 2, *(display_width(r[index]) + 2 for r in sample)], default=MIN_WIDTH
        )
        ws.column_dimensions[get_column_letter(index + 1)].width = max(MIN_WIDTH, min(MAX_WIDTH, width))
    ws.freeze_panes = "B4" if sheet.freeze_first_column else "A4"

    title = WriteOnlyCell(ws, value=cell_value(sheet.title))
    title.font = Font(size=14, bold=True)
    ws.append([title])
    ws.append([cell_value(sheet.subtitle or subtitle_for())])
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=cell_value(column.title))
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="F2DCDB")
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header.append(cell)
    ws.append(header)

    wrap = Alignment(wrap_text=True, vertical="top")
    totals = [None] * len(columns)
    summed = [c.total for c in columns]

    def emit(values: list) -> None:
        cells = []
        for index, value in enumerate(values):
            if summed[index]:
                totals[index] = _sum(totals[index], value)
            cell = WriteOnlyCell(ws, value=value)
            if isinstance(value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            if columns[index].wrap:
                cell.alignment = wrap
            cells.append(cell)
        ws.append(cells)

    written = 0
    for values in sample:
        emit(values)
        written += 1
    for obj in rows:
        emit([cell_value(c.value(obj)) for c in columns])
        written += 1
        if progress and written % PROGRESS_EVERY == 0:
            progress(written)
    if sheet.totals and any(summed):
        row = []
        for index in range(len(columns)):
            value = "合计" if index == 0 and not summed[0] else totals[index]
            cell = WriteOnlyCell(ws, value=value if value is not None else (0 if summed[index] else None))
            cell.font = Font(bold=True)
            cell.border = border
            row.append(cell)
        ws.append(row)
    for note in sheet.notes:
        ws.append([cell_value(note)])
    return written


def _sheet_name(title: str) -> str:
    cleaned = "".join(ch for ch in title if ch not in "\\/*?:[]").strip("'")
    return cleaned[:31] or "Sheet1"


def write_xlsx(sheets: Sheet | Sequence[Sheet], *, progress: Callable[[int], None] | None = None) -> bytes:
    """An .xlsx of one or more sheets (write-only: memory stays flat on big lists)."""
    from openpyxl import Workbook

    if isinstance(sheets, Sheet):
        sheets = [sheets]
    wb = Workbook(write_only=True)
    used: set[str] = set()
    for sheet in sheets:
        name = _sheet_name(sheet.name or sheet.title)
        while name in used:  # Excel refuses two sheets of one name
            name = _sheet_name(name[:28] + f"_{len(used)}")
        used.add(name)
        sheet.name = name
        _write_sheet(wb, sheet, progress)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _csv_text(value) -> str:
    value = cell_value(value)
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def write_csv(sheet: Sheet, *, progress: Callable[[int], None] | None = None) -> bytes:
    """The header and rows as CSV in UTF-8 with a BOM (Excel then reads the Chinese right).
    No title lines: a CSV is for feeding other tables, whose first line must be the header."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    columns = list(sheet.columns)
    writer.writerow([c.title for c in columns])
    for written, obj in enumerate(sheet.rows, start=1):
        writer.writerow([_csv_text(c.value(obj)) for c in columns])
        if progress and written % PROGRESS_EVERY == 0:
            progress(written)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def safe_filename(title: str, extension: str) -> str:
    safe = "".join(ch for ch in title if ch not in '\\/:*?"<>|').replace(" ", "")
    return f"{safe}-{timezone.localtime():%Y%m%d%H%M}.{extension}"


def workbook_bytes(*, title: str, headers: list[str], rows, subtitle: str = "") -> bytes:
    """A one-sheet workbook from plain header texts and row lists, through the one writer."""
    columns = [Column(header, (lambda row, i=i: row[i])) for i, header in enumerate(headers)]
    return write_xlsx(Sheet(title=title, columns=columns, rows=rows, subtitle=subtitle, totals=False))
