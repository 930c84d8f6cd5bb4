"""Streaming reader for the first worksheet of an .xlsx/.xlsm file (Office Open XML).

calamine loads a whole sheet into memory before the first row is seen: about 1 KB a row, so a
300,000-row file costs 300 MB more than a 100,000-row one. Here the sheet XML is decompressed and
parsed as it is read, a block of whole rows at a time, so memory stays flat in the number of rows:
blocks in the plain shape spreadsheet programs write are read by one regular expression, any
other block by expat (ElementTree's ``XMLParser`` with a target: no element tree is built), with
the same rows either way (see ``_sheet_rows``). What is held whole is what any reader
must hold: the shared-strings table (one entry per distinct text the workbook stores there;
files written in write-only mode store their text inline instead), the cell styles and the
merged ranges.

Cells come out as calamine gives them, so the pipeline sees the same values from either reader:
numbers as ``float``, empty cells as ``""``, date-formatted numbers as ``date``/``datetime``/
``time``, booleans as ``bool``, a formula's cached result (``""`` when none was stored).
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from xml.etree.ElementTree import ParseError, XMLParser
from xml.etree.ElementTree import fromstring as parse_xml

_READ = 1 << 16
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_STRICT_REL_NS = "{http://purl.oclc.org/ooxml/officeDocument/relationships}"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# Built-in number formats that show dates or times (ECMA-376 18.8.30, with the CJK ids Excel
# uses for 年月日 formats).
_BUILTIN_DATES = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59), *range(71, 82)}
# What a custom format shows once quoted text, escapes, fills and [colour]/[$-locale] are removed.
_FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|_.|\*.|\[(?![hms]+\])[^\]]*\]', re.IGNORECASE)
_DATE_TOKENS = re.compile(r"[dmyhs]", re.IGNORECASE)
_EPOCH_1900 = dt.datetime(1899, 12, 30)
_EPOCH_1904 = dt.datetime(1904, 1, 1)

_MERGE = re.compile(rb'<(?:[\w.-]+:)?mergeCell\b[^>]*?\sref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
_ROW_NUMBER = re.compile(rb'<(?:[\w.-]+:)?row\b[^>]*?\sr="(\d+)"')


# Bounds: a hostile or broken file is refused with the limit it broke, before it can cost more
# memory or time than a genuine department list of a million rows would.
MAX_ROWS = 1_048_576  # Excel's own last row
MAX_COLUMNS = 16_384  # Excel's last column, XFD
MAX_CELL_TEXT = 32_767  # Excel's longest cell text
MAX_SHARED_TEXT = 100_000_000  # characters in the shared-strings table, all entries together
MAX_PART_BYTES = 1 << 30  # one decompressed part (the sheet XML of a full 1M-row sheet is smaller)
MAX_RATIO = 100  # decompressed ÷ compressed, for parts over 1 MB: XML compresses 5–20×, bombs 1000×


class BadWorkbook(Exception):
    """The package is not a readable OOXML workbook."""


def _check_part(archive: zipfile.ZipFile, part: str) -> None:
    info = archive.getinfo(part)
    if info.file_size > MAX_PART_BYTES:
        raise BadWorkbook(f"文件内容解压后超过 {MAX_PART_BYTES >> 20} MB（{part}），超出导入上限")
    if info.file_size > 1 << 20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise BadWorkbook(
            f"文件压缩比异常（{part} 解压后是压缩时的 {info.file_size // max(info.compress_size, 1)} 倍）"
        )


def _check_cell(letters: str, row: int) -> int:
    col = column_number(letters)
    if not letters or col >= MAX_COLUMNS:
        raise BadWorkbook(f"单元格 {letters}{row} 超出Excel的最大列 XFD（{MAX_COLUMNS} 列）")
    if not 0 < row <= MAX_ROWS:
        raise BadWorkbook(f"第 {row} 行超出Excel的最大行数 {MAX_ROWS}")
    return col


def is_ooxml_workbook(path) -> bool:
    """An .xlsx/.xlsm package (its main part is XML; .xlsb and .ods are left to calamine)."""
    try:
        with zipfile.ZipFile(path) as archive:
            if "_rels/.rels" not in archive.NameToInfo:
                return False
            part = _workbook_part(archive)
            return part.endswith(".xml") and part in archive.NameToInfo
    except (zipfile.BadZipFile, ParseError, OSError, KeyError):
        return False


def column_number(letters: str) -> int:
    """A → 0, AA → 26 (no validation: callers pass what a cell reference holds)."""
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _rels(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type suffix, absolute part name) of ``part``."""
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", name + ".rels")
    if rels_name not in archive.NameToInfo:
        return {}
    found = {}
    for rel in parse_xml(archive.read(rels_name)):
        if _local(rel.tag) != "Relationship" or rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        found[rel.get("Id", "")] = (rel.get("Type", "").rpartition("/")[2], target)
    return found


def _workbook_part(archive: zipfile.ZipFile) -> str:
    for rel in parse_xml(archive.read("_rels/.rels")):
        if rel.get("Type", "").endswith("/officeDocument"):
            return rel.get("Target", "").lstrip("/")
    return ""


def _is_date_format(code: str) -> bool:
    section = _FORMAT_NOISE.sub("", code.split(";")[0])
    return section.lower() != "general" and bool(_DATE_TOKENS.search(section))


def _date_styles(archive: zipfile.ZipFile, part: str | None) -> list[bool]:
    """Per cell style (``s`` attribute): whether it shows a number as a date or time."""
    if not part or part not in archive.NameToInfo:
        return []
    root = parse_xml(archive.read(part))
    custom = {}
    for node in root.iter():
        if _local(node.tag) == "numFmt":
            custom[int(node.get("numFmtId", "0"))] = node.get("formatCode", "")
    styles = []
    for node in root:
        if _local(node.tag) != "cellXfs":
            continue
        for xf in node:
            fmt = int(xf.get("numFmtId", "0"))
            styles.append(_is_date_format(custom[fmt]) if fmt in custom else fmt in _BUILTIN_DATES)
    return styles


class _TextCollector:
    """Parser target base: collects the text of <t> elements, leaving out phonetic runs (<rPh>).

    A run's surrounding white space counts only under xml:space="preserve" (which Excel writes
    whenever a text starts or ends with a space), as calamine reads it."""

    def __init__(self):
        self.parts: list[str] = []
        self.in_text = False
        self.phonetic = 0
        self.run_start = 0
        self.keep_spaces = True
        self.size = 0  # characters in the current item (a shared string or a cell)

    def data(self, text: str) -> None:
        if self.in_text and not self.phonetic:
            self.size += len(text)
            if self.size > MAX_CELL_TEXT:
                raise BadWorkbook(f"有单元格文字超过 {MAX_CELL_TEXT} 个字符（Excel单元格的上限）")
            self.parts.append(text)

    def open_run(self, attrib) -> None:
        self.in_text = True
        self.run_start = len(self.parts)
        self.keep_spaces = attrib.get(_XML_SPACE) == "preserve"

    def close_run(self) -> None:
        self.in_text = False
        if not self.keep_spaces and len(self.parts) > self.run_start:
            self.parts[self.run_start :] = ["".join(self.parts[self.run_start :]).strip()]

    def close(self) -> None:
        return None


class _SharedStrings(_TextCollector):
    def __init__(self):
        super().__init__()
        self.strings: list[str] = []
        self.total = 0

    def start(self, tag, attrib) -> None:
        name = _local(tag)
        if name == "si":
            self.parts = []
            self.total += self.size
            if self.total > MAX_SHARED_TEXT:
                raise BadWorkbook(f"共享文字表超过 {MAX_SHARED_TEXT // 10000} 万字符，超出导入上限")
            self.size = 0
        elif name == "t":
            self.open_run(attrib)
        elif name == "rPh":
            self.phonetic += 1

    def end(self, tag) -> None:
        name = _local(tag)
        if name == "t":
            self.close_run()
        elif name == "rPh":
            self.phonetic -= 1
        elif name == "si":
            self.strings.append("".join(self.parts))


def _shared_strings(archive: zipfile.ZipFile, part: str | None) -> list[str]:
    if not part or part not in archive.NameToInfo:
        return []
    _check_part(archive, part)
    target = _SharedStrings()
    with archive.open(part) as fh:
        for _ in _feed(XMLParser(target=target), fh):
            pass
    return target.strings


def _scan(archive: zipfile.ZipFile, part: str) -> tuple[list[tuple[int, int, int, int]], int]:
    """Merged ranges (0-based first row, first col, last row, last col) and the last row number.

    The ranges follow the cell data in the XML, so the sheet is decompressed once beforehand and
    searched as bytes (a fraction of the cost of parsing it)."""
    merges, last_row, tail = [], 0, b""
    with archive.open(part) as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            data = tail + chunk
            # A match must end before the overlap kept for the next chunk, or it is taken twice.
            cut = max(len(data) - 256, 0)
            last_row = max(last_row, _last_row_number(data, cut))
            if b"mergeCell" in data:
                merges.extend(m.groups() for m in _MERGE.finditer(data) if m.end() <= cut)
            tail = data[cut:]
        last_row = max(last_row, _last_row_number(tail, len(tail)))
        merges.extend(m.groups() for m in _MERGE.finditer(tail))
    if last_row > MAX_ROWS:
        raise BadWorkbook(f"第 {last_row} 行超出Excel的最大行数 {MAX_ROWS}")
    ranges = []
    for c1, r1, c2, r2 in merges:
        first_col, first_row = _check_cell(c1.decode(), int(r1)), int(r1) - 1
        if c2 is None:
            ranges.append((first_row, first_col, first_row, first_col))
        else:
            ranges.append((first_row, first_col, int(r2) - 1, _check_cell(c2.decode(), int(r2))))
    return sorted(set(ranges)), last_row


def _last_row_number(data: bytes, cut: int) -> int:
    """The ``r`` of the last <row> that ends before ``cut`` (0 when none)."""
    end = cut
    while True:
        at = max(data.rfind(b"<row", 0, end), data.rfind(b":row", 0, end))
        if at < 0:
            return 0
        begin = data.rfind(b"<", 0, at + 1)
        match = _ROW_NUMBER.match(data, begin)
        if match and match.end() <= cut:
            return int(match.group(1))
        end = at


class _Typed:
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


class _SheetRows(_TextCollector):
    """Parser target that turns <row> elements into (Excel row number, cells) as they end."""

    def __init__(self, typed: _Typed):
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


def _feed(parser: XMLParser, fh) -> None:
    """Parse a part as it decompresses. OOXML parts have no DTD: one that declares one is refused
    before the parser could expand an entity."""
    first = True
    for chunk in iter(lambda: fh.read(_READ), b""):
        if first:
            if b"<!DOCTYPE" in chunk[:4096] or b"<!ENTITY" in chunk[:4096]:
                raise BadWorkbook("文件内容含有DTD声明，不是Excel生成的文件")
            first = False
        parser.feed(chunk)
        yield
    parser.close()
    yield


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


def _sheet_rows(fh, typed: _Typed) -> Iterator[list[tuple[int, list]]]:
    """Lists of (Excel row number, cells) in file order, read from the sheet part as it
    decompresses."""
    head = fh.read(_BLOCK)
    if b"<!DOCTYPE" in head[:4096] or b"<!ENTITY" in head[:4096]:
        raise BadWorkbook("文件内容含有DTD声明，不是Excel生成的文件")
    start = _SHEET_START.search(head)
    if start is None or not _UTF8_DECLARED.match(head[: start.start()]) or b"<!" in head[: start.end()]:
        # A prefixed namespace, another encoding, or a header too long to find: expat throughout.
        yield from _expat_rows(head, fh, typed)
        return
    if start.group(1):  # <sheetData/>: no rows
        return
    root = head[: start.start()] + re.match(rb"<worksheet\b[^>]*>", head[start.start() :]).group(0)
    reader = _FastRows(typed, root)
    buffer = head[start.end() :]
    while True:
        chunk = fh.read(_BLOCK)
        if b"<!" in buffer or len(buffer) > _MAX_PENDING:
            # A comment or CDATA (where "</row>" need not end a row), or no row's end in
            # megabytes: the rest of the part goes to expat from here, bounded as before.
            target = _SheetRows(typed)
            target.row_number = reader.row_number
            yield from _expat_rows(root + b"<sheetData>" + buffer + chunk, fh, typed, target)
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


class _FastRows:
    """Blocks of whole rows in the plain shape, read by ``_TOKEN``; any other block by expat."""

    def __init__(self, typed: _Typed, root: bytes):
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
        target = _SheetRows(self.typed)
        target.row_number = self.row_number
        parser = XMLParser(target=target)
        parser.feed(self.root + b"<sheetData>")
        parser.feed(block)
        parser.feed(b"</sheetData></worksheet>")
        parser.close()
        self.row_number = target.row_number
        return target.ready


def _expat_rows(head: bytes, fh, typed: _Typed, target: _SheetRows | None = None) -> Iterator[list]:
    target = target or _SheetRows(typed)
    parser = XMLParser(target=target)
    parser.feed(head)
    ready, target.ready = target.ready, []
    yield ready
    for _ in _feed(parser, fh):
        ready, target.ready = target.ready, []
        yield ready


def _first_sheet(archive: zipfile.ZipFile) -> tuple[str, str, bool, str | None, str | None]:
    """(sheet name, sheet part, 1904 dates?, shared-strings part, styles part) of the workbook."""
    workbook = _workbook_part(archive)
    _check_part(archive, workbook)
    root = parse_xml(archive.read(workbook))
    date1904 = False
    sheets = []
    for node in root.iter():
        name = _local(node.tag)
        if name == "workbookPr":
            date1904 = node.get("date1904", "0").lower() in ("1", "true")
        elif name == "sheet":
            rid = node.get(f"{_REL_NS}id") or node.get(f"{_STRICT_REL_NS}id") or ""
            sheets.append((node.get("name", ""), rid))
    if not sheets:
        raise BadWorkbook("工作簿中没有工作表")
    rels = _rels(archive, workbook)
    name, rid = sheets[0]
    if rid not in rels or rels[rid][1] not in archive.NameToInfo:
        raise BadWorkbook(f"找不到工作表“{name}”的内容")
    by_type = dict(rels.values())
    return name, rels[rid][1], date1904, by_type.get("sharedStrings"), by_type.get("styles")


def open_first_sheet(path) -> tuple[str, int, Callable[[], Iterator[tuple[int, list]]]]:
    """(sheet name, last row number, rows) of the first worksheet; ``rows()`` yields
    ``(Excel row number, cells)`` for every row from 1 on (rows the file leaves out are blank),
    merged ranges filled with their top-left value as the user sees them."""
    try:
        with zipfile.ZipFile(path) as archive:
            name, part, date1904, strings_part, styles_part = _first_sheet(archive)
            for checked in (part, styles_part):
                if checked and checked in archive.NameToInfo:
                    _check_part(archive, checked)
            shared = _shared_strings(archive, strings_part)
            date_styles = _date_styles(archive, styles_part)
            merges, last_row = _scan(archive, part)
    except BadWorkbook:
        raise
    except (KeyError, ValueError, ParseError, zipfile.BadZipFile, OSError, EOFError) as exc:
        raise BadWorkbook(str(exc)) from exc

    def rows() -> Iterator[tuple[int, list]]:
        typed = _Typed(shared, date_styles, _EPOCH_1904 if date1904 else _EPOCH_1900)
        pending = iter(merges)
        upcoming = next(pending, None)
        active: list[tuple[int, int, int, object]] = []  # (last row, first col, last col, value)
        expected = 1

        def fill(number: int, cells: list) -> list:
            nonlocal upcoming, active
            index = number - 1
            while upcoming is not None and upcoming[0] <= index:
                _, c1, r2, c2 = upcoming
                active.append((r2, c1, c2, cells[c1] if c1 < len(cells) else ""))
                upcoming = next(pending, None)
            if active:
                widest = max(c2 for _, _, c2, _ in active) + 1
                if len(cells) < widest:
                    cells.extend([""] * (widest - len(cells)))
                for _, c1, c2, value in active:
                    for col in range(c1, c2 + 1):
                        if cells[col] in ("", None):
                            cells[col] = value
                active = [entry for entry in active if entry[0] > index]
            return cells

        try:
            with zipfile.ZipFile(path) as archive, archive.open(part) as fh:
                for ready in _sheet_rows(fh, typed):
                    for number, cells in ready:
                        while expected < number:
                            yield expected, fill(expected, [])
                            expected += 1
                        cells = fill(number, cells)
                        while cells and cells[-1] == "":
                            cells.pop()  # a stray far-right cell does not widen every staged row
                        yield number, cells
                        expected = number + 1
        except BadWorkbook:
            raise
        except (ValueError, IndexError, ParseError, zipfile.BadZipFile, OSError, EOFError) as exc:
            raise BadWorkbook(str(exc)) from exc

    return name, last_row, rows
