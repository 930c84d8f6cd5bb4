"""Generated survey workbooks with the quirks departments' files really have — for tests and the
benchmark. Nothing here is real data: names and codes are made up (codes carry valid checksums).

``make_units_workbook(path, rows)`` writes an .xlsx in openpyxl's write-only mode (memory flat
in ``rows``) and then adds the merged title cells to the sheet XML, since write-only sheets
cannot merge.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from organizations.validators import CREDIT_CODE_ALPHABET, credit_code_check_char

DEFAULT_PLACES = (("秦淮区", "夫子庙街道"), ("秦淮区", "中华门街道"), ("玄武区", "新街口街道"))
INDUSTRIES = ("快递物流", "网约配送", "互联网", "软件和信息服务", "商贸零售", "餐饮住宿", "物业服务")
UNIT_HEADERS = (
    "序号",
    "企业名称",
    "信用代码",  # a variant of 统一社会信用代码
    "所在区",
    "街道",
    "行业",
    "从业人数",
    "新就业群体人数",
    "单位地址",
    "法人",
    "成立日期",
)
TITLE_ROWS = 2  # the title and a "填报单位" line above the header
_FULLWIDTH = str.maketrans(
    "0123456789ABCDEFGHJKLMNPQRTUWXY", "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ"
)


def credit_code(seq: int, region: str = "320104") -> str:
    """A valid 统一社会信用代码 for enterprise number ``seq``."""
    body = ""
    value = seq
    for _ in range(9):
        value, rem = divmod(value, 31)
        body = CREDIT_CODE_ALPHABET[rem] + body
    first17 = "91" + region + body
    return first17 + credit_code_check_char(first17)


def bad_checksum(code: str) -> str:
    wrong = CREDIT_CODE_ALPHABET[(CREDIT_CODE_ALPHABET.index(code[-1]) + 1) % 31]
    return code[:-1] + wrong


@dataclass
class WorkbookInfo:
    path: Path
    rows: int
    header_row: int
    first_data_row: int
    bad_checksum_rows: list[int] = field(default_factory=list)
    duplicate_rows: list[tuple[int, int]] = field(default_factory=list)  # (row, first_row)
    total_row: int | None = None
    codes: list[str] = field(default_factory=list)  # valid codes in row order (only when keep_codes)


def make_units_workbook(
    path,
    rows: int,
    quirks: bool = True,
    *,
    places=DEFAULT_PLACES,
    seed: int = 20250601,
    start_seq: int = 1,
    keep_codes: bool = False,
) -> WorkbookInfo:
    """Write a units workbook of ``rows`` data rows.

    With ``quirks``: two title rows (the title merged across the table), a header variant
    (信用代码), full-width and lower-case codes, head counts written as "12人", dates as Excel
    dates, "2023.5", "2023年5月" and ISO text, about 1% bad checksums, about 0.5% in-file
    duplicates, a 合计 row and trailing blank rows. Without quirks: a plain, clean table.
    """
    from openpyxl import Workbook

    rng = random.Random(seed)
    path = Path(path)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("摸排表")
    header_row = TITLE_ROWS + 1 if quirks else 1
    info = WorkbookInfo(path=path, rows=rows, header_row=header_row, first_data_row=header_row + 1)
    if quirks:
        sheet.append(["2025年新兴领域企业摸排情况表"])
        sheet.append(["填报单位：市场监督管理局", None, None, None, None, None, None, None, "填报日期：2025年6月"])
    sheet.append(
        list(UNIT_HEADERS)
        if quirks
        else ["单位名称", "统一社会信用代码", "所属区", "所属街道", "所属行业", "从业人员数"]
    )
    seen: list[tuple[str, int]] = []
    total_staff = 0
    for i in range(rows):
        excel_row = info.first_data_row + i
        seq = start_seq + i
        code = credit_code(seq)
        district, street = places[seq % len(places)]
        name = f"南京测试{seq:06d}科技有限公司"
        staff = 5 + (seq * 37) % 400
        total_staff += staff
        industry = INDUSTRIES[seq % len(INDUSTRIES)]
        if not quirks:
            sheet.append([name, code, district, street, industry, staff])
            if keep_codes:
                info.codes.append(code)
            continue
        shown_code = code
        flawed = True  # a bad checksum or a duplicate: the row's own code is not in the file
        roll = rng.random()
        if roll < 0.01:
            shown_code = bad_checksum(code)
            info.bad_checksum_rows.append(excel_row)
        elif roll < 0.015 and seen:
            dup_code, dup_row = seen[rng.randrange(len(seen))]
            shown_code = dup_code
            info.duplicate_rows.append((excel_row, dup_row))
        else:
            flawed = False
            if roll < 0.10:
                shown_code = code.translate(_FULLWIDTH)
            elif roll < 0.15:
                shown_code = " " + code.lower() + " "
        if not flawed:
            seen.append((code, excel_row))
            if keep_codes:
                info.codes.append(code)
        staff_cell = f"{staff}人" if seq % 3 == 0 else (str(staff) if seq % 3 == 1 else staff)
        day = dt.date(2010, 1, 1) + dt.timedelta(days=(seq * 13) % 5000)
        date_cell = (day, f"{day.year}.{day.month}", f"{day.year}年{day.month}月", day.isoformat())[seq % 4]
        sheet.append(
            [
                i + 1,
                f" {name} " if seq % 11 == 0 else name,
                shown_code,
                district,
                street,
                industry,
                staff_cell,
                f"{seq % 40}人",
                f"{district}{street}测试路{seq % 300 + 1}号",
                f"测试{seq % 97:02d}",
                date_cell,
            ]
        )
    if quirks:
        info.total_row = info.first_data_row + rows
        sheet.append(["合计", None, None, None, None, None, total_staff])
        for _ in range(3):
            sheet.append([None] * len(UNIT_HEADERS))
    workbook.save(path)
    if quirks:
        last = chr(ord("A") + len(UNIT_HEADERS) - 1)
        _add_merges(path, [f"A1:{last}1", "A2:H2"])
    return info


def _add_merges(path: Path, ranges: list[str]) -> None:
    """Insert <mergeCells> after <sheetData> of the first sheet, streaming the rest of the zip."""
    merge_xml = (
        f'<mergeCells count="{len(ranges)}">' + "".join(f'<mergeCell ref="{r}"/>' for r in ranges) + "</mergeCells>"
    )
    fd, tmp_name = tempfile.mkstemp(suffix=".xlsx", dir=path.parent)
    os.close(fd)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp_name, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename == "xl/worksheets/sheet1.xml":
                with src.open(item) as fh, dst.open(item.filename, "w", force_zip64=True) as out:
                    tail, done = b"", False
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        data = tail + chunk
                        if not done and b"</sheetData>" in data:
                            data = data.replace(b"</sheetData>", b"</sheetData>" + merge_xml.encode(), 1)
                            done = True
                        out.write(data[:-16])
                        tail = data[-16:]
                    out.write(tail)
            else:
                with src.open(item) as fh, dst.open(item.filename, "w", force_zip64=True) as out:
                    shutil.copyfileobj(fh, out)
    os.replace(tmp_name, path)
