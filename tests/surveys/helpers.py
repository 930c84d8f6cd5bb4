"""Small survey files made inside the tests: no real personal data."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook

from surveys.fixtures import credit_code


def write_xlsx(path: Path, rows: list[list], merges: tuple[str, ...] = (), text_columns: tuple[int, ...] = ()) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    for row in rows:
        sheet.append(row)
    for ref in merges:
        sheet.merge_cells(ref)
    workbook.save(path)
    return path


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8") -> Path:
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def code(n: int) -> str:
    return credit_code(n)


def id_number(birth: str = "19900307", seq: str = "123", region: str = "320104") -> str:
    """A valid 18-digit ID number (made up) with the GB 11643 check character."""
    from members.validators import id_check_char

    first17 = region + birth + seq
    return first17 + id_check_char(first17)
