"""Issue 14's three department files, each with the usual mess: only the truly invalid rows are
flagged; the department's own words are mapped once and a second file from the same source needs
no mapping; files without a place, a street or a 依托阵地 go through on the batch's defaults."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from members.models import Person
from organizations.models import Territory, Unit
from stations.models import Station
from surveys.models import ImportBatch, StagedRow, ValueMapping, VerificationTask
from surveys.services import ApplyMode, batch_apply, import_file, task_decide
from tests.surveys.helpers import code, id_number, write_csv, write_xlsx

pytestmark = pytest.mark.django_db

FULLWIDTH = str.maketrans(
    "0123456789ABCDEFGHJKLMNPQRTUWXY", "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ"
)


def enterprise_list(tmp_path, name="scjg.xlsx", start=1, words=("快递", "物业", "直播电商", "道路运输业", "网红经济")):
    """A market-regulation list: a merged two-line title, a header split over two rows, header
    variants, full-width and lower-case credit codes, 12人 and numbers stored as text, the
    department's own industry words, "南京市秦淮区", a bad checksum and a totals row."""
    bad = code(start + 9)[:-1] + ("0" if code(start + 9)[-1] != "0" else "1")
    rows = [
        ["南京市市场监督管理局 新兴领域企业名录（2025年）"],
        ["填报日期：2025年6月"],
        ["序号", "企业(单位)名称", "统一社会信用代码", "行业类别", "住所", "所在地", None, "从业人数"],
        [None, None, None, None, None, "区", "街道", None],
        [
            1,
            "甲快递有限公司",
            code(start).translate(FULLWIDTH),
            words[0],
            "夫子庙1号",
            "南京市秦淮区",
            "夫子庙街道",
            "12人",
        ],
        [2, "乙物业管理有限公司", code(start + 1).lower(), words[1], None, "秦淮区", "中华门", 30],
        [3, "丙文化传媒有限公司", code(start + 2), words[2], "", "南京市秦淮区", None, "8"],
        [4, "丁运输有限公司", code(start + 3), words[3], "", "玄武区", "新街口街道", "１,200"],
        [5, "戊网络科技有限公司", code(start + 4), words[4], "", "秦淮区", "夫子庙街道", 5.0],
        [6, "己商贸有限公司", bad, "商贸零售", "", "秦淮区", "夫子庙街道", 3],
        ["合计", None, None, None, None, None, None, 1255],
    ]
    return write_xlsx(tmp_path / name, rows, merges=("A1:H1", "A2:H2", "F3:G3", "A3:A4", "B3:B4"))


def by_row(batch):
    return {row.row_number: row for row in StagedRow.objects.filter(batch=batch)}


def test_department_enterprise_list_maps_its_words_once(client, municipal, world, tmp_path):
    outcome, report = import_file(kind="units", path=enterprise_list(tmp_path), user=municipal, source="市场监管局")
    batch = outcome.batch
    rows = by_row(batch)
    assert sorted(rows) == [5, 6, 7, 8, 9, 10]
    # Only the bad checksum is an error, with its Excel row and column.
    assert report["errors"] == [{"row": 10, "column": "统一社会信用代码", "message": "统一社会信用代码校验位错误"}]
    assert rows[5].key == code(1) and rows[6].key == code(2)  # full width and lower case folded
    assert [rows[n].values["industry"] for n in (5, 6, 7)] == ["express", "property", "live_streaming"]
    assert rows[8].values["industry"] == "other" and rows[8].values["industry_code"] == "54"  # GB/T kept
    assert (
        rows[5].values["territory_id"] == world.fuzimiao.pk and rows[6].values["territory_id"] == world.zhonghuamen.pk
    )
    assert rows[7].values["territory_id"] == world.qinhuai.pk  # no street: a district-level record
    assert rows[5].values["employee_count"] == 12 and rows[8].values["employee_count"] == 1200
    assert all(rows[n].status == "new" for n in (5, 6, 7, 8, 9))
    # The department's own word: a warning with a suggestion, not an error.
    assert rows[9].has_warning and rows[9].issues[0]["unknown"] == "网红经济"
    assert "industry" not in rows[9].values
    assert VerificationTask.objects.get(row=rows[7]).territory == world.qinhuai  # the district places it

    client.force_login(municipal)
    page = client.get(reverse("surveys:batch-detail", args=[batch.pk])).content.decode()
    assert "网红经济" in page and "设置对应" in page
    response = client.post(
        reverse("surveys:batch-mapping", args=[batch.pk]),
        {"field": "industry", "value": "网红经济", "target": "live_streaming"},
    )
    assert response.status_code == 302
    row = StagedRow.objects.get(pk=rows[9].pk)
    assert row.values["industry"] == "live_streaming" and not row.has_warning and row.status == "new"
    assert VerificationTask.objects.filter(row=row).exists()
    batch.refresh_from_db()
    assert batch.counts["unmapped"] == {}
    mapping = ValueMapping.objects.get()
    assert (mapping.source, mapping.territory, mapping.created_by) == ("市场监管局", world.city, municipal)
    listed = client.get(reverse("admin:surveys_valuemapping_changelist")).content.decode()
    assert "网红经济" in listed and "网络直播与电商" in listed
    edit = client.post(
        reverse("admin:surveys_valuemapping_change", args=[mapping.pk]),
        {"kind": "units", "source": "市场监管局", "field": "industry", "value": "网红经济", "target": "nope"},
    )
    assert edit.status_code == 200 and "请填写所属行业的取值" in edit.content.decode()

    # Applying everything clean writes the rows; the streets' tasks of written rows close.
    batch_apply(batch=batch, actor=municipal, mode=ApplyMode.CLEAN)
    written = VerificationTask.objects.get(row=rows[5])
    assert written.status == VerificationTask.Status.WRITTEN
    placing = VerificationTask.objects.get(row=rows[7])
    assert placing.status == VerificationTask.Status.PENDING  # the district still places its record
    task_decide(task=placing, actor=municipal, decision="confirmed")
    assert Unit.objects.get(credit_code=code(5)).industry == "live_streaming"

    # The next list from the same department needs no mapping at all.
    outcome, report = import_file(
        kind="units", path=enterprise_list(tmp_path, "scjg2.xlsx", start=21), user=municipal, source="市场监管局"
    )
    assert report["warnings"] == [] and outcome.batch.counts["unmapped"] == {}
    assert [e["row"] for e in report["errors"]] == [10]


GOOD_ID = id_number("19880101", "456")
BAD_ID = GOOD_ID[:-1] + ("1" if GOOD_ID[-1] == "0" else "0")


def test_district_roster_without_place_goes_through(qinhuai_organizer, municipal, world, tmp_path):
    """A district's member roster: no 属地 column; occupation and platform in its own words."""
    rows = [
        ["秦淮区新就业群体党员花名册"],
        ["姓名", "性别", "身份证号码", "联系电话", "党员类别", "入党时间", "职业", "所属平台"],
        ["张三", "男", id_number("19900307", "123"), "138 0000 0001", "正式党员", "2015-07-01", "外卖骑手", "美团"],
        ["李四", "女", id_number("19920415", "224"), 13800000002, "预备党员", "2024.7", "快递员", "顺丰速运"],
        ["王五", "女", BAD_ID, "13800000003", "正式党员", "2010-01-01", "", ""],
    ]
    path = write_csv(tmp_path / "roster.csv", rows, encoding="gbk")
    with pytest.raises(ValidationError, match="管辖范围"):  # --user bounds --territory
        import_file(kind="members", path=path, user=qinhuai_organizer, territory=world.xuanwu)
    outcome, report = import_file(
        kind="members", path=path, user=qinhuai_organizer, territory=Territory.objects.get(code="320104")
    )
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(5, "身份证号码")]
    staged = by_row(outcome.batch)
    assert staged[3].status == "new" and staged[3].values["territory_id"] == world.qinhuai.pk
    assert "occupation" not in staged[3].values and staged[3].issues[0]["suggest"] == "rider"  # 外卖骑手
    assert staged[4].values["occupation"] == "courier" and staged[4].issues[0]["suggest"] == "sf"  # 顺丰速运
    assert VerificationTask.objects.get(row=staged[3]).territory == world.qinhuai

    # The municipal committee uploading the same roster: the title proposes 秦淮区.
    outcome, report = import_file(kind="members", path=path, user=municipal, source="秦淮区委组织部", dry_run=True)
    assert outcome.batch.default_territory == world.qinhuai
    assert [e["row"] for e in report["errors"]] == [5]
    assert not Person.objects.exists()


def test_station_list_without_host_and_a_unit_file_that_knows_less(client, municipal, world, tmp_path):
    rows = [
        ["驿站编号", "驿站名称", "所在区", "街道", "详细地址", "经度", "纬度", "驿站类型"],
        ["qh-００１", "夫子庙驿站", "南京市秦淮区", "夫子庙", "贡院街1号", "118.79", "32.02", "旗舰"],
        ["QH-002", "中华门驿站", "秦淮区", "中华门街道", "", 118.78, 32.01, "标准型"],
        ["QH-003", "反了的驿站", "秦淮区", "夫子庙街道", "", "32.02", "118.79", "重点型"],
    ]
    outcome, report = import_file(kind="stations", path=write_xlsx(tmp_path / "st.xlsx", rows), user=municipal)
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(4, "经度")]
    staged = by_row(outcome.batch)
    assert staged[2].key == "QH-001" and staged[2].values["host_type"] == "other"
    assert any("依托阵地" in w["message"] and w["row"] == 2 for w in report["warnings"])
    task_decide(task=staged[2].task, actor=municipal, decision="confirmed")
    batch_apply(batch=outcome.batch, actor=municipal, mode=ApplyMode.VERIFIED)
    assert Station.objects.get(code="QH-001").host_type == "other"

    # A unit held at a community; a file knowing only its street and no address changes nothing.
    unit = Unit.objects.create(
        name="甲公司", credit_code=code(40), kind="enterprise", territory=world.chaokujie, address="钞库街1号"
    )
    rows = [
        ["单位名称", "统一社会信用代码", "所属区", "所属街道", "地址"],
        ["甲公司", code(40), "秦淮区", "夫子庙街道", ""],
    ]
    outcome, report = import_file(kind="units", path=write_xlsx(tmp_path / "u.xlsx", rows), apply=ApplyMode.CLEAN)
    assert report["unchanged"] == 1 and report["updated"] == 0
    unit.refresh_from_db()
    assert (unit.territory, unit.address) == (world.chaokujie, "钞库街1号")
    rows[1][0] = "甲公司(更名)"
    import_file(kind="units", path=write_xlsx(tmp_path / "u2.xlsx", rows), apply=ApplyMode.CLEAN)
    unit.refresh_from_db()
    assert (unit.name, unit.territory, unit.address) == ("甲公司(更名)", world.chaokujie, "钞库街1号")

    # Lineage on the record's own admin page; the kind's template from the upload page.
    client.force_login(municipal)
    page = client.get(reverse("admin:organizations_unit_change", args=[unit.pk])).content.decode()
    assert "导入来源" in page and "u2.xlsx" in page and "单位名称" in page
    listing = client.get(reverse("surveys:batch-list")).content.decode()
    assert reverse("surveys:template", args=["units"]) in listing
    response = client.get(reverse("surveys:template", args=["units"]))
    assert response.status_code == 200
    from io import BytesIO

    from openpyxl import load_workbook

    workbook = load_workbook(BytesIO(b"".join(response.streaming_content)))
    header = [c.value for c in workbook["填写"][1]]
    assert header[:2] == ["单位名称", "统一社会信用代码"] and "所属行业" in header
    notes = "\n".join(str(c.value) for row in workbook["填写说明"].iter_rows() for c in row if c.value)
    assert "企业名称" in notes and "快递物流" in notes and "物业" in notes
    assert ImportBatch.objects.filter(kind="units").count() == 2
