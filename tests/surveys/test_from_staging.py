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


def test_apply_in_chunks_creates_each_new_unit_once_and_leaves_the_rest_to_python(
    world, tmp_path, municipal, monkeypatch
):
    """Over many apply chunks every new row is written once, straight from staging, a unit typed in
    since the comparison is updated rather than duplicated, and every row written is marked
    applied with its street's task closed."""
    from django.db.models import Count
    from django.test.utils import CaptureQueriesContext

    from surveys import services
    from surveys.models import ImportBatch, StagedRow, VerificationTask
    from surveys.services import batch_apply

    if connection.vendor != "postgresql":
        pytest.skip("records are created from staging on PostgreSQL only")
    monkeypatch.setattr(services, "APPLY_CHUNK", 7)
    info = make_units_workbook(tmp_path / "units.xlsx", 60, start_seq=700)
    outcome, _report = import_file(kind="units", path=info.path, user=municipal)
    batch = outcome.batch
    new_rows = StagedRow.objects.filter(batch=batch, status="new", has_warning=False)
    typed_in = new_rows.order_by("row_number")[20]
    # Typed in by hand after the comparison, under another name: apply updates it.
    Unit.objects.create(
        name="手工录入单位", credit_code=typed_in.key, territory_id=typed_in.values["territory_id"], kind="enterprise"
    )
    expected = new_rows.count()

    with CaptureQueriesContext(connection) as ctx:
        created, updated = batch_apply(batch=batch, actor=municipal, mode=ApplyMode.CLEAN)

    assert (created, updated) == (expected - 1, 1)
    # Every new unit but the typed-in one came through the statement that creates them from
    # staging: one per chunk of 7 rows.
    straight = [q for q in ctx.captured_queries if q["sql"].startswith("WITH s AS (SELECT o.row_number")]
    assert len(straight) == -(-expected // 7)
    assert not new_rows.filter(applied=False).exists()
    keys = list(new_rows.values_list("key", flat=True))
    assert Unit.objects.filter(credit_code__in=keys).count() == expected
    assert not Unit.objects.filter(credit_code__in=keys).values("credit_code").annotate(n=Count("pk")).filter(n__gt=1)
    assert Unit.objects.get(credit_code=typed_in.key).name == typed_in.values["name"]
    assert Lineage.objects.filter(batch=batch, action=Lineage.Action.CREATED).count() == expected - 1
    assert Lineage.objects.filter(batch=batch, action=Lineage.Action.UPDATED).count() == 1
    street_tasks = VerificationTask.objects.filter(batch=batch, row__in=new_rows, territory__level="street")
    assert street_tasks.exists()
    assert set(street_tasks.values_list("status", flat=True)) == {VerificationTask.Status.WRITTEN}
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.APPLIED
