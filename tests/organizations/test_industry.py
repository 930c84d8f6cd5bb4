"""The vendored GB/T 4754-2017 table and the new-sector categories mapped onto it."""

from organizations.industry import category_for_gbt, classification, divisions, match_industry, sections
from organizations.models import Unit


def test_the_vendored_table_has_every_section_and_division():
    assert len(sections()) == 20 and len(divisions()) == 97
    table = classification()
    assert (table["G"].name, table["60"].name, table["60"].section) == ("交通运输、仓储和邮政业", "邮政业", "G")
    assert (table["05"].name, table["11"].name) == ("农、林、牧、渔专业及辅助性活动", "开采专业及辅助性活动")
    assert (table["64"].name, table["72"].name, table["97"].section) == ("互联网和相关服务", "商务服务业", "T")
    assert [d.code for d in divisions()] == [f"{n:02d}" for n in range(1, 98)]


def test_every_category_maps_onto_the_classification():
    from organizations.industry import CATEGORIES

    assert {c.value for c in CATEGORIES} == set(Unit.Industry.values)
    assert all(c.gbt in classification() for c in CATEGORIES if c.value != "other")


def test_cells_are_matched_by_label_code_alias_gbt_and_then_suggested():
    assert match_industry("快递物流").value == "express"
    assert match_industry("express").value == "express"
    assert match_industry("快递").value == "express"
    assert match_industry("直播电商").value == "live_streaming"
    assert match_industry("物业").value == "property"
    assert match_industry("邮政业") == match_industry("G60") == match_industry("60")
    assert match_industry("60").value == "express" and match_industry("60").gbt == "60"
    road = match_industry("道路运输业")
    assert (road.value, road.gbt) == ("other", "54")  # 网约车 and 货运 share 54: the code is kept
    assert category_for_gbt("13") == "manufacturing"  # through its section C
    guess = match_industry("快递公司")
    assert guess.value is None and guess.suggestion == "express"
    assert match_industry("").value is None
