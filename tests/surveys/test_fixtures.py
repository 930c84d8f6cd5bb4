"""The generated messy workbook (shared with the benchmark) goes through the whole pipeline."""

import pytest

from organizations.models import Unit
from surveys.fixtures import make_units_workbook
from surveys.models import Lineage
from surveys.services import ApplyMode, import_file

pytestmark = pytest.mark.django_db


def test_generated_workbook_quirks_are_found_at_their_rows(world, tmp_path):
    info = make_units_workbook(tmp_path / "units.xlsx", 400)
    assert info.bad_checksum_rows and info.duplicate_rows  # the seed produces both
    outcome, report = import_file(kind="units", path=info.path, apply=ApplyMode.CLEAN)
    assert outcome.batch.header_row == info.header_row
    assert report["rows"] == 400  # titles, the totals row and trailing blanks are not data
    error_rows = sorted({e["row"] for e in report["errors"]})
    assert error_rows == info.bad_checksum_rows
    assert {(d["row"], d["first_row"]) for d in report["duplicates"]} == set(info.duplicate_rows)
    clean = 400 - len(info.bad_checksum_rows) - len(info.duplicate_rows)
    assert report["created"] == clean == Unit.objects.count() == Lineage.objects.count()
    unit = Unit.objects.order_by("pk").first()
    assert unit.employee_count > 0 and unit.industry != "other"


def test_plain_workbook_round_trip(world, tmp_path):
    info = make_units_workbook(tmp_path / "plain.xlsx", 50, quirks=False, keep_codes=True)
    _, report = import_file(kind="units", path=info.path, apply=ApplyMode.CLEAN)
    assert report["errors"] == [] and report["created"] == 50
    assert set(Unit.objects.values_list("credit_code", flat=True)) == set(info.codes)


def test_demo_batch_is_seeded_once(world):
    from surveys import demo
    from surveys.models import ImportBatch, VerificationTask

    demo.seed()
    demo.seed()
    batch = ImportBatch.objects.get(source=demo.DEMO_SOURCE)
    assert batch.status == "review" and batch.counts["error"] == 1 and batch.counts["duplicate"] == 1
    assert VerificationTask.objects.filter(batch=batch, territory=world.fuzimiao).exists()


def test_statements_of_an_import_do_not_grow_with_its_rows(world, tmp_path):
    """Every lookup and write of the pipeline is per chunk, never per row: a file three times as
    long (still one chunk) runs exactly the same statements, keys passed as one array each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("the COPY and array statements are PostgreSQL's; SQLite takes bulk_create")
    # A first import fills the process's caches (content types): not what is measured.
    # (Applied, or the content type of the lineage is first read inside the measured import when
    # this test runs alone.)
    import_file(
        kind="units", path=make_units_workbook(tmp_path / "warm.xlsx", 20, start_seq=1_000).path, apply=ApplyMode.CLEAN
    )
    counts, lookups = [], []
    for rows, start in ((300, 3_000), (900, 9_000)):
        info = make_units_workbook(tmp_path / f"units-{rows}.xlsx", rows, start_seq=start)
        with CaptureQueriesContext(connection) as ctx:
            _, report = import_file(kind="units", path=info.path, apply=ApplyMode.CLEAN)
        assert report["created"] == rows - len(info.bad_checksum_rows) - len(info.duplicate_rows)
        counts.append(len(ctx.captured_queries))
        lookups.append(
            [q["sql"] for q in ctx.captured_queries if '"organizations_unit"."credit_code" = ANY(' in q["sql"]]
        )
    assert counts[0] == counts[1] == STATEMENTS_PER_SINGLE_CHUNK_IMPORT, counts
    # One lookup of existing units in compare, none per chunk in apply (every row was compared as
    # new, and the one semi-join before writing found no unit typed in since); no IN list of keys.
    assert [len(found) for found in lookups] == [1, 1]


# Batch bookkeeping, header aliases, mappings, territories, one compare chunk (existing units),
# duplicates, tasks, counts (one statement each time: after staging, after apply, in the report),
# apply (units created since the comparison, in one semi-join), one apply chunk (eligible rows,
# ids, rows applied and tasks closed) and the
# report; the COPYs of staged rows, units and lineage are not counted here.
STATEMENTS_PER_SINGLE_CHUNK_IMPORT = 44


def test_staged_rows_leave_room_for_their_update_in_place():
    """Marking a staged row applied is a HOT update only if its page has room (migration 0008)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL storage parameter")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", ["surveys_stagedrow"])
        assert cursor.fetchone()[0] == ["fillfactor=60"]
