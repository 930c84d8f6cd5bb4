"""Hostile and broken files are refused with the limit they broke, before they cost memory or
time: a zip bomb in the shared strings, a cell beyond column XFD, a row beyond 1,048,576, a cell
longer than Excel allows, and control characters in a CSV.

Each file is small; each case asserts which limit was hit (the message names it), not a time.
"""

from __future__ import annotations

import zipfile

import pytest
from openpyxl import Workbook

from surveys import xlsx
from surveys.readers import UnreadableFile, open_table


def _base(tmp_path):
    workbook = Workbook()
    workbook.active.append(["单位名称", "统一社会信用代码"])
    workbook.active.append(["南京某科技有限公司", "91320104MA1XXXXX0X"])
    path = tmp_path / "base.xlsx"
    workbook.save(path)
    return path


def _rewrite(tmp_path, sheet_xml: str | None = None, extra: dict[str, bytes] | None = None, name="bad.xlsx"):
    """A copy of a genuine workbook with its sheet XML (or other parts) replaced."""
    src, dst = _base(tmp_path), tmp_path / name
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = old.read(item)
            if sheet_xml is not None and item.filename == "xl/worksheets/sheet1.xml":
                data = sheet_xml.encode()
            new.writestr(item.filename, data)
        for part, data in (extra or {}).items():
            new.writestr(part, data)
    return dst


SHEET = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{}</sheetData></worksheet>'
)


def _read_all(path):
    table = open_table(path)
    return list(table.rows())


def test_a_cell_beyond_column_xfd_is_refused(tmp_path):
    path = _rewrite(tmp_path, SHEET.format('<row r="1"><c r="ZZZZZZ1" t="inlineStr"><is><t>x</t></is></c></row>'))
    with pytest.raises(UnreadableFile, match="XFD"):
        _read_all(path)


def test_a_row_beyond_excels_last_row_is_refused(tmp_path):
    path = _rewrite(tmp_path, SHEET.format('<row r="2000000000"><c r="A2000000000"><v>1</v></c></row>'))
    with pytest.raises(UnreadableFile, match="最大行数"):
        _read_all(path)


def test_a_merge_beyond_the_sheet_is_refused(tmp_path):
    xml = SHEET.format('<row r="1"><c r="A1"><v>1</v></c></row>').replace(
        "</sheetData>", '</sheetData><mergeCells count="1"><mergeCell ref="A1:ZZZZZ9"/></mergeCells>'
    )
    with pytest.raises(UnreadableFile, match="XFD"):
        _read_all(_rewrite(tmp_path, xml))


def test_a_cell_longer_than_excel_allows_is_refused(tmp_path):
    long_text = "党" * (xlsx.MAX_CELL_TEXT + 1)
    path = _rewrite(tmp_path, SHEET.format(f'<row r="1"><c r="A1" t="inlineStr"><is><t>{long_text}</t></is></c></row>'))
    with pytest.raises(UnreadableFile, match="32767"):
        _read_all(path)


def test_a_compressed_bomb_is_refused_before_it_is_decompressed(tmp_path):
    # 8 MB of one repeated character compresses about a thousandfold: a bomb's shape.
    bomb = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
    bomb += b"a" * (8 << 20) + b"</t></si></sst>"
    rels = (
        '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
        '<Relationship Id="rIdS" Target="sharedStrings.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>'
    )
    src = _base(tmp_path)
    dst = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            data = rels.encode() if item.filename == "xl/_rels/workbook.xml.rels" else old.read(item)
            new.writestr(item.filename, data)
        new.writestr("xl/sharedStrings.xml", bomb)
    assert dst.stat().st_size < 200_000
    with pytest.raises(UnreadableFile, match="压缩比异常"):
        _read_all(dst)


def test_a_stray_far_right_cell_does_not_widen_every_row(tmp_path):
    cells = '<c r="A{0}" t="inlineStr"><is><t>甲</t></is></c><c r="XFD{0}" t="inlineStr"><is><t></t></is></c>'
    path = _rewrite(tmp_path, SHEET.format("".join(f'<row r="{n}">{cells.format(n)}</row>' for n in (1, 2))))
    assert [len(cells) for _, cells in _read_all(path)] == [1, 1]


def test_csv_with_nul_and_control_characters_after_the_first_4k(tmp_path):
    path = tmp_path / "units.csv"
    body = "单位名称,地址\n" + "".join(f"某公司{i},秦淮区某路{i}号\n" for i in range(300))
    body += "坏行\x00公司,地址\x07含控制符\n"
    path.write_text(body, encoding="utf-8")
    assert path.stat().st_size > 4096
    rows = _read_all(path)
    assert rows[-1][1] == ["坏行公司", "地址含控制符"]
