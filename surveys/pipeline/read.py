"""取数 (read): find the header of a table, map its columns to fields, and stream its data rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

from django.db.models import Q

from surveys.models import HeaderAlias
from surveys.readers import (
    HEADER_SEARCH_ROWS,
    Header,
    Table,
    UnreadableFile,
    find_header,
    header_key,
    skip_reason,
)
from surveys.specs import KindSpec

CHUNK_ROWS = 2000


def alias_map(spec: KindSpec) -> dict[str, str]:
    """header_key(text) → field name: the canonical labels plus the editable alias table."""
    active = {f.name for f in spec.active_fields}
    mapping: dict[str, str] = {}
    for alias, name in HeaderAlias.objects.filter(Q(kind=spec.kind) | Q(kind="")).values_list("alias", "field"):
        if name in active:
            mapping.setdefault(header_key(alias), name)
    for f in spec.active_fields:
        mapping[header_key(f.label)] = f.name
    return mapping


def _chain(first: Iterable, rest: Iterator) -> Iterator:
    yield from first
    yield from rest


def read_header(table: Table, spec: KindSpec) -> tuple[Header, Iterator[tuple[int, list]]]:
    rows = table.rows()
    buffered = list(islice(rows, HEADER_SEARCH_ROWS))
    header_and_start = find_header(buffered, alias_map(spec))
    if header_and_start is None:
        labels = "、".join(f.label for f in spec.active_fields[:4])
        raise UnreadableFile(f"在前{HEADER_SEARCH_ROWS}行中找不到表头（应包含如 {labels} 等列）")
    header, start = header_and_start
    header.title = " ".join(
        str(cell).strip() for _, cells in buffered[: max(start - 1, 0)] for cell in cells if str(cell or "").strip()
    )[:200]
    if spec.key not in header.columns.values():
        raise UnreadableFile(f"第{header.row_number}行的表头中没有“{spec.field(spec.key).label}”列，无法比对")
    data = (row for row in _chain(buffered[start:], rows) if skip_reason(row[1]) is None)
    return header, data
