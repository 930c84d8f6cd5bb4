"""Streaming reader for the first worksheet of an .xlsx/.xlsm file (Office Open XML).

calamine loads a whole sheet into memory before the first row is seen: about 1 KB a row, so a
300,000-row file costs 300 MB more than a 100,000-row one. Here the sheet XML is decompressed and
parsed as it is read, a block of whole rows at a time, so memory stays flat in the number of rows:
blocks in the plain shape spreadsheet programs write are read by one regular expression, any
other block by expat (ElementTree's ``XMLParser`` with a target: no element tree is built), with
the same rows either way (``surveys.xlsx_rows``). What is held whole is what any reader
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
        # Imported here: the rows module builds on this one's limits and errors.
        from surveys.xlsx_rows import CellValues, sheet_rows

        typed = CellValues(shared, date_styles, _EPOCH_1904 if date1904 else _EPOCH_1900)
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
                for ready in sheet_rows(fh, typed):
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
