"""One batch through 取数 → 比对 → 筛核 → 分解, chunk by chunk (see the package docstring)."""

from __future__ import annotations

from itertools import islice

from django.db import transaction
from django.utils import timezone

from surveys.models import ImportBatch, StagedRow, VerificationTask
from surveys.pipeline.bulk import analyze, stage
from surveys.pipeline.compare import Context, process_chunk
from surveys.pipeline.decompose import decompose
from surveys.pipeline.read import CHUNK_ROWS, read_header
from surveys.pipeline.screen import count_rows, flag_duplicates
from surveys.pipeline.territory import TerritoryIndex
from surveys.specs import SPECS

# The staged rows' columns the statements after staging filter, join and group on.
PLANNED_COLUMNS = ("id", "batch_id", "key", "row_number", "status", "has_warning", "applied", "first_row", "target_id")


def run(batch: ImportBatch, path, *, progress: bool = True) -> ImportBatch:
    """Read, compare, screen and decompose ``batch`` from the file at ``path``."""
    from surveys.readers import open_table

    spec = SPECS[batch.kind]
    table = open_table(path)
    header, data = read_header(table, spec)
    batch.file_format = table.format
    batch.encoding = table.encoding
    batch.sheet = table.sheet
    batch.header_row = header.row_number
    batch.columns = [
        {"index": col, "letter": table.letter(col), "title": header.titles[col], "field": header.columns.get(col, "")}
        for col in sorted(header.titles)
    ]
    batch.default_territory_id = batch.default_territory_id or propose_territory(batch, header.title)
    batch.save(update_fields=["file_format", "encoding", "sheet", "header_row", "columns", "default_territory"])
    ctx = Context(spec=spec, batch=batch, header=header, letters=table.letter)
    total = max(table.total_rows - header.row_number, 1)
    done = 0
    while True:
        chunk = list(islice(data, CHUNK_ROWS))
        if not chunk:
            break
        staged = process_chunk(ctx, chunk)
        done = chunk[-1][0] - header.row_number
        # The chunk's rows and the batch's progress in one transaction: one commit per chunk.
        with transaction.atomic():
            stage(staged)
            if progress:
                ImportBatch.objects.filter(pk=batch.pk).update(
                    progress=min(95, int(done * 95 / total)), heartbeat_at=timezone.now()
                )
    # The staging table just grew by the whole file: plan what follows with true statistics.
    analyze(StagedRow, PLANNED_COLUMNS)
    with transaction.atomic():
        flag_duplicates(batch)
        decompose(batch)
        analyze(VerificationTask)
        batch.counts = {**count_rows(batch), "unmapped": ctx.unmapped}
        batch.status = ImportBatch.Status.REVIEW
        batch.progress = 100
        batch.finished_at = timezone.now()
        batch.save(update_fields=["counts", "status", "progress", "finished_at"])
    return batch


def propose_territory(batch: ImportBatch, title: str) -> int | None:
    """The district a file's title names ("秦淮区新就业群体党员摸排表"), when it lies inside the
    batch's territory and is finer than it: rows that name no place are recorded there."""
    if not title:
        return None
    index = TerritoryIndex()
    text = "".join(title.split())
    for city in index.city_names:
        text = text.replace(city, "")
    for name, row in sorted(index.districts.items(), key=lambda item: len(item[0]), reverse=True):
        if len(name) >= 2 and name in text:
            inside = row["path"].startswith(batch.territory.path) and row["path"] != batch.territory.path
            return row["id"] if inside else None
    return None
