"""The four steps on one batch: 取数 (read) → 比对 (compare) → 筛核 (screen) → 分解 (decompose),
then apply once the streets have verified.

Rows stream through in chunks: each chunk is parsed, its references and existing records are
fetched with one query per kind of lookup (by natural key), and the staged rows are written in
bulk (COPY on PostgreSQL). In-file duplicates are found afterwards in SQL, so nothing grows
with the file but the staging table.

One module per step: ``read``, ``compare`` (with the row-level screening and ``territory``),
``screen`` (batch-level), ``decompose``, ``apply`` (with ``from_staging``, which creates new
records in the database straight from their staged values); ``bulk`` holds the COPY writers they
share and ``runner`` chains the first four. The names below are the package's public face.
"""

from surveys.pipeline import from_staging
from surveys.pipeline.apply import APPLY_CHUNK, RowData, apply_rows, mark_applied, write_lineage
from surveys.pipeline.bulk import analyze, copy_rows, insert_new, stage
from surveys.pipeline.compare import Context, Staged, process_chunk
from surveys.pipeline.decompose import decompose
from surveys.pipeline.read import CHUNK_ROWS, alias_map, read_header
from surveys.pipeline.runner import run
from surveys.pipeline.screen import count_rows, flag_duplicates, missing_from_source
from surveys.pipeline.territory import TerritoryIndex

__all__ = [
    "APPLY_CHUNK",
    "CHUNK_ROWS",
    "Context",
    "RowData",
    "Staged",
    "TerritoryIndex",
    "alias_map",
    "analyze",
    "apply_rows",
    "copy_rows",
    "count_rows",
    "decompose",
    "flag_duplicates",
    "from_staging",
    "insert_new",
    "mark_applied",
    "missing_from_source",
    "process_chunk",
    "read_header",
    "run",
    "stage",
    "write_lineage",
]
