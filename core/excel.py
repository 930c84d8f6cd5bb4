"""Spreadsheet exports that are safe to open: no formula injection, sensible formatting."""

from __future__ import annotations

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralize_formula(value):
    """Prefix a text cell that Excel would run as a formula (CVE-style CSV injection).

    Numbers stay numbers: only *strings* starting with = + - @ TAB CR are escaped.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def workbook_bytes(*, title: str, headers: list[str], rows) -> bytes:
    """A one-sheet workbook: a bold header, then ``rows`` (lists of cell values), with every
    text cell formula-neutralized. For lists small enough to write within a request."""
    import io

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31])
    header = []
    for text in headers:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = Font(bold=True)
        header.append(cell)
    ws.append(header)
    for row in rows:
        ws.append([neutralize_formula(value) for value in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
