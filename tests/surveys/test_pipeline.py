import datetime as dt

import pytest

from organizations.models import Unit
from surveys.models import ImportBatch, Lineage, StagedRow, VerificationTask
from surveys.services import ApplyMode, batch_apply, import_file, task_decide
from tests.surveys.helpers import code, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

HEADER = ["序号", "企业名称", "信用代码", "所在区", "街道", "从业人数", "成立日期"]


def messy_units(tmp_path):
    """Title rows over a merged title, a header variant, full-width codes, 12人, dates in four
    shapes, a bad checksum, an in-file duplicate, an unknown district, a totals row, blanks."""
    fullwidth = code(2).translate(
        str.maketrans(
            "0123456789ABCDEFGHJKLMNPQRTUWXY", "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ"
        )
    )
    bad = code(3)[:-1] + ("0" if code(3)[-1] != "0" else "1")
    rows = [
        ["2025年企业摸排表"],
        ["填报单位：市场监管局"],
        HEADER,
        [1, "甲科技有限公司", code(1), "秦淮区", "夫子庙街道", "12人", dt.date(2023, 5, 1)],  # row 4
        [2, "乙商贸有限公司", fullwidth, "秦淮", "中华门街道", "１,200", "2023.5"],  # row 5
        [3, "丙物流有限公司", bad, "秦淮区", "夫子庙街道", 8, "2023年5月"],  # row 6
        [4, "甲科技有限公司（重复）", code(1), "秦淮区", "夫子庙街道", 12, "2023-05-01"],  # row 7
        [5, "丁网络有限公司", code(5), "火星区", "夫子庙街道", 3, 45000],  # row 8
        [6, "戊餐饮有限公司", code(6), "秦淮区", "新街口街道", 3, "2023-02-30"],  # row 9
        ["合计", None, None, None, None, 1235, None],
        [None, None, None, None, None, None, None],
    ]
    return write_xlsx(tmp_path / "units.xlsx", rows, merges=("A1:G1", "A2:G2"))


def assert_nothing_applied(batch):
    """The batch is as the comparison left it: no row marked applied, still in review."""
    assert not StagedRow.objects.filter(batch=batch, applied=True).exists()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.REVIEW


def issues_by_row(batch):
    return {row.row_number: row for row in StagedRow.objects.filter(batch=batch)}


def test_quirky_workbook_rows_are_numbered_as_in_excel(world, tmp_path):
    outcome, report = import_file(kind="units", path=messy_units(tmp_path))
    batch = outcome.batch
    assert batch.header_row == 3
    rows = issues_by_row(batch)
    assert sorted(rows) == [4, 5, 6, 7, 8, 9]  # title, totals and blank rows are not data
    assert rows[4].status == "new" and rows[4].values["name"] == "甲科技有限公司"
    assert rows[5].key == code(2) and rows[5].status == "new"  # full-width code folded
    assert rows[5].values["territory_id"] == world.zhonghuamen.pk  # "秦淮" → 秦淮区
    assert rows[6].status == "error"
    assert {"row": 6, "column": "信用代码", "message": "统一社会信用代码校验位错误"} in report["errors"]
    assert rows[7].status == "duplicate" and rows[7].first_row == 4
    assert report["duplicates"] == [{"row": 7, "first_row": 4}]
    assert {"row": 8, "column": "所在区", "message": "未知的区：“火星区”"} in report["errors"]
    assert any(e["row"] == 9 and e["column"] == "成立日期" and "日期不存在" in e["message"] for e in report["errors"])
    assert any(w["row"] == 9 and w["column"] == "街道" and "不在秦淮区" in w["message"] for w in report["warnings"])
    assert report["rows"] == 6
    assert report["created"] == 2 and report["updated"] == 0 and report["applied"] is False
    assert Unit.objects.count() == 0  # nothing is applied before review


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings_and_header_under_title(world, tmp_path, encoding):
    rows = [
        ["秦淮区新兴领域企业名单（2025年6月）"],
        [],
        ["单位名称", "统一社会信用代码", "所属区", "所属街道", "从业人员数"],
        ["甲科技有限公司", code(11), "秦淮区", "夫子庙街道", "30人"],
        ["乙科技有限公司", f" {code(12).lower()} ", "秦淮区", "中华门街道", "4"],
    ]
    path = write_csv(tmp_path / f"units-{encoding}.csv", rows, encoding=encoding)
    outcome, report = import_file(kind="units", path=path)
    assert outcome.batch.header_row == 3
    assert (
        outcome.batch.encoding
        in {"utf-8": ["utf-8"], "utf-8-sig": ["utf-8-sig"], "gbk": ["gb18030"], "gb18030": ["gb18030"]}[encoding]
    )
    assert report["errors"] == []
    rows = issues_by_row(outcome.batch)
    assert rows[4].values["name"] == "甲科技有限公司"
    assert rows[5].key == code(12)


def test_two_level_merged_header(world, tmp_path):
    rows = [
        ["单位基本情况", None, "属地", None],
        ["单位名称", "统一社会信用代码", "区", "街道"],
        ["甲公司", code(21), "秦淮区", "夫子庙街道"],
    ]
    path = write_xlsx(tmp_path / "two-level.xlsx", rows, merges=("A1:B1", "C1:D1"))
    outcome, report = import_file(kind="units", path=path)
    assert outcome.batch.header_row == 2
    assert report["errors"] == [] and report["created"] == 1


def test_merged_district_cells_fill_down(world, tmp_path):
    rows = [
        ["单位名称", "统一社会信用代码", "所属区", "所属街道"],
        ["甲公司", code(31), "秦淮区", "夫子庙街道"],
        ["乙公司", code(32), None, "中华门街道"],
        ["丙公司", code(33), None, "夫子庙街道"],
    ]
    path = write_xlsx(tmp_path / "merged.xlsx", rows, merges=("C2:C4",))
    outcome, report = import_file(kind="units", path=path)
    assert report["errors"] == [] and report["warnings"] == []
    rows = issues_by_row(outcome.batch)
    assert rows[3].values["territory_id"] == world.zhonghuamen.pk


def test_compare_changed_unchanged_and_missing(world, tmp_path):
    Unit.objects.create(name="甲公司", credit_code=code(41), kind="enterprise", territory=world.fuzimiao)
    Unit.objects.create(name="乙公司", credit_code=code(42), kind="enterprise", territory=world.fuzimiao)
    Unit.objects.create(name="丙公司", credit_code=code(43), kind="enterprise", territory=world.zhonghuamen)
    Unit.objects.create(name="玄武公司", credit_code=code(44), kind="enterprise", territory=world.xinjiekou)
    rows = [
        ["单位名称", "统一社会信用代码", "所属区", "所属街道"],
        ["甲公司", code(41), "秦淮区", "夫子庙街道"],
        ["乙公司（更名）", code(42), "秦淮区", "中华门街道"],
    ]
    path = write_xlsx(tmp_path / "full.xlsx", rows)
    outcome, report = import_file(kind="units", path=path, full_list=True, territory=world.qinhuai)
    rows = issues_by_row(outcome.batch)
    assert rows[2].status == "unchanged"
    assert rows[3].status == "changed"
    assert rows[3].diff["name"] == {"label": "单位名称", "before": "乙公司", "after": "乙公司（更名）"}
    assert rows[3].diff["territory_id"]["before"] == "夫子庙街道"
    assert rows[3].diff["territory_id"]["after"] == "中华门街道"
    assert report["missing"] == 1  # 丙公司 is in 秦淮区 and not in the file; 玄武公司 is outside the batch
    assert report["unchanged"] == 1 and report["updated"] == 1


def test_unit_moving_district_is_a_warning(world, tmp_path):
    Unit.objects.create(name="甲公司", credit_code=code(51), kind="enterprise", territory=world.fuzimiao)
    path = write_xlsx(
        tmp_path / "move.xlsx",
        [["单位名称", "统一社会信用代码", "所属区", "所属街道"], ["甲公司", code(51), "玄武区", "新街口街道"]],
    )
    _outcome, report = import_file(kind="units", path=path)
    assert report["warnings"] == [{"row": 2, "column": "所属区", "message": "属地由秦淮区变为玄武区，跨区变更请核实"}]


def test_a_blank_required_cell_of_a_new_record_is_named_by_its_own_column(world, tmp_path):
    """A new unit whose 单位名称 cell is blank: the clerk is sent to that cell (A列), not the code's;
    a file without the column at all is still told at the key."""
    path = write_xlsx(
        tmp_path / "blank.xlsx",
        [["单位名称", "统一社会信用代码", "所属区", "所属街道"], ["", code(62), "秦淮区", "夫子庙街道"]],
    )
    _, report = import_file(kind="units", path=path)
    assert report["errors"] == [{"row": 2, "column": "单位名称", "message": "平台中没有此记录，新增需要填写：单位名称"}]
    path = write_xlsx(
        tmp_path / "nocol.xlsx", [["统一社会信用代码", "所属区", "所属街道"], [code(63), "秦淮区", "夫子庙街道"]]
    )
    _, report = import_file(kind="units", path=path)
    assert report["errors"] == [
        {"row": 2, "column": "统一社会信用代码", "message": "平台中没有此记录，新增需要填写：单位名称"}
    ]


def test_district_batch_cannot_write_elsewhere(world, tmp_path):
    path = write_xlsx(
        tmp_path / "other.xlsx",
        [["单位名称", "统一社会信用代码", "所属区", "所属街道"], ["甲公司", code(61), "玄武区", "新街口街道"]],
    )
    _, report = import_file(kind="units", path=path, territory=world.qinhuai)
    assert report["errors"] == [{"row": 2, "column": "所属街道", "message": "“新街口街道”不在本批次的辖区（秦淮区）内"}]


def test_review_then_apply_writes_lineage_and_reimport_changes_nothing(world, tmp_path, municipal, fuzimiao_cadre):
    path = messy_units(tmp_path)
    outcome, _ = import_file(kind="units", path=path, user=municipal)
    batch = outcome.batch
    tasks = VerificationTask.objects.filter(batch=batch).select_related("row")
    assert {(t.row.row_number, t.territory_id) for t in tasks} == {(4, world.fuzimiao.pk), (5, world.zhonghuamen.pk)}
    # Nothing is verified yet: applying verified rows writes nothing.
    assert batch_apply(batch=batch, actor=municipal, mode=ApplyMode.VERIFIED) == (0, 0)
    task = tasks.get(row__row_number=4)
    task_decide(task=task, actor=fuzimiao_cadre, decision="confirmed")
    assert batch_apply(batch=batch, actor=municipal, mode=ApplyMode.VERIFIED) == (1, 0)
    unit = Unit.objects.get(credit_code=code(1))
    assert unit.territory == world.fuzimiao
    lineage = Lineage.objects.get(object_id=unit.pk)
    assert (lineage.batch_id, lineage.row_number, lineage.file_hash, lineage.action) == (
        batch.pk,
        4,
        batch.file_hash,
        "created",
    )
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PARTIAL

    before = (Unit.objects.count(), ImportBatch.objects.count(), StagedRow.objects.count(), Lineage.objects.count())
    again, report = import_file(kind="units", path=path, user=municipal)
    assert again.batch.pk == batch.pk
    assert report["created"] == 0 and report["updated"] == 0
    assert "完全相同" in report["message"]
    assert (
        Unit.objects.count(),
        ImportBatch.objects.count(),
        StagedRow.objects.count(),
        Lineage.objects.count(),
    ) == before


def test_apply_clean_skips_warnings_and_errors(world, tmp_path, municipal):
    _outcome, report = import_file(kind="units", path=messy_units(tmp_path), user=municipal, apply=ApplyMode.CLEAN)
    assert report["applied"] is True and report["created"] == 2
    assert set(Unit.objects.values_list("credit_code", flat=True)) == {code(1), code(2)}
    unit = Unit.objects.get(credit_code=code(2))
    assert unit.territory == world.zhonghuamen


def test_failure_mid_apply_leaves_nothing(world, tmp_path, municipal, monkeypatch):
    outcome, _ = import_file(kind="units", path=messy_units(tmp_path), user=municipal)

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    # The units are already inserted when the lineage write fails: the whole apply must roll back.
    monkeypatch.setattr("surveys.pipeline.apply.write_lineage", boom)
    with pytest.raises(RuntimeError):
        batch_apply(batch=outcome.batch, actor=municipal, mode=ApplyMode.CLEAN)
    assert Unit.objects.count() == 0
    assert_nothing_applied(outcome.batch)


def test_blank_optional_text_cells_apply_as_empty(world, tmp_path, municipal):
    """A blank 地址 (optional, NOT NULL text) is stored as "", never as NULL that would fail."""
    from organizations.models import Unit

    path = write_xlsx(
        tmp_path / "blank.xlsx",
        [
            ["单位名称", "统一社会信用代码", "所属区", "所属街道", "单位地址", "法定代表人"],
            ["空地址科技有限公司", code(71), "秦淮区", "夫子庙街道", None, "  "],
            ["有地址科技有限公司", code(72), "秦淮区", "夫子庙街道", "平江府路1号", "张三"],
        ],
    )
    _outcome, report = import_file(kind="units", path=path, user=municipal, apply="clean")
    assert report["errors"] == []
    blank = Unit.objects.get(credit_code=code(71))
    assert blank.address == "" and blank.legal_representative == ""
    assert Unit.objects.get(credit_code=code(72)).address == "平江府路1号"
    # A later file that leaves the address blank does not erase the one on record.
    path = write_xlsx(
        tmp_path / "later.xlsx",
        [
            ["单位名称", "统一社会信用代码", "所属区", "所属街道", "单位地址", "从业人数"],
            ["有地址科技有限公司", code(72), "秦淮区", "夫子庙街道", None, 30],
        ],
    )
    _, report = import_file(kind="units", path=path, user=municipal, apply="clean")
    unit = Unit.objects.get(credit_code=code(72))
    assert report["errors"] == [] and unit.address == "平江府路1号" and unit.employee_count == 30


def test_names_are_kept_as_typed_and_another_spelling_is_no_change(world, tmp_path, municipal):
    """Prose is not folded on the way in (（）stay full width); re-sending it in half width is no change."""
    header = ["单位名称", "统一社会信用代码", "所属区", "所属街道", "地址"]
    typed = ["甲公司（南京）", code(51), "秦淮区", "夫子庙街道", "中山南路１号，３楼"]
    first = write_xlsx(tmp_path / "first.xlsx", [header, typed])
    outcome, _ = import_file(kind="units", path=first, user=municipal)
    batch_apply(batch=outcome.batch, actor=municipal, mode=ApplyMode.CLEAN)
    unit = Unit.objects.get(credit_code=code(51))
    assert (unit.name, unit.address) == ("甲公司（南京）", "中山南路１号，３楼")

    again = write_xlsx(
        tmp_path / "again.xlsx", [header, ["甲公司(南京)", code(51), "秦淮区", "夫子庙街道", "中山南路1号,3楼"]]
    )
    outcome, _ = import_file(kind="units", path=again, user=municipal)
    assert issues_by_row(outcome.batch)[2].status == "unchanged"
    batch_apply(batch=outcome.batch, actor=municipal, mode=ApplyMode.CLEAN)
    unit.refresh_from_db()
    assert (unit.name, unit.address) == ("甲公司（南京）", "中山南路１号，３楼")


def test_a_unit_created_between_compare_and_apply_is_updated_not_duplicated(world, tmp_path, municipal):
    """Rows compared as new are not looked up one chunk at a time: one query before writing finds
    those whose unit was typed in meanwhile, and apply updates that unit with its lineage."""
    outcome, _ = import_file(kind="units", path=messy_units(tmp_path), user=municipal)
    by_hand = Unit.objects.create(
        name="甲科技（手工录入）", credit_code=code(1), kind="enterprise", territory=world.zhonghuamen
    )
    created, updated = batch_apply(batch=outcome.batch, actor=municipal, mode=ApplyMode.CLEAN)
    assert (created, updated) == (1, 1)
    assert Unit.objects.filter(credit_code=code(1)).count() == 1
    by_hand.refresh_from_db()
    assert by_hand.name == "甲科技有限公司" and by_hand.employee_count == 12
    lineage = Lineage.objects.get(batch=outcome.batch, object_id=by_hand.pk)
    assert lineage.action == Lineage.Action.UPDATED and lineage.row_number == 4


def test_a_duplicate_refused_by_the_database_is_a_clear_message_and_nothing_is_written(
    world, tmp_path, municipal, monkeypatch
):
    """The unit appears after the batch looked (another door, the same instant): the unique key
    refuses it, the whole batch rolls back, and the officer is told to apply again."""
    from django.core.exceptions import ValidationError

    import surveys.services

    outcome, _ = import_file(kind="units", path=messy_units(tmp_path), user=municipal)
    looked = surveys.services.recorded_since_compare

    def then_typed_in(spec, rows):
        keys = looked(spec, rows)
        Unit.objects.create(name="同时录入", credit_code=code(2), kind="enterprise", territory=world.zhonghuamen)
        return keys

    monkeypatch.setattr(surveys.services, "recorded_since_compare", then_typed_in)
    with pytest.raises(ValidationError, match="同一识别码") as refused:
        batch_apply(batch=outcome.batch, actor=municipal, mode=ApplyMode.CLEAN)
    assert code(2) not in str(refused.value)
    assert not Unit.objects.exclude(name="同时录入").exists()
    assert_nothing_applied(outcome.batch)


def test_a_count_past_what_the_column_holds_is_the_rows_error(world, tmp_path, municipal):
    """Not a refusal of the whole batch by the database when it is applied: the row says why."""
    path = write_xlsx(
        tmp_path / "huge.xlsx",
        [
            ["单位名称", "统一社会信用代码", "所属区", "所属街道", "从业人数"],
            ["巨量科技有限公司", code(91), "秦淮区", "夫子庙街道", "3000000000人"],
            ["正常科技有限公司", code(92), "秦淮区", "夫子庙街道", "30人"],
        ],
    )
    _outcome, report = import_file(kind="units", path=path, user=municipal, apply=ApplyMode.CLEAN)
    assert report["created"] == 1
    (row_error,) = report["errors"]
    assert row_error["row"] == 2 and "从业人数" in str(row_error) and "超出可保存的范围" in str(row_error)
    assert not Unit.objects.filter(credit_code=code(91)).exists()


def test_a_value_the_database_refuses_at_apply_is_named_by_its_column_not_its_value(
    world, tmp_path, municipal, monkeypatch
):
    from django.core.exceptions import ValidationError

    import surveys.pipeline.from_staging
    import surveys.services

    outcome, _ = import_file(kind="units", path=messy_units(tmp_path), user=municipal)
    # As if a check the comparison does not know of refused a value: the database's words
    # (which quote the row) are not shown, the column is, and nothing is written.
    monkeypatch.setattr(surveys.services, "recorded_since_compare", lambda spec, rows: set())
    monkeypatch.setattr(surveys.pipeline.from_staging, "usable", lambda spec: False)
    StagedRow.objects.filter(batch=outcome.batch).update(
        values={"name": "负数科技", "territory_id": world.fuzimiao.pk, "employee_count": -1}
    )
    with pytest.raises(ValidationError, match="从业人员数") as refused:
        batch_apply(batch=outcome.batch, actor=municipal, mode=ApplyMode.CLEAN)
    assert "负数科技" not in str(refused.value) and "-1" not in str(refused.value)
    assert not Unit.objects.exists()
    assert_nothing_applied(outcome.batch)
