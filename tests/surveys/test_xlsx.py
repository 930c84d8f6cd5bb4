"""The streaming .xlsx reader gives what calamine gives, row by row, without loading the sheet."""

import datetime as dt
import re
import zipfile

import pytest
from openpyxl import Workbook

from surveys import xlsx, xlsx_rows
from surveys.readers import UnreadableFile, _open_with_calamine, open_table

_INLINE = re.compile(r'<c ([^>]*?)t="inlineStr"([^>]*)><is>(<t(?: [^>]*)?>.*?</t>)</is></c>')


def _as_excel_saves_it(src, dst, replace: dict[str, str] | None = None):
    """Rewrite an openpyxl file (which keeps text inline) the way Excel saves one: every text in
    the shared-strings table, cells pointing into it. ``replace`` swaps a text's <si> content."""
    strings: list[str] = []

    def shared(match):
        text = match.group(3)
        if text not in strings:
            strings.append(text)
        return f'<c {match.group(1)}t="s"{match.group(2)}><v>{strings.index(text)}</v></c>'

    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w") as new:
        for item in old.infolist():
            data = old.read(item).decode()
            if item.filename == "xl/worksheets/sheet1.xml":
                data = _INLINE.sub(shared, data)
            elif item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    "</Relationships>",
                    '<Relationship Id="rIdSST" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org'
                    '/officeDocument/2006/relationships/sharedStrings"/></Relationships>',
                )
            elif item.filename == "[Content_Types].xml":
                data = data.replace(
                    "</Types>",
                    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                    'officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            new.writestr(item, data)
        items = "".join(f"<si>{(replace or {}).get(t, t)}</si>" for t in strings)
        new.writestr(
            "xl/sharedStrings.xml",
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + items + "</sst>",
        )
    return dst


def _rows(table):
    """Rows without trailing blank ones and without trailing empty cells (calamine pads rows to
    the sheet's width and stops at the last non-empty row; the stream does neither)."""
    rows = []
    for number, cells in table.rows():
        cells = list(cells)
        while cells and cells[-1] in ("", None):
            cells.pop()
        rows.append((number, cells))
    while rows and not rows[-1][1]:
        rows.pop()
    return rows


def _typed(rows):
    return [(number, [(type(c).__name__, c) for c in cells]) for number, cells in rows]


def test_values_and_types_match_calamine(tmp_path):
    workbook = Workbook()  # the normal writer: text goes to the shared-strings table
    sheet = workbook.active
    sheet.title = "摸排表"
    sheet.append(["名称", "人数", "比例", "成立日期", "登记时间", "到岗", "是否", "公式", "代码"])
    sheet.append(["南京某公司", 12, 2.5, dt.date(2023, 5, 1), dt.datetime(2023, 5, 1, 10, 30), dt.time(8, 15), True])
    sheet["H2"] = "=B2*2"  # no cached result in the file
    sheet["I2"] = 913201040000000001  # a code stored as a number: digits already lost
    sheet.append([])
    sheet.append(["  全角ＡＢＣ  ", None, 0, "2023.5"])
    workbook.save(tmp_path / "inline.xlsx")
    path = _as_excel_saves_it(tmp_path / "inline.xlsx", tmp_path / "types.xlsx")

    streamed, loaded = open_table(path), _open_with_calamine(path)
    assert streamed.sheet == loaded.sheet == "摸排表"
    assert _typed(_rows(streamed)) == _typed(_rows(loaded))
    assert _rows(streamed)[1][1][3] == dt.date(2023, 5, 1)


def test_merged_ranges_fill_and_row_numbers_are_excel_ones(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet["A3"] = "2025年摸排表"
    sheet.merge_cells("A3:E3")  # cells B3:E3 are not in the file at all
    sheet.append(["序号", "区", "街道"])
    sheet.append([1, "秦淮区", "夫子庙街道"])
    sheet.append([2, None, "中华门街道"])
    sheet.merge_cells("B5:B6")
    path = tmp_path / "merged.xlsx"
    workbook.save(path)

    rows = dict(open_table(path).rows())
    assert rows[1] == [] and rows[2] == []  # rows the file leaves out come through as blank
    assert rows[3] == ["2025年摸排表"] * 5
    assert rows[6][1] == "秦淮区"
    assert open_table(path).total_rows == 6


def test_rich_text_is_joined_without_its_phonetic_runs(tmp_path):
    workbook = Workbook()
    workbook.active.append(["东京", "名称"])
    workbook.save(tmp_path / "inline.xlsx")
    runs = '<r><t>东</t></r><r><t xml:space="preserve">京 </t></r><rPh sb="0" eb="2"><t>とうきょう</t></rPh>'
    path = _as_excel_saves_it(tmp_path / "inline.xlsx", tmp_path / "phonetic.xlsx", replace={"<t>东京</t>": runs})
    assert next(open_table(path).rows()) == (1, ["东京 ", "名称"])


def test_a_declared_dtd_is_refused(tmp_path):
    workbook = Workbook()
    workbook.active.append(["名称", "信用代码"])
    plain = tmp_path / "plain.xlsx"
    workbook.save(plain)
    path = tmp_path / "dtd.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<worksheet", b'<!DOCTYPE x [<!ENTITY a "aaaa">]><worksheet', 1)
            dst.writestr(item, data)
    table = open_table(path)
    with pytest.raises(UnreadableFile, match="DTD"):
        list(table.rows())


def test_other_workbooks_are_left_to_calamine(tmp_path):
    path = tmp_path / "not-ooxml.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("content.xml", "<office:document-content/>")
    assert not xlsx.is_ooxml_workbook(path)
    with pytest.raises(UnreadableFile):
        open_table(path)


# Rows of the plain shape (read by the regular expression), with what it must get right: spaces
# kept only under xml:space="preserve", rows and cells without references, a self-closing row, a
# formula's cached result, booleans, errors, numbers with and without a type.
_PLAIN_ROWS = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>名称</t></is></c><c r="B1" t="inlineStr"><is><t>人数</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t xml:space="preserve"> 甲 </t></is></c><c r="B2"><v>12</v></c></row>'
    '<row r="3" spans="1:3"><c r="A3" t="inlineStr"><is><t>  乙  </t></is></c><c r="C3" s="0" t="str"><f>1+1</f>'
    '<v>2</v></c></row><row><c t="inlineStr"><is><t>无引用</t></is></c><c><v>7.5</v></c><c r="D4" t="b"><v>1</v></c>'
    '</row><row r="6"/><row r="7"><c r="B7" t="e"><v>#N/A</v></c><c r="C7" s="0"/></row>'
)
# Rows of other shapes (read by expat): an entity, rich text, attributes in another order.
_OTHER_ROWS = (
    '<row r="8"><c r="A8" t="inlineStr"><is><t>A&amp;B 公司</t></is></c></row>'
    '<row r="9"><c r="A9" t="inlineStr"><is><r><t>东</t></r><r><t>京</t></r></is></c>'
    '<c r="B9" t="inlineStr" s="0"><is><t>丙</t></is></c></row>'
)
_EXPECTED = [
    (1, ["名称", "人数"]),
    (2, [" 甲 ", 12.0]),
    (3, ["乙", "", "2"]),
    (4, ["无引用", 7.5, "", True]),
    (6, []),
    (7, ["", "#N/A"]),
    (8, ["A&B 公司"]),
    (9, ["东京", "丙"]),
]


def _sheet_file(tmp_path, rows: str, name: str):
    workbook = Workbook()
    workbook.active.append(["x"])
    plain = tmp_path / f"plain-{name}"
    workbook.save(plain)
    path = tmp_path / name
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<worksheet xmlns="http://schemas.openxmlformats.org'
        '/spreadsheetml/2006/main"><sheetData>' + rows + "</sheetData>"
        # What Excel may write after the rows: page breaks and conditional formats are not rows.
        '<rowBreaks count="1" manualBreakCount="1"><brk id="3" max="16383" man="1"/></rowBreaks>'
        '<conditionalFormatting sqref="A1"><cfRule type="expression" priority="1"><formula>1</formula></cfRule>'
        "</conditionalFormatting></worksheet>"
    )
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = sheet.encode() if item.filename == "xl/worksheets/sheet1.xml" else src.read(item)
            dst.writestr(item, data)
    return path


def test_plain_rows_and_every_other_shape_read_the_same_either_way(tmp_path, monkeypatch):
    """Blocks of the plain shape are read by the regular expression, any other block by expat:
    both give the same rows, and a plain block never goes to expat."""
    plain = _sheet_file(tmp_path, _PLAIN_ROWS, "plain.xlsx")
    other = _sheet_file(tmp_path, _OTHER_ROWS, "other.xlsx")
    with monkeypatch.context() as patched:
        patched.setattr(xlsx_rows.FastRows, "block", xlsx_rows.FastRows._expat)  # expat for every block
        assert [(n, cells) for n, cells in open_table(plain).rows() if n in (1, 2, 3, 4, 6, 7)] == _EXPECTED[:6]
        assert list(open_table(other).rows())[7:] == _EXPECTED[6:]

    def refuse(self, block):
        raise AssertionError("a plain block went to expat")

    assert list(open_table(other).rows())[7:] == _EXPECTED[6:]
    monkeypatch.setattr(xlsx_rows.FastRows, "_expat", refuse)
    rows = list(open_table(plain).rows())
    assert [(n, cells) for n, cells in rows if n in (1, 2, 3, 4, 6, 7)] == _EXPECTED[:6]
    assert [type(c) for c in rows[3][1]] == [str, float, str, bool]


def test_a_sheet_cut_short_is_refused(tmp_path):
    path = _sheet_file(tmp_path, '<row r="1"><c r="A1"><v>1</v></c></row>', "cut.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp_path / "short.xlsx", "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: data.index(b"</sheetData>")] + b'<row r="2"><c r="A2"><v>2</v>'
            dst.writestr(item, data)
    with pytest.raises(UnreadableFile):
        list(open_table(tmp_path / "short.xlsx").rows())
