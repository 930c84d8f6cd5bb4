"""The official territory: ``load_territory`` loads Nanjing's districts, streets and communities
from the vendored 统计用区划代码 table, a second run changes nothing, and a later edition renames
and retires nodes without breaking what points at them."""

from __future__ import annotations

import csv
import json
import shutil

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organizations.models import Territory
from organizations.official_territory import DATA_DIR, _check, community_name, read_table
from organizations.services import territory_add

L = Territory.Level


def _csv_rows(name):
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_city_of_the_vendored_table_passes_the_code_checks():
    """The validator accepts every row of the table (all 13 cities of Jiangsu), so the official
    tree loads through the same checks as a node typed in the admin."""
    for city in _csv_rows("cities.csv"):
        _check(read_table(city["code"]))


def test_nanjing_rows_match_the_table():
    rows = read_table("3201")
    levels = [row.level for row in rows]
    assert levels.count(L.CITY) == 1 and levels.count(L.DISTRICT) == 11
    assert levels.count(L.STREET) == 140 and levels.count(L.COMMUNITY) == 1322
    streets = [r for r in _csv_rows("streets.csv") if r["cityCode"] == "3201"]
    assert sum(r["name"].endswith("街道") for r in streets) == 95
    assert sum(r["name"].endswith("镇") for r in streets) == 6


@pytest.mark.parametrize(
    ("official", "stored"),
    [
        ("莲子营社区居委会", "莲子营社区"),
        ("徐庄社区居民委员会", "徐庄社区"),
        ("霞辉庙社区居委", "霞辉庙社区"),
        ("花神庙居委会", "花神庙社区"),
        ("清江村村委会", "清江村"),
        ("七联村委会", "七联村"),
        ("百子亭社区", "百子亭社区"),
        ("夫子庙秦淮风光带虚拟社区", "夫子庙秦淮风光带虚拟社区"),
    ],
)
def test_community_names_drop_the_committee(official, stored):
    assert community_name(official) == stored


def test_load_nanjing_then_again_changes_nothing(db):
    out = _load()
    assert "新增 1474 个，更名 0 个，撤销 0 个" in out
    nanjing = Territory.objects.get(code="320100")
    assert nanjing.name == "南京市" and nanjing.edition == "2023"
    counts = {level: Territory.objects.filter(level=level).count() for level in L.values}
    assert counts == {L.CITY: 1, L.DISTRICT: 11, L.STREET: 140, L.COMMUNITY: 1322, L.GRID: 0}
    known = {
        "320104002000": ("夫子庙街道", "320104"),
        "320111004000": ("江浦街道", "320111"),
        "320105004000": ("江心洲街道", "320105"),
        "320115004000": ("淳化街道", "320115"),
        "320117101000": ("白马镇", "320117"),
        "320104002005": ("乌衣巷社区", "320104002000"),
    }
    for code, (name, parent_code) in known.items():
        node = Territory.objects.get(code=code)
        assert (node.name, Territory.objects.get_parent(node).code) == (name, parent_code)
    for name, district in (("板桥街道", "雨花台区"), ("龙潭街道", "栖霞区"), ("桠溪街道", "高淳区")):
        node = Territory.objects.get(name=name, level=L.STREET)
        assert Territory.objects.get_parent(node).name == district
    assert _tree_is_sound()

    # Grids stay local additions, placed by the ordinary service under an official community.
    grid = territory_add(
        parent=Territory.objects.get(code="320104002005"), code="320104002005G01", name="第1网格", level=L.GRID
    )
    assert grid.edition == ""

    with CaptureQueriesContext(connection) as queries:
        again = _load()
    assert "新增 0 个，更名 0 个，撤销 0 个（无变化）" in again
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
    assert Territory.objects.filter(code="320104002005G01").exists()


def test_loading_over_the_world_adopts_its_nodes_and_a_later_edition_renames_and_retires(world, tmp_path):
    """The world's nodes already carry official codes: the loader adopts them in place (same
    rows, so every record stays where it is), adds the rest, and a later edition's renames and
    retirements are applied with the history kept."""
    fuzimiao_pk = world.fuzimiao.pk
    _load()
    assert Territory.objects.get(code="320104002000").pk == fuzimiao_pk
    assert Territory.objects.filter(level=L.STREET).count() == 140
    world.fuzimiao_org.refresh_from_db()
    assert world.fuzimiao_org.territory_id == fuzimiao_pk
    assert Territory.objects.get(code="320104002005G01").edition == ""  # the world's grid
    assert _tree_is_sound()

    # A later edition: 夫子庙街道 renamed, 乌衣巷社区 (with the world's grid under it) merged away,
    # one new community.
    later = tmp_path / "2024"
    shutil.copytree(DATA_DIR, later)
    streets = (later / "streets.csv").read_text(encoding="utf-8")
    (later / "streets.csv").write_text(streets.replace('"夫子庙街道"', '"夫子庙秦淮河街道"'), encoding="utf-8")
    villages = (later / "villages.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    villages = [line for line in villages if not line.startswith("320104002005,")]
    villages.append('320104002099,"文德桥社区居委会",320104002,32,3201,320104\n')
    (later / "villages.csv").write_text("".join(villages), encoding="utf-8")

    out = _load("--data-dir", str(later), "--edition", "2024", "--list")
    assert "新增 1 个，更名 1 个，撤销 1 个" in out
    assert "更名 320104002000：夫子庙街道 → 夫子庙秦淮河街道" in out

    street = Territory.objects.get(pk=fuzimiao_pk)
    assert street.name == "夫子庙秦淮河街道" and street.edition == "2024"
    retired = Territory.objects.get(code="320104002005")
    assert retired.retired_on is not None and str(retired) == "乌衣巷社区（已撤销）"
    assert Territory.objects.get(code="320104002005G01").retired_on is None  # local: left alone
    assert Territory.objects.get(code="320104002099").name == "文德桥社区"
    world.fuzimiao_org.refresh_from_db()
    assert world.fuzimiao_org.territory_id == fuzimiao_pk
    assert _tree_is_sound()

    from auditlog.models import LogEntry

    entries = LogEntry.objects.get_for_object(street)
    assert any("夫子庙秦淮河街道" in json.dumps(e.changes, ensure_ascii=False) for e in entries)

    # The 2023 table again brings the node back (a correction of the correction).
    out = _load()
    assert "更名 1 个，撤销 1 个，恢复 1 个" in out
    assert Territory.objects.get(code="320104002005").retired_on is None
    assert Territory.objects.get(code="320104002099").retired_on is not None


def test_unknown_city_is_a_clear_message(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="没有代码为 3299 的城市"):
        _load_city("3299")
    with pytest.raises(CommandError, match="应为4位"):
        _load_city("32x1")
    assert not Territory.objects.exists()


def _tree_is_sound():
    """What treebeard's find_problems checks, in one query (it spends a query per node): depths
    match the paths, every parent exists, numchild is right and siblings run in code order."""
    rows = list(Territory.objects.order_by("path").values_list("path", "depth", "numchild", "code"))
    by_path = {path: (depth, numchild, code) for path, depth, numchild, code in rows}
    children: dict[str, list[str]] = {}
    for path, depth, _numchild, code in rows:
        assert depth * Territory.steplen == len(path), path
        if depth > 1:
            assert path[: -Territory.steplen] in by_path, path
            children.setdefault(path[: -Territory.steplen], []).append(code)
    for path, (_depth, numchild, _code) in by_path.items():
        kids = children.get(path, [])
        assert numchild == len(kids) and kids == sorted(kids), path
    return True


def _load_city(city, *args):
    from io import StringIO

    out = StringIO()
    call_command("load_territory", city, *args, stdout=out)
    return out.getvalue()


def _load(*args):
    return _load_city("3201", *args)
