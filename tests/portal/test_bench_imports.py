"""The import case of `make bench` on the small profile: both imports really run in child processes
against this test database, their counts are right, and the database is left as it was found."""

import pytest
from auditlog.models import LogEntry

from devtools.bench.cases import Context
from devtools.bench.imports import CODE_PREFIX, SEQ_START, SIZES, import_cases, scale_places
from devtools.scale.profiles import PROFILES
from devtools.scale.run import generate
from organizations.models import Territory, Unit
from surveys.fixtures import make_units_workbook
from surveys.models import ImportBatch, Lineage, StagedRow, VerificationTask

MODELS = (Unit, LogEntry, ImportBatch, StagedRow, VerificationTask, Lineage)


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


# The children see only committed rows, hence a transactional test (tests/conftest.py puts back
# the header aliases the migrations seed, which an earlier test's flush may have removed).
@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(600)
def test_small_profile_imports_measure_and_clean_up(tmp_path):
    generate(PROFILES["small"], log=lambda *_: None)
    before = _counts()
    first, second = SIZES["small"]
    info = make_units_workbook(tmp_path / "expected.xlsx", first, places=scale_places(), start_seq=SEQ_START)
    expected = first - len(info.bad_checksum_rows) - len(info.duplicate_rows)

    context = Context(iterations=1, clients={}, codes={}, profile="small")
    pipeline, memory, calamine_floor, streaming_floor, mixed, *readers = import_cases(context)

    assert pipeline.extra["rows"] == first and memory.extra["rows"] == second
    assert pipeline.extra["created"] == expected
    assert memory.extra["created"] > expected  # the larger file is the same generator, three times the rows
    assert pipeline.rate > 0 and pipeline.baseline > 0 and pipeline.ratio > 0
    assert pipeline.extra["baseline_rows"] == first  # small files go through the baseline whole
    # The plain import has no checksum check: every distinct code lands, the bad ones too.
    assert pipeline.extra["baseline_units_written"] == first - len(info.duplicate_rows)
    for result in (pipeline, memory):
        assert result.extra["peak_mb_2k"] > 50 and result.extra["peak_mb_6k"] > 50  # a Django process, at least
    assert memory.extra["memory_flat"] == (memory.extra["peak_growth"] <= 1.15)
    assert pipeline.as_dict()["ratio"] == round(pipeline.rate / pipeline.baseline, 2)
    # The parse + COPY floors, one per reader, read every data row of the same file, and beat the
    # pipeline; the realistic file's note carries its ratio to each.
    for floor, reader in ((calamine_floor, "calamine"), (streaming_floor, "surveys")):
        assert floor.extra["reader"] == reader and floor.rate == pipeline.rate and floor.extra["floor_rows"] == first
        assert floor.baseline > pipeline.rate
        if _server_on_this_machine():
            # Both runs' CPU, this process's and the database server's: the two-core bound is at
            # least half their sum and at least either one, and the note says what it means.
            cpu, server = floor.extra["cpu_s"], floor.extra["server_cpu_s"]
            assert cpu > 0 and server > 0 and floor.extra["floor_cpu_s"] > 0 and floor.extra["floor_server_cpu_s"] >= 0
            assert floor.extra["two_core_bound_s"] >= max(cpu, server, (cpu + server) / 2) - 0.01
            # Each process's CPU is at most the wall time it ran in, so the bound is too.
            assert floor.extra["two_core_bound_s"] <= pipeline.extra["seconds"] + 0.05
            assert floor.extra["two_core_bound_ratio"] > 0
            assert "两核上无论怎样并行也至少" in floor.note
    # The realistic file: 30% of its rows are units the first run created, the rest new.
    assert mixed.extra["on_record"] == first * 3 // 10
    assert 0 < mixed.extra["created"] < expected and mixed.rate > 0
    assert mixed.extra["floor_ratio_calamine"] > 0 and mixed.extra["floor_ratio_surveys"] > 0
    # The three xlsx readers read every data row of the same file (header, title, totals rows and
    # blank rows included: each reports what it saw), measured against the survey reader.
    assert [r.extra["reader"] for r in readers] == ["surveys", "calamine", "openpyxl"]
    assert len({r.extra["rows"] for r in readers}) == 1 and readers[0].extra["rows"] > first
    assert readers[0].ratio == 1.0 and all(r.rate > 0 and r.extra["peak_mb_6k"] > 20 for r in readers)

    assert _counts() == before
    assert not Unit.objects.filter(credit_code__startswith=CODE_PREFIX).exists()


@pytest.mark.django_db
def test_refuses_to_run_over_units_it_did_not_create(world):
    street = Territory.objects.filter(level=Territory.Level.STREET).first()
    Unit.objects.create(name="已有单位", credit_code=CODE_PREFIX + "000000001", kind="enterprise", territory=street)
    with pytest.raises(RuntimeError, match="exist already"):
        import_cases(Context(iterations=1, clients={}, codes={}, profile="small"))
    assert Unit.objects.filter(credit_code__startswith=CODE_PREFIX).count() == 1


def _server_on_this_machine() -> bool:
    """Whether the database server's process is visible here (its CPU is read from ``/proc``)."""
    import os

    from django.db import connection

    connection.ensure_connection()
    return os.path.exists(f"/proc/{connection.connection.info.backend_pid}/stat")
