"""New records created in the database from their staged values (``surveys.pipeline.from_staging``)
are the records ``apply_rows`` writes from Python, column for column, with the same lineage."""

import pytest
from django.db import connection, transaction

from organizations.models import Unit
from surveys.fixtures import make_units_workbook
from surveys.models import Lineage
from surveys.pipeline import from_staging
from surveys.services import ApplyMode, import_file
from tests.surveys.helpers import code, write_xlsx

pytestmark = pytest.mark.django_db

SKIPPED = {"id", "updated_at"}


def _records() -> list[dict]:
    names = [f.attname for f in Unit._meta.concrete_fields if f.attname not in SKIPPED]
    return list(Unit.objects.order_by("credit_code").values(*names))


def _lineage() -> list[tuple]:
    by_unit = dict(Unit.objects.values_list("pk", "credit_code"))
    return sorted(
        (by_unit[entry.object_id], entry.row_number, entry.action, entry.fields, entry.file_hash)
        for entry in Lineage.objects.all()
    )


def _apply(path, municipal, *, straight: bool, monkeypatch) -> tuple[list[dict], list[tuple], dict]:
    """Import and apply ``path`` by one path, and roll it back: what it wrote."""

    class Undo(Exception):
        pass

    with monkeypatch.context() as patch:
        if not straight:
            patch.setattr(from_staging, "usable", lambda spec: False)
        try:
            with transaction.atomic():
                _outcome, report = import_file(kind="units", path=path, user=municipal, apply=ApplyMode.CLEAN)
                written = (_records(), _lineage(), report)
                raise Undo
        except Undo:
            pass
    return written


def _both(path, municipal, monkeypatch):
    straight = _apply(path, municipal, straight=True, monkeypatch=monkeypatch)
    in_python = _apply(path, municipal, straight=False, monkeypatch=monkeypatch)
    return straight, in_python


def test_a_generated_file_writes_the_same_units_and_lineage_both_ways(world, tmp_path, municipal, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("records are created from staging on PostgreSQL only")
    info = make_units_workbook(tmp_path / "units.xlsx", 120, start_seq=500)
    (records, lineage, report), (py_records, py_lineage, py_report) = _both(info.path, municipal, monkeypatch)
    expected = 120 - len(info.bad_checksum_rows) - len(info.duplicate_rows)
    assert report["created"] == py_report["created"] == expected == len(records)
    assert records == py_records
    assert lineage == py_lineage and {action for _, _, action, _, _ in lineage} == {Lineage.Action.CREATED}


def test_blank_cells_of_a_new_unit_take_what_it_would_have_without_the_column(world, tmp_path, municipal, monkeypatch):
    """A blank 从业人数 used to reach the NOT NULL column as NULL and fail the whole apply."""
    path = write_xlsx(
        tmp_path / "blank.xlsx",
        [
            ["单位名称", "统一社会信用代码", "所属区", "所属街道", "行业", "从业人数", "单位地址", "法定代表人"],
            ["空白科技有限公司", code(81), "秦淮区", "夫子庙街道", None, None, None, "  "],
            ["齐全科技有限公司", code(82), "秦淮区", "夫子庙街道", "餐饮住宿", "12人", "平江府路1号", "张三"],
        ],
    )
    runs = _both(path, municipal, monkeypatch) if connection.vendor == "postgresql" else ()
    if runs:
        assert runs[0][0] == runs[1][0]
    _outcome, report = import_file(kind="units", path=path, user=municipal, apply=ApplyMode.CLEAN)
    assert report["created"] == 2
    blank = Unit.objects.get(credit_code=code(81))
    assert (blank.employee_count, blank.industry, blank.address, blank.legal_representative) == (0, "other", "", "")
    full = Unit.objects.get(credit_code=code(82))
    assert (full.employee_count, full.address, full.legal_representative) == (12, "平江府路1号", "张三")
