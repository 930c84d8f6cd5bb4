"""Members, stations and organizations: their natural keys and their own checks."""

import pytest

from members.models import Person
from organizations.models import PartyOrganization
from stations.models import Station
from surveys.services import ApplyMode, import_file
from tests.surveys.helpers import id_number, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


def test_id_numbers_that_lost_digits_are_caught(world, tmp_path):
    good = id_number("19900307", "123")
    as_number = int(id_number("19880101", "456"))
    rows = [
        ["姓名", "身份证号码", "手机号码", "所属区", "所属街道"],
        ["张三", good, "138 0000 0001", "秦淮区", "夫子庙街道"],  # row 2
        ["李四", float(as_number), "13800000002", "秦淮区", "夫子庙街道"],  # row 3: a number cell
        ["王五", "3.20104E+17", "13800000003", "秦淮区", "夫子庙街道"],  # row 4: scientific text
        ["赵六", str(as_number)[:-3] + "000", "13800000004", "秦淮区", "夫子庙街道"],  # row 5: tail zeroed
        ["钱七", good[:-1] + ("0" if good[-1] != "0" else "1"), "1380000", "秦淮区", "夫子庙街道"],  # row 6
    ]
    _, report = import_file(kind="members", path=write_xlsx(tmp_path / "people.xlsx", rows))
    by_row = {}
    for item in report["errors"]:
        by_row.setdefault(item["row"], []).append(item)
    assert 2 not in by_row
    assert by_row[3][0]["column"] == "身份证号码" and "丢失" in by_row[3][0]["message"]
    assert "科学计数法" in by_row[4][0]["message"]
    assert "校验位" in by_row[5][0]["message"]
    assert {e["column"] for e in by_row[6]} == {"身份证号码", "手机号码"}
    assert report["created"] == 1


def test_person_birth_date_and_gender_come_from_the_id(world, tmp_path):
    number = id_number("19900307", "123")  # 17th digit 3: male
    rows = [["姓名", "身份证号", "所属区", "所属街道", "性别"], ["张三", number, "秦淮区", "夫子庙街道", "女"]]
    _, report = import_file(kind="members", path=write_xlsx(tmp_path / "p.xlsx", rows))
    assert report["errors"] == [{"row": 2, "column": "性别", "message": "性别“女”与身份证号（第17位表示男）不一致"}]
    rows[1][4] = "男"
    _, report = import_file(kind="members", path=write_xlsx(tmp_path / "p2.xlsx", rows), apply=ApplyMode.CLEAN)
    person = Person.objects.get(id_number=number)
    assert (person.birth_date.isoformat(), person.gender, person.territory_id) == ("1990-03-07", "M", world.fuzimiao.pk)


def test_blank_gender_and_birth_date_cells_are_filled_from_the_id(world, tmp_path):
    """The department's template has 性别 and 出生日期 columns it left empty: the person still gets
    them from the ID, as from the admin form and the API (a blank cell is not “unknown gender”)."""
    number = id_number("19851120", "124")  # 17th digit 4: female
    rows = [
        ["姓名", "身份证号", "性别", "出生日期", "所属区", "所属街道"],
        ["李四", number, "", "", "秦淮区", "夫子庙街道"],
    ]
    _, report = import_file(kind="members", path=write_xlsx(tmp_path / "p.xlsx", rows), apply=ApplyMode.CLEAN)
    assert report["errors"] == [] and report["created"] == 1
    person = Person.objects.get(id_number=number)
    assert (person.birth_date.isoformat(), person.gender) == ("1985-11-20", "F")


def test_blank_reference_cells_are_not_looked_up_as_none(world, tmp_path):
    """A blank 行业党委编码 (most branches have none) was looked up as the code “None”: every such
    row carried “平台中没有编码为“None”的行业党委”, so none of them could be written as clean."""
    rows = [
        ["组织编码", "党组织名称", "组织类别", "所属区", "所属街道", "上级党组织编码", "行业党委编码"],
        ["ZZ-101", "甲公司党支部", "党支部", "秦淮区", "夫子庙街道", "JD-FZM", None],
        ["ZZ-102", "乙公司党支部", "党支部", "秦淮区", "夫子庙街道", None, "HY-KD"],
    ]
    _, report = import_file(kind="organizations", path=write_xlsx(tmp_path / "org.xlsx", rows), apply=ApplyMode.CLEAN)
    messages = [item["message"] for item in report["errors"] + report["warnings"]]
    assert not any("None" in message for message in messages), messages
    assert [item["row"] for item in report["errors"]] == [3]  # a new organization needs its parent
    assert PartyOrganization.objects.get(code="ZZ-101").industry_committee is None


def test_references_outside_the_batchs_territory_are_refused(world, tmp_path):
    """A district's batch places records in its district, and the records it hangs them on are
    those the district's pickers offer: not 玄武区's working committee as the parent of a new
    秦淮区 branch (the admin and the API refuse it; the import wrote it)."""
    rows = [
        ["组织编码", "党组织名称", "组织类别", "所属区", "所属街道", "上级党组织编码"],
        ["ZZ-201", "跨区挂靠党支部", "党支部", "秦淮区", "夫子庙街道", "QW-320102"],
        ["ZZ-202", "本区党支部", "党支部", "秦淮区", "夫子庙街道", "JD-FZM"],
    ]
    _, report = import_file(
        kind="organizations",
        path=write_xlsx(tmp_path / "org.xlsx", rows),
        territory=world.qinhuai,
        apply=ApplyMode.CLEAN,
    )
    assert report["errors"] == [
        {"row": 2, "column": "上级党组织编码", "message": "编码为“QW-320102”的上级党组织不在本批次的辖区（秦淮区）内"}
    ]
    assert not PartyOrganization.objects.filter(code="ZZ-201").exists()
    assert PartyOrganization.objects.filter(code="ZZ-202").exists()


def test_people_written_by_an_import_are_audited_as_the_officer_who_applied(world, tmp_path, qinhuai_organizer):
    """A person created or changed by an import names, in the audit trail, the officer who wrote
    the batch — not “system” (the write runs in the worker, outside the officer's request)."""
    from auditlog.models import LogEntry

    number = id_number("19900307", "123")
    rows = [["姓名", "身份证号", "所属区", "所属街道"], ["张三", number, "秦淮区", "夫子庙街道"]]
    _, report = import_file(
        kind="members", path=write_xlsx(tmp_path / "p.xlsx", rows), user=qinhuai_organizer, apply=ApplyMode.CLEAN
    )
    assert report["created"] == 1
    entry = LogEntry.objects.get_for_object(Person.objects.get(id_number=number)).get()
    assert entry.actor == qinhuai_organizer


def test_a_record_outside_the_batchs_territory_is_not_described(world, tmp_path):
    """A 秦淮区 file naming the ID number of a person held in 玄武区 is refused, and says no more
    than the admin and the API do (该身份证号已在其他辖区登记): the batch page showed where the
    person lives (“该记录现属长江路社区”) and their recorded values in the diff, so any ID number
    typed into a file told a district officer another district's resident's community."""
    from members.models import Person
    from surveys.models import StagedRow

    number = id_number("19880808", "456", region="320102")
    Person.objects.create(name="孔凯", id_number=number, phone="13743722230", territory=world.huaqiaolu)
    rows = [
        ["姓名", "身份证号", "手机号", "所属区", "所属街道"],
        ["孔凯", number, "13900001111", "秦淮区", "夫子庙街道"],
    ]
    _, report = import_file(kind="members", path=write_xlsx(tmp_path / "p.xlsx", rows), territory=world.qinhuai)
    assert report["errors"] == [
        {"row": 2, "column": "身份证号", "message": "该身份证号已在其他辖区登记，不在本批次的辖区（秦淮区）内"}
    ]
    staged = StagedRow.objects.get()
    shown = str(staged.diff) + str(staged.issues)
    assert staged.diff in ({}, None) and "长江路" not in shown and "新街口" not in shown and "玄武" not in shown


def test_station_coordinates_outside_the_city(world, tmp_path):
    rows = [
        ["驿站编码", "驿站名称", "依托阵地", "所属区", "所属街道", "经度", "纬度"],
        ["QH-001", "夫子庙驿站", "工会驿站", "秦淮区", "夫子庙街道", "118.79", "32.02"],  # row 2 fine
        ["QH-002", "上海驿站", "商户", "秦淮区", "夫子庙街道", "121.47", "31.23"],  # row 3 Shanghai
        ["QH-003", "反了的驿站", "商户", "秦淮区", "夫子庙街道", "32.02", "118.79"],  # row 4 swapped
    ]
    _, report = import_file(
        kind="stations", path=write_csv(tmp_path / "st.csv", rows, encoding="gbk"), apply=ApplyMode.CLEAN
    )
    assert report["errors"] == [
        {"row": 3, "column": "经度", "message": "坐标（121.470000, 31.230000）不在本市范围内"},
        {"row": 4, "column": "经度", "message": "经纬度可能填反：经度 32.020000、纬度 118.790000"},
    ]
    station = Station.objects.get(code="QH-001")
    assert (station.host_type, str(station.longitude), station.territory_id) == (
        "union",
        "118.790000",
        world.fuzimiao.pk,
    )


def test_organizations_need_a_known_parent(world, tmp_path):
    rows = [
        ["组织编码", "党组织名称", "组织类别", "所属区", "所属街道", "上级党组织编码"],
        ["ZZ-001", "甲公司党支部", "党支部", "秦淮区", "夫子庙街道", "JD-FZM"],
        ["ZZ-002", "乙公司党支部", "党支部", "秦淮区", "夫子庙街道", "NOPE"],
    ]
    _, report = import_file(kind="organizations", path=write_xlsx(tmp_path / "org.xlsx", rows), apply=ApplyMode.CLEAN)
    assert report["errors"] == [{"row": 3, "column": "上级党组织编码", "message": "平台中没有编码为“NOPE”的上级党组织"}]
    org = PartyOrganization.objects.get(code="ZZ-001")
    assert PartyOrganization.objects.get_parent(org) == world.fuzimiao_org
    assert org.territory == world.fuzimiao


def test_person_home_station_is_imported_into_the_points_link(world, tmp_path):
    """驿站编码 of a person is kept in points.HomeStation (the link above members and stations)."""
    first = Station.objects.create(
        code="QH-T-001", name="一号驿站", host_type=Station.HostType.SHOP, territory=world.fuzimiao
    )
    second = Station.objects.create(
        code="QH-T-002", name="二号驿站", host_type=Station.HostType.SHOP, territory=world.fuzimiao
    )
    number = id_number("19900307", "123")
    header = ["姓名", "身份证号", "所属区", "所属街道", "驿站编码"]
    rows = [header, ["张三", number, "秦淮区", "夫子庙街道", "QH-T-001"]]
    _, report = import_file(kind="members", path=write_xlsx(tmp_path / "p.xlsx", rows), apply=ApplyMode.CLEAN)
    person = Person.objects.get(id_number=number)
    assert report["created"] == 1 and person.home_station_link.station == first
    rows[1][4] = "QH-T-002"
    _, report = import_file(kind="members", path=write_xlsx(tmp_path / "p2.xlsx", rows), apply=ApplyMode.CLEAN)
    person = Person.objects.get(id_number=number)
    assert report["updated"] == 1 and person.home_station_link.station == second
    _, report = import_file(kind="members", path=write_xlsx(tmp_path / "p3.xlsx", rows), apply=ApplyMode.CLEAN)
    assert report["updated"] == 0  # compared through the link: nothing changed
