import tablib

from members.models import PartyMembership, Person
from members.resources import MembershipResource, PersonResource
from tests.members.factories import make_id, make_person


def _dataset(headers, *rows):
    data = tablib.Dataset(headers=headers)
    for row in rows:
        data.append(row)
    return data


HEADERS = ["姓名", "身份证号", "手机号", "职业类别", "所属平台", "辖区代码", "所在单位信用代码"]


def test_person_import_validates_each_row_and_stays_in_scope(world, fuzimiao_cadre):
    good = make_id()
    data = _dataset(
        HEADERS,
        ["张三", good, "１３８-0013-8000", "外卖配送员", "美团", world.chaokujie.code, ""],
        ["李四", 32010419900101123, "13800138001", "快递员", "顺丰", world.chaokujie.code, ""],
        ["王五", make_id(), "13800138002", "快递员", "顺丰", world.huaqiaolu.code, ""],
    )
    result = PersonResource().import_data(data, dry_run=True, user=fuzimiao_cadre)
    assert result.has_validation_errors() or result.has_errors()
    messages = " ".join(
        str(err) for row in result.invalid_rows for errs in row.error_dict.values() for err in errs
    ) + " ".join(str(e.error) for _, errs in result.row_errors() for e in errs)
    assert "17位" in messages  # the number Excel stored as an integer
    assert not Person.objects.exists()
    ok = PersonResource().import_data(_dataset(HEADERS, data[0]), dry_run=False, user=fuzimiao_cadre)
    assert not ok.has_errors() and not ok.has_validation_errors()
    person = Person.objects.get()
    assert (person.phone, person.occupation, person.platform, person.name_initials) == (
        "13800138000",
        "rider",
        "meituan",
        "zs",
    )


def test_membership_import_updates_counts(world, qinhuai_organizer):
    person = make_person(world.chaokujie, name="赵一")
    data = _dataset(
        [
            "身份证号",
            "党员类别",
            "所在党组织编码",
            "入党日期",
            "转正日期",
            "流动党员",
            "流出地党组织",
            "隐形党员",
            "新就业群体党员",
        ],
        [person.id_number, "正式党员", world.fuzimiao_org.code, "2010-07-01", "2011-07-01", "否", "", "否", "是"],
    )
    result = MembershipResource().import_data(data, dry_run=False, user=qinhuai_organizer)
    assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows
    membership = PartyMembership.objects.get(person=person)
    assert membership.status == "full" and membership.is_new_employment
    world.fuzimiao_org.refresh_from_db()
    assert world.fuzimiao_org.full_member_count == 1
