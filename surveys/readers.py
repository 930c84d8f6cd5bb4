"""取数: open a department's file as it was sent and yield its rows with Excel row numbers.

* XLSX/XLSM streamed from the sheet XML (``xlsx.py``: memory flat in the number of rows), other
  workbooks (XLS, XLSB, ODS) through python-calamine, which loads the sheet whole; both give
  values only. Merged cells hold their value in the top-left cell only, so each merged range is
  filled with that value — what the user sees on screen — both in header rows and in data rows
  (a district merged down ten rows).
* CSV/TSV in UTF-8 (with or without BOM), UTF-16 with BOM or GBK/GB18030, detected by decoding
  the whole file in fixed-size chunks (memory stays flat), then read with ``csv`` row by row.
* The header row is found under any title rows: the row (optionally combined with the row
  above it, for two-level headers) whose cells match the most known headers.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from core.text import clean_text

HEADER_SEARCH_ROWS = 30
_CHUNK = 1 << 20


class UnreadableFile(Exception):
    """The file cannot be read at all; the message is for the user."""


def file_sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def header_key(text) -> str:
    """Headers compare half-width, without spaces, line breaks, asterisks or trailing colons."""
    value = clean_text(text if isinstance(text, str) else ("" if text is None else str(text)))
    return "".join(value.split()).replace("*", "").replace("（", "(").replace("）", ")").rstrip(":")


def column_index(letter: str) -> int:
    """A → 0, AA → 26."""
    index = 0
    for ch in letter:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


@dataclass
class Table:
    """Rows of the first sheet: ``rows()`` yields ``(excel_row_number, cells)`` lazily."""

    format: str
    encoding: str = ""
    sheet: str = ""
    total_rows: int = 0
    col_offset: int = 0  # calamine drops leading empty columns
    _rows: Callable[[], Iterator[tuple[int, list]]] = field(default=None, repr=False)

    def rows(self) -> Iterator[tuple[int, list]]:
        return self._rows()

    def letter(self, index: int) -> str:
        return column_letter(self.col_offset + index)


def open_table(path) -> Table:
    with open(path, "rb") as fh:
        head = fh.read(8)
    if not head:
        raise UnreadableFile("文件为空")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        return _open_workbook(path)
    return _open_text(path)


# --- Excel ------------------------------------------------------------------------------------


def _open_workbook(path) -> Table:
    from surveys import xlsx

    if xlsx.is_ooxml_workbook(path):
        try:
            name, last_row, rows = xlsx.open_first_sheet(path)
        except xlsx.BadWorkbook as exc:
            raise UnreadableFile(f"无法读取Excel文件：{exc}") from exc

        def checked() -> Iterator[tuple[int, list]]:
            try:
                yield from rows()
            except xlsx.BadWorkbook as exc:
                raise UnreadableFile(f"无法读取Excel文件：{exc}") from exc

        return Table(format="xlsx", sheet=name, total_rows=last_row, _rows=checked)
    return _open_with_calamine(path)


def _open_with_calamine(path) -> Table:
    """.xls, .xlsb and .ods: calamine reads the whole sheet (the streaming reader covers .xlsx)."""
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        names = workbook.sheet_names
        if not names:
            raise UnreadableFile("工作簿中没有工作表")
        sheet = workbook.get_sheet_by_index(0)
    except UnreadableFile:
        raise
    except Exception as exc:  # calamine raises several error types for damaged files
        raise UnreadableFile(f"无法读取Excel文件：{exc}") from exc
    col_offset = sheet.start[1] if sheet.start else 0
    merges = sorted(
        ((r1, c1 - col_offset, r2, c2 - col_offset) for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or [])),
    )

    def rows() -> Iterator[tuple[int, list]]:
        active: list[tuple[int, int, int, int, object]] = []
        pending = list(merges)
        for index, cells in enumerate(sheet.iter_rows()):
            cells = list(cells)
            # Open the merged ranges that start here (their value is in this row's top-left cell).
            while pending and pending[0][0] == index:
                r1, c1, r2, c2 = pending.pop(0)
                value = cells[c1] if 0 <= c1 < len(cells) else ""
                active.append((r1, c1, r2, c2, value))
            if active:
                for _, c1, _, c2, value in active:
                    for col in range(max(c1, 0), min(c2, len(cells) - 1) + 1):
                        if cells[col] in ("", None):
                            cells[col] = value
                active = [entry for entry in active if entry[2] > index]
            yield index + 1, cells

    return Table(
        format="xlsx",
        sheet=sheet.name,
        total_rows=sheet.height,
        col_offset=col_offset,
        _rows=rows,
    )


# --- CSV --------------------------------------------------------------------------------------


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def detect_encoding(path) -> str:
    with open(path, "rb") as fh:
        head = fh.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        fh.seek(0)
        if b"\x00" in fh.read(4096):
            raise UnreadableFile("文件不是CSV或Excel格式（含二进制内容）")
        for encoding in ("utf-8", "gb18030"):
            fh.seek(0)
            decoder = codecs.getincrementaldecoder(encoding)()
            try:
                for chunk in iter(lambda: fh.read(_CHUNK), b""):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                continue
            return encoding
    raise UnreadableFile("无法识别文件编码（支持UTF-8、GBK/GB18030）")


def _count_lines(path) -> int:
    count = 0
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            count += chunk.count(b"\n")
    return count + 1


def _open_text(path) -> Table:
    encoding = detect_encoding(path)
    with open(path, encoding=encoding, newline="") as fh:
        sample = fh.read(8192)
    first_line = sample.splitlines()[0] if sample else ""
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","

    def rows() -> Iterator[tuple[int, list]]:
        with open(path, encoding=encoding, newline="") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            try:
                for number, cells in enumerate(reader, start=1):
                    # NUL and other control characters are never typed text; PostgreSQL refuses NUL.
                    if _CONTROL.search("".join(cells)):
                        cells = [_CONTROL.sub("", cell) for cell in cells]
                    yield number, cells
            except csv.Error as exc:
                raise UnreadableFile(f"CSV格式错误（第{reader.line_num}行）：{exc}") from exc

    return Table(
        format="csv" if delimiter == "," else "tsv", encoding=encoding, total_rows=_count_lines(path), _rows=rows
    )


# --- header detection -------------------------------------------------------------------------


@dataclass
class Header:
    row_number: int  # Excel row of the (lower) header row
    columns: dict[int, str]  # column index → field name
    titles: dict[int, str]  # column index → header text as in the file
    unknown: list[str]  # header texts that matched nothing (shown to the user)
    title: str = ""  # the text of the rows above the header ("秦淮区新就业群体党员摸排表")


def _candidates(above: list | None, row: list, col: int) -> list[str]:
    cell = header_key(row[col]) if col < len(row) else ""
    top = header_key(above[col]) if above is not None and col < len(above) else ""
    options = []
    if cell:
        options.append(cell)
    if top and cell and top != cell:
        options.append(top + cell)  # 联系人 over 姓名 → 联系人姓名
    if top and not cell:
        options.append(top)  # a header merged down two rows shows in the upper row only
    return options


def find_header(buffered: list[tuple[int, list]], aliases: dict[str, str]) -> tuple[Header, int] | None:
    """The best header among the first rows, and the index in ``buffered`` where data starts.

    ``aliases`` maps ``header_key(text)`` → field name. A header needs at least two known fields.
    """
    best: tuple[int, int] | None = None  # (score, index)
    for index, (_, cells) in enumerate(buffered[:HEADER_SEARCH_ROWS]):
        above = buffered[index - 1][1] if index else None
        fields = set()
        # A two-row header's lower row may end early (a column titled only in the upper row).
        for col in range(max(len(cells), len(above or ()))):
            for option in _candidates(above, cells, col):
                if option in aliases:
                    fields.add(aliases[option])
                    break
        if len(fields) >= 2 and (best is None or len(fields) > best[0]):
            best = (len(fields), index)
    if best is None:
        return None
    index = best[1]
    row_number, cells = buffered[index]
    above = buffered[index - 1][1] if index else None
    columns: dict[int, str] = {}
    titles: dict[int, str] = {}
    unknown: list[str] = []
    for col in range(max(len(cells), len(above or ()))):
        options = _candidates(above, cells, col)
        if not options:
            continue
        titles[col] = options[0] if len(options) == 1 or options[0] in aliases else options[-1]
        for option in options:
            name = aliases.get(option)
            if name and name not in columns.values():
                columns[col] = name
                titles[col] = clean_text(str(cells[col] if col < len(cells) else "")) or option
                break
        else:
            unknown.append(options[0])
    return Header(row_number=row_number, columns=columns, titles=titles, unknown=unknown), index + 1


_TOTAL_WORDS = ("合计", "总计", "小计", "共计", "汇总")
_NOTE_PREFIXES = ("注", "说明", "填表", "制表", "备注", "审核人", "联系人:", "联系电话")


def skip_reason(cells: list) -> str | None:
    """Rows that are not data: blank, totals, notes under the table.

    Asked of every row of a file, so only the cells that could be a total or a note are folded:
    the words looked for are Chinese, and a number, a date or ASCII text is none of them (it
    still counts as a filled cell, ``None`` below)."""
    texts: list[str | None] = []
    for cell in cells:
        if cell in ("", None):
            continue
        if type(cell) is not str:
            text = None
        elif cell.isascii():
            if cell.isspace():
                continue
            text = None
        else:
            text = clean_text(cell)
            if not text:
                continue
        texts.append(text)
        if len(texts) == 3:  # all that the checks below look at: a data row stops here
            break
    if not texts:
        return "blank"
    if any(t is not None and "".join(t.split()) in _TOTAL_WORDS for t in texts):
        return "total"
    if len(texts) == 1 and texts[0] is not None and texts[0].startswith(_NOTE_PREFIXES):
        return "note"
    return None
