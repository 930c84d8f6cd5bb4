"""The official territory: a city's districts, 街道/镇/functional areas and 社区/村 from the national
统计用区划代码 table vendored in ``organizations/data/territory`` (see SOURCE.md there).

``load_official_territory`` applies one edition of the table to the tree: new codes are added, a
code whose name changed is renamed, a code the edition no longer lists is retired (``retired_on``),
never deleted, so the units, members and posts that point at it stay intact. Nodes without an
edition (grids, hand-made nodes) are local additions and are left alone. A second run of the same
edition changes nothing.

The materialized paths of the whole city are computed here and written in bulk: treebeard's
``add_child`` re-sorts the siblings on every insert (node_order_by), which takes minutes for the
~1,500 nodes of a city.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.tree import add_node
from organizations.models import Territory
from organizations.validators import territory_code_errors

logger = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent / "data" / "territory"
EDITION = "2023"  # the edition vendored in DATA_DIR (国家统计局 2023年统计用区划代码)

L = Territory.Level

# The table names the committee (社区居委会, 村民委员会…); the node is the 社区 or 村 it serves,
# which is what departments write in their lists ("莲子营社区", "七联村").
_COMMITTEE = re.compile(r"(社区)?(居民委员会|居委会|居委)$|(村)?(村民委员会|村委会)$")


def community_name(official: str) -> str:
    """``莲子营社区居委会`` → ``莲子营社区``; ``清江村村委会``/``七联村委会`` → ``清江村``/``七联村``."""
    match = _COMMITTEE.search(official)
    if match is None or match.start() == 0:
        return official
    suffix = "社区" if (match.group(2) is not None) else "村"
    return official[: match.start()] + suffix


@dataclass(frozen=True)
class Row:
    code: str  # as stored: 6 digits for city and district, 12 for street and community
    name: str
    level: str
    parent: str | None


@dataclass
class Summary:
    edition: str
    city: str = ""
    added: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str, str]] = field(default_factory=list)  # (code, old name, new name)
    retired: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)
    adopted: int = 0  # local nodes whose code the table lists, now official
    moved_paths: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.renamed or self.retired or self.restored or self.adopted)

    def text(self) -> str:
        line = (
            f"{self.city}（{self.edition}年统计用区划代码）：新增 {len(self.added)} 个，更名 {len(self.renamed)} 个，"
            f"撤销 {len(self.retired)} 个"
        )
        if self.restored:
            line += f"，恢复 {len(self.restored)} 个"
        if self.adopted:
            line += f"，原有节点核定为官方代码 {self.adopted} 个"
        return line + ("" if self.changed else "（无变化）")


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_table(city: str, data_dir: Path | None = None) -> list[Row]:
    """The rows of ``city`` (``3201`` or ``320100``), parents before children."""
    data_dir = Path(data_dir or DATA_DIR)
    city4 = city[:4]
    if not (city4.isdigit() and len(city4) == 4 and city[4:].strip("0") == ""):
        raise ValidationError(f"城市代码“{city}”应为4位（如 3201）或6位（如 320100）数字")
    cities = {r["code"]: r["name"] for r in _read(data_dir / "cities.csv")}
    if city4 not in cities:
        raise ValidationError(f"区划代码表（{data_dir}）中没有代码为 {city4} 的城市")
    city_code = city4 + "00"
    rows = [Row(city_code, cities[city4], L.CITY, None)]
    for r in _read(data_dir / "areas.csv"):
        if r["cityCode"] == city4:
            rows.append(Row(r["code"], r["name"], L.DISTRICT, city_code))
    for r in _read(data_dir / "streets.csv"):
        if r["cityCode"] == city4:
            rows.append(Row(r["code"] + "000", r["name"], L.STREET, r["areaCode"]))
    for r in _read(data_dir / "villages.csv"):
        if r["cityCode"] == city4:
            rows.append(Row(r["code"], community_name(r["name"]), L.COMMUNITY, r["streetCode"] + "000"))
    return rows


def _check(rows: list[Row]) -> None:
    """Every row passes the same code checks as a node typed in the admin; a table that does not
    is refused whole, before anything is written."""
    by_code = {row.code: row for row in rows}
    problems = []
    for row in rows:
        parent = by_code.get(row.parent) if row.parent else None
        if row.parent and parent is None:
            problems.append(f"{row.code} {row.name}：上级 {row.parent} 不在表中")
            continue
        errors = territory_code_errors(
            code=row.code,
            level=row.level,
            parent_code=parent.code if parent else None,
            parent_level=parent.level if parent else None,
        )
        problems += [f"{row.code} {row.name}：{message}" for message in errors.values()]
    if problems:
        raise ValidationError("区划代码表有误，未做任何修改：" + "；".join(problems[:10]))


_ALPHABET = Territory.alphabet
_STEP = Territory.steplen


def _step(index: int) -> str:
    digits = ""
    while True:
        index, rest = divmod(index, len(_ALPHABET))
        digits = _ALPHABET[rest] + digits
        if index == 0:
            return digits.rjust(_STEP, _ALPHABET[0])


@transaction.atomic
def load_official_territory(
    city: str, *, data_dir: Path | None = None, edition: str = EDITION, on: dt.date | None = None
) -> Summary:
    rows = read_table(city, data_dir)
    _check(rows)
    on = on or timezone.localdate()
    summary = Summary(edition=edition, city=rows[0].name)
    city_row = rows[0]

    root = Territory.objects.select_for_update().filter(code=city_row.code).first()
    if root is None:
        root = add_node(Territory, None, code=city_row.code, name=city_row.name, level=L.CITY, edition=edition)
        summary.added.append(root.code)
    existing = {node.code: node for node in Territory.objects.filter(path__startswith=root.path)}
    existing[root.code] = root

    # Names, editions and retirements: saved one by one (a handful per edition) so the audit
    # trail records each change with its old and new value.
    listed = set()
    for row in rows:
        node = existing.get(row.code)
        listed.add(row.code)
        if node is None:
            continue
        changed = []
        if node.name != row.name:
            summary.renamed.append((node.code, node.name, row.name))
            node.name = row.name
            changed.append("name")
        if node.edition != edition:
            summary.adopted += node.edition == ""
            node.edition = edition
            changed.append("edition")
        if node.retired_on is not None:
            summary.restored.append(node.code)
            node.retired_on = None
            changed.append("retired_on")
        if changed:
            node.save(update_fields=changed)
    for code, node in existing.items():
        if code not in listed and node.edition and node.retired_on is None:
            node.retired_on = on
            node.save(update_fields=["retired_on"])
            summary.retired.append(code)

    new = [Territory(code=r.code, name=r.name, level=r.level, edition=edition) for r in rows if r.code not in existing]
    if new:
        parent_of = {r.code: r.parent for r in rows}
        summary.moved_paths = _write_paths(root, list(existing.values()), new, parent_of)
        summary.added += [node.code for node in new]

    for code, old, name in summary.renamed:
        logger.info("辖区更名 %s：%s → %s（%s版）", code, old, name, edition)
    for code in summary.retired:
        logger.info("辖区撤销 %s %s（%s版不再列出）", code, existing[code].name, edition)
    logger.info("%s", summary.text())
    return summary


@transaction.atomic
def add_local_nodes(city_code: str, nodes: list[tuple[str, str, str, str]]) -> int:
    """Local additions (grids) as (code, name, level, parent code) under nodes of the city, in
    bulk and through the same code checks as ``territory_add``; codes already present are skipped.
    Returns how many were added."""
    root = Territory.objects.select_for_update().get(code=city_code)
    existing = {node.code: node for node in Territory.objects.filter(path__startswith=root.path)}
    existing[root.code] = root
    new, parent_of, problems = [], {}, []
    for code, name, level, parent_code in nodes:
        if code in existing or code in parent_of:
            continue
        parent = existing.get(parent_code)
        errors = territory_code_errors(
            code=code,
            level=level,
            parent_code=parent_code,
            parent_level=parent.level if parent is not None else None,
        )
        if parent is None:
            errors = {"code": f"上级 {parent_code} 不存在"}
        problems += [f"{code} {name}：{message}" for message in errors.values()]
        parent_of[code] = parent_code
        new.append(Territory(code=code, name=name, level=level))
    if problems:
        raise ValidationError("；".join(problems[:10]))
    if new:
        _write_paths(root, list(existing.values()), new, parent_of)
    return len(new)


def _write_paths(root: Territory, existing: list[Territory], new: list[Territory], parent_of: dict) -> int:
    """Place ``new`` under their parents and renumber the city's paths in code order, in bulk.
    Returns how many existing nodes got a new path."""
    by_path = {node.path: node for node in existing}
    children: dict[str, list[Territory]] = {}
    for node in existing:
        if node is root:
            continue
        parent = by_path[node.path[:-_STEP]]
        children.setdefault(parent.code, []).append(node)
    codes = {node.code: node for node in existing}
    for node in new:
        children.setdefault(parent_of[node.code], []).append(node)
        codes[node.code] = node

    old_paths = {node.pk: (node.path, node.depth, node.numchild) for node in existing}
    stack = [root]
    while stack:
        parent = stack.pop()
        kids = sorted(children.get(parent.code, []), key=lambda n: n.code)
        parent.numchild = len(kids)
        for index, kid in enumerate(kids, start=1):
            kid.path = parent.path + _step(index)
            kid.depth = parent.depth + 1
            stack.append(kid)

    moved = [n for n in existing if old_paths[n.pk] != (n.path, n.depth, n.numchild)]
    renumbered = [n for n in moved if old_paths[n.pk][0] != n.path]
    if renumbered:
        # The unique index on path is checked row by row: park the moving paths out of the way first.
        final = {n.pk: n.path for n in renumbered}
        for n in renumbered:
            n.path = f"~{n.pk}"
        Territory.objects.bulk_update(renumbered, ["path"], batch_size=1000)
        for n in renumbered:
            n.path = final[n.pk]
    Territory.objects.bulk_update(moved, ["path", "depth", "numchild"], batch_size=1000)
    Territory.objects.bulk_create(new, batch_size=1000)
    return len(renumbered)
