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
