"""The rows of a worksheet part, read as it decompresses (``surveys.xlsx`` opens the package).

Two paths give the same rows: blocks of whole rows in the plain shape spreadsheet programs write
are read by one regular expression (``FastRows``), any other block — and the whole part when its
start is not plain — by expat through ElementTree's ``XMLParser`` with a target (``SheetRows``).
Cell values come out as calamine gives them (``CellValues``)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from xml.etree.ElementTree import XMLParser

from surveys.xlsx import (
    _EPOCH_1900,
    MAX_CELL_TEXT,
    MAX_COLUMNS,
    MAX_ROWS,
    BadWorkbook,
    _check_cell,
    _feed,
    _TextCollector,
)


class CellValues:
    """A cell's text as the value calamine gives for it, by the cell's type (``t``) and style."""

    def __init__(self, shared: list[str], date_styles: list[bool], epoch: dt.datetime):
        self.shared = shared
        self.date_styles = date_styles
        self.epoch = epoch

    def __call__(self, kind, style, text):
        if kind is None or kind == "n":
            if not text:
                return ""
            number = float(text)
            if style and self.date_styles:
                index = int(style)
                if index < len(self.date_styles) and self.date_styles[index]:
                    return self._date(number)
            return number
        if kind == "s":
            return self.shared[int(text)] if text else ""
        if kind == "inlineStr" or kind == "str" or kind == "e":
            return text
        if kind == "b":
            return text in ("1", "true")
        if kind == "d":
            try:
                moment = dt.datetime.fromisoformat(text)
            except ValueError:
                return text
            return moment.date() if "T" not in text else moment
        return text

    def _date(self, serial: float):
        if not (0 <= serial < 2958466):
            return serial
        moment = self.epoch + dt.timedelta(days=serial)
        # Excel keeps milliseconds at most; rounding to the second undoes binary fractions.
        moment = (moment + dt.timedelta(microseconds=500_000)).replace(microsecond=0)
        if serial < 1 and self.epoch is _EPOCH_1900:
            return moment.time()
        if moment.time() == dt.time(0):
            return moment.date()
        return moment


class SheetRows(_TextCollector):
    """Parser target that turns <row> elements into (Excel row number, cells) as they end."""

    def __init__(self, typed: CellValues):
        super().__init__()
        self.typed = typed
        self.ready: list[tuple[int, list]] = []
        self.row_number = 0
        self.cells: list = []
        self.col = -1
        self.kind = self.style = None
        self.columns: dict[str, int] = {}
        self.cell = self.value = self.row = self.inline = self.text = self.run = self.phonetic_tag = ""

    def _names(self, tag: str) -> None:
        ns = tag[: tag.index("}") + 1] if tag.startswith("{") else ""
        self.cell, self.value, self.row, self.inline = ns + "c", ns + "v", ns + "row", ns + "is"
        self.text, self.phonetic_tag = ns + "t", ns + "rPh"

    def start(self, tag, attrib) -> None:
        if not self.cell:
            self._names(tag)
        if tag == self.cell:
            ref = attrib.get("r")
            if ref:
                letters = ref.rstrip("0123456789")
                col = self.columns.get(letters)
                if col is None:
                    col = self.columns[letters] = _check_cell(letters, self.row_number or 1)
                self.col = col
            else:
                self.col += 1
                if self.col >= MAX_COLUMNS:
                    raise BadWorkbook(f"第 {self.row_number} 行超过 {MAX_COLUMNS} 列")
            self.kind = attrib.get("t")
            self.style = attrib.get("s")
            self.parts = []
            self.size = 0
        elif tag == self.value:
            self.in_text = True
        elif tag == self.text:
            self.open_run(attrib)
        elif tag == self.row:
            number = attrib.get("r")
            self.row_number = int(number) if number else self.row_number + 1
            if not 0 < self.row_number <= MAX_ROWS:
                raise BadWorkbook(f"第 {self.row_number} 行超出Excel的最大行数 {MAX_ROWS}")
            self.cells = []
            self.col = -1
        elif tag == self.phonetic_tag:
            self.phonetic += 1

    def end(self, tag) -> None:
        if tag == self.cell:
            cells = self.cells
            if self.col >= len(cells):
                cells.extend([""] * (self.col + 1 - len(cells)))
            cells[self.col] = self._value("".join(self.parts))
        elif tag == self.value:
            self.in_text = False
        elif tag == self.text:
            self.close_run()
        elif tag == self.row:
            self.ready.append((self.row_number, self.cells))
        elif tag == self.phonetic_tag:
            self.phonetic -= 1

    def _value(self, text: str):
        return self.typed(self.kind, self.style, text)


# --- the sheet's rows: the plain shape read by regular expressions, anything else by expat ------
#
# Excel, WPS and openpyxl write a sheet's rows in one plain shape: <row r=".."> elements of <c>
# cells whose r/s/t attributes come in that order, each with a <v> value (after an optional <f>
# formula) or an inline <is><t> text. A block of whole rows in exactly that shape is read by two
# passes of one regular expression in C (expat calling Python four or five times per cell costs
# several times more). The check is strict: a block where anything is left over once every token
# of that shape is taken out — an entity (&amp;), a rich-text run, CDATA, a comment, another
# attribute, another quoting — goes through expat exactly as before, so every file reads the same
# either way; only the cost differs. Blocks are cut at a row's end, so memory stays bounded.

_BLOCK = 1 << 18
# Past this many bytes without a row's end the rest of the part goes to expat (a row of a
# genuine file is far smaller; a hostile one is then bounded by expat's checks as before).
_MAX_PENDING = 8 << 20
_SHEET_START = re.compile(rb"<worksheet\b[^>]*>.*?<sheetData\s*(/?)>", re.S)
# What may precede <worksheet> for the blocks to be read as UTF-8: a BOM and a declaration that
# names UTF-8 or no encoding (the other encodings expat knows go to expat).
_UTF8_DECLARED = re.compile(
    rb"^(?:\xef\xbb\xbf)?(?:<\?xml[^>]*?encoding=[\"']utf-8[\"'][^>]*>|<\?xml(?:(?!encoding)[^>])*>)?\s*$", re.I
)
_TOKEN = re.compile(
    rb'(<row)((?:\s+[\w:]+="[^"]*")*)\s*(/?)>'
    rb"|(</row>)"
    rb'|<c(?:\s+r="([A-Z]+)\d+")?(?:\s+s="(\d+)")?(?:\s+t="(\w+)")?\s*'
    rb"(?:/>|>(?:<f\b[^<>]*/>|<f\b[^<>]*>[^<]*</f>)?(?:<v>([^<]*)</v>|<v\s*/>)?"
    rb'(?:<is><t( xml:space="preserve")?>([^<]*)</t></is>)?</c>)'
)
_ROW_R = re.compile(rb'\sr="(\d+)"')
# A row or cell after the sheet data (not <rowBreaks>, <cols>, <conditionalFormatting>, …).
_STRAY_ROW = re.compile(rb"<(?:row|c)[\s/>]")


def sheet_rows(fh, typed: CellValues) -> Iterator[list[tuple[int, list]]]:
    """Lists of (Excel row number, cells) in file order, read from the sheet part as it
    decompresses."""
    head = fh.read(_BLOCK)
    if b"<!DOCTYPE" in head[:4096] or b"<!ENTITY" in head[:4096]:
        raise BadWorkbook("文件内容含有DTD声明，不是Excel生成的文件")
    start = _SHEET_START.search(head)
    if start is None or not _UTF8_DECLARED.match(head[: start.start()]) or b"<!" in head[: start.end()]:
        # A prefixed namespace, another encoding, or a header too long to find: expat throughout.
        yield from expat_rows(head, fh, typed)
        return
    if start.group(1):  # <sheetData/>: no rows
        return
    root = head[: start.start()] + re.match(rb"<worksheet\b[^>]*>", head[start.start() :]).group(0)
    reader = FastRows(typed, root)
    buffer = head[start.end() :]
    while True:
        chunk = fh.read(_BLOCK)
        if b"<!" in buffer or len(buffer) > _MAX_PENDING:
            # A comment or CDATA (where "</row>" need not end a row), or no row's end in
            # megabytes: the rest of the part goes to expat from here, bounded as before.
            target = SheetRows(typed)
            target.row_number = reader.row_number
            yield from expat_rows(root + b"<sheetData>" + buffer + chunk, fh, typed, target)
            return
        end = buffer.rfind(b"</row>") + 6 if chunk else len(buffer)
        if end >= 6 or not chunk:
            block, buffer = buffer[:end], buffer[end:]
            if not chunk:
                block, _, rest = block.partition(b"</sheetData>")
                if _STRAY_ROW.search(rest) or b"</worksheet>" not in rest:
                    raise BadWorkbook("工作表内容不完整或格式错误（表格数据没有正常结束）")
            yield reader.block(block)
        if not chunk:
            return
        buffer += chunk


class FastRows:
    """Blocks of whole rows in the plain shape, read by ``_TOKEN``; any other block by expat."""

    def __init__(self, typed: CellValues, root: bytes):
        self.typed = typed
        self.root = root
        self.row_number = 0
        self.columns: dict[bytes, int] = {}

    def block(self, block: bytes) -> list[tuple[int, list]]:
        if b"&" in block or b"\r" in block or _TOKEN.sub(b"", block).strip():
            return self._expat(block)
        typed = self.typed
        columns = self.columns
        ready: list[tuple[int, list]] = []
        cells: list = []
        col = -1
        for row_open, row_attrs, row_empty, row_end, letters, style, kind, value, preserve, text in _TOKEN.findall(
            block
        ):
            if row_open:
                number = _ROW_R.search(row_attrs) if row_attrs else None
                self.row_number = int(number.group(1)) if number else self.row_number + 1
                if not 0 < self.row_number <= MAX_ROWS:
                    raise BadWorkbook(f"第 {self.row_number} 行超出Excel的最大行数 {MAX_ROWS}")
                cells = []
                col = -1
                if row_empty:
                    ready.append((self.row_number, cells))
                continue
            if row_end:
                ready.append((self.row_number, cells))
                continue
            if letters:
                col = columns.get(letters)
                if col is None:
                    col = columns[letters] = _check_cell(letters.decode(), self.row_number or 1)
            else:
                col += 1
                if col >= MAX_COLUMNS:
                    raise BadWorkbook(f"第 {self.row_number} 行超过 {MAX_COLUMNS} 列")
            if text:
                text = value.decode() + (text.decode() if preserve else text.decode().strip())
                if len(text) > MAX_CELL_TEXT:
                    raise BadWorkbook(f"有单元格文字超过 {MAX_CELL_TEXT} 个字符（Excel单元格的上限）")
            else:
                text = value.decode()
                if len(text) > MAX_CELL_TEXT:
                    raise BadWorkbook(f"有单元格文字超过 {MAX_CELL_TEXT} 个字符（Excel单元格的上限）")
            if col >= len(cells):
                cells.extend([""] * (col + 1 - len(cells)))
            cells[col] = typed(kind.decode() if kind else None, style, text)
        return ready

    def _expat(self, block: bytes) -> list[tuple[int, list]]:
        target = SheetRows(self.typed)
        target.row_number = self.row_number
        parser = XMLParser(target=target)
        parser.feed(self.root + b"<sheetData>")
        parser.feed(block)
        parser.feed(b"</sheetData></worksheet>")
        parser.close()
        self.row_number = target.row_number
        return target.ready


def expat_rows(head: bytes, fh, typed: CellValues, target: SheetRows | None = None) -> Iterator[list]:
    target = target or SheetRows(typed)
    parser = XMLParser(target=target)
    parser.feed(head)
    ready, target.ready = target.ready, []
    yield ready
    for _ in _feed(parser, fh):
        ready, target.ready = target.ready, []
        yield ready
