"""比对 and the row-level 筛核: parse a chunk of rows, resolve references and territory, compare with
what the portal holds, and screen each row (errors and warnings). Nothing is written here.

Parsing, comparing and screening stay in one pass over the chunk: each row's issues decide its
status, and a second pass would only cost time on large files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.backends.base.operations import BaseDatabaseOperations

from organizations.models import Territory
from organizations.scope import EVERYTHING, UserScope, placeable
from surveys import normalize as n
from surveys.mappings import mapping_key, mappings_for, unknown_value_issue
from surveys.models import ImportBatch, RowStatus
from surveys.pipeline.keys import key_in
from surveys.pipeline.territory import TerritoryIndex
from surveys.readers import Header
from surveys.specs import KindSpec, error, jsonable, warning

# Distinct cells of one choice column remembered per batch (a column of free text marked as a
# choice would otherwise grow the memo with the file).
MEMO_LIMIT = 4096


@dataclass
class Context:
    spec: KindSpec
    batch: ImportBatch
    header: Header
    letters: Callable[[int], str]
    territories: TerritoryIndex = field(default_factory=TerritoryIndex)

    def __post_init__(self):
        self.field_columns = {name: col for col, name in self.header.columns.items()}
        self.present = set(self.field_columns)
        self.attrs = self.spec.compared_attrs(self.present)
        self.scope_path = self.batch.territory.path
        # What a post at the batch's territory may write: the records rows may refer to.
        self.write_scope = (
            EVERYTHING
            if self.batch.territory.level == Territory.Level.CITY
            else UserScope(
                territory_paths=frozenset({self.scope_path}), anchor_territory_paths=frozenset({self.scope_path})
            )
        )
        self.columns = [(col, name, self.spec.field(name)) for col, name in self.header.columns.items()]
        # A choice column holds a handful of words in thousands of rows: each distinct cell is
        # parsed once per batch (the parsers are pure; the per-row warnings are still per row).
        self.memo: dict[str, dict] = {
            name: {} for _, name, spec_field in self.columns if spec_field.choice is not None or spec_field.memo
        }
        # What the second pass over a row needs of each field, looked up once per batch.
        self.value_fields = [(f.name, f.model_attr, f) for f in self.spec.active_fields if f.model_attr is not None]
        # The range each integer column holds: a count past it is the row's error here, not a
        # refusal of the whole batch by the database when it is applied.
        self.int_ranges = integer_ranges(self.spec.model, {attr for _, attr, _ in self.value_fields})
        self._labels: dict[tuple[str, int], str] = {}
        # Words this source was mapped for earlier (直播电商 → live_streaming), and the unknown
        # words of this batch: field → text → {"rows": n, "suggest": value}.
        self.mappings = mappings_for(self.batch)
        self.unmapped: dict[str, dict[str, dict]] = {}
        # Where a row that names no place is recorded: the batch's own territory when it is a
        # district or street (a roster sent by 秦淮区), or the district its file title names.
        batch_place = self.batch.territory
        self.default_territory = self.batch.default_territory_id or (
            batch_place.pk if batch_place.level != Territory.Level.CITY else None
        )

    @property
    def default_district_name(self) -> str | None:
        row = self.territories.get(self.default_territory) if self.default_territory else None
        return row["name"] if row and row["level"] == Territory.Level.DISTRICT else None

    def note_unmapped(self, name: str, text: str, suggestion: str | None) -> None:
        entry = self.unmapped.setdefault(name, {}).setdefault(text, {"rows": 0, "suggest": suggestion or ""})
        entry["rows"] += 1

    def where(self, name: str) -> dict:
        col = self.field_columns.get(name)
        spec_field = self.spec.field(name)
        if col is None:
            if name in ("territory", "territory_id"):
                return self.where("street" if "street" in self.field_columns else "district")
            return {"column": spec_field.label if spec_field else name, "letter": ""}
        return {"column": self.header.titles.get(col, name), "letter": self.letters(col)}

    def display(self, attr: str, value) -> str:
        if value in (None, ""):
            return "（空）"
        if attr == "territory_id":
            row = self.territories.get(value)
            return row["name"] if row else f"#{value}"
        spec_field = next((f for f in self.spec.fields if f.model_attr == attr), None)
        if spec_field and spec_field.ref:
            key = (attr, value)
            if key not in self._labels:
                from django.apps import apps

                model = apps.get_model(spec_field.ref[0])
                obj = model._default_manager.filter(pk=value).first()
                self._labels[key] = str(obj) if obj else f"#{value}"
            return self._labels[key]
        return self.spec.choices_label(attr, value)


def integer_ranges(model, attrs: set[str]) -> dict[str, tuple[int, int]]:
    """attname → (lowest, highest) value its integer column holds, for the ``attrs`` of ``model``."""
    ranges = {}
    for f in model._meta.concrete_fields:
        if f.attname in attrs and not f.is_relation and "IntegerField" in f.get_internal_type():
            # The production database's ranges on every backend (SQLite would take any 64-bit
            # value): the same file is the same rows' errors wherever it is imported.
            low, high = BaseDatabaseOperations.integer_field_ranges.get(f.get_internal_type(), (None, None))
            if low is not None or high is not None:
                ranges[f.attname] = (low if low is not None else -(2**63), high if high is not None else 2**63 - 1)
    return ranges


def _place(issue: dict, ctx: Context) -> dict:
    return {**issue, **ctx.where(issue["field"])}


@dataclass(slots=True)
class Staged:
    """A staged row as ``process_chunk`` makes it: the columns of ``StagedRow``, without the
    cost of a model instance per row (``stage`` writes these directly)."""

    batch_id: int
    row_number: int
    key: str
    status: str
    has_warning: bool
    raw: list
    values: dict
    diff: dict
    issues: list
    target_id: int | None
    territory_id_hint: int | None
    first_row: int | None = None
    applied: bool = False


def process_chunk(ctx: Context, chunk: list[tuple[int, list]]) -> list[Staged]:
    """Parse, resolve, compare and screen a chunk of data rows; nothing is written here."""
    spec = ctx.spec
    memo = ctx.memo
    mappings = ctx.mappings
    parsed_rows: list[tuple[int, list, dict, list]] = []
    for row_number, cells in chunk:
        parsed: dict = {}
        issues: list[dict] = []
        width = len(cells)
        for col, name, spec_field in ctx.columns:
            raw = cells[col] if col < width else None
            choice = spec_field.choice
            if choice is not None and name in mappings and not n.is_blank(raw):
                mapped = mappings[name].get(mapping_key(n.cell_text(raw)))
                if mapped is not None:
                    parsed[name] = mapped
                    continue
            seen = memo.get(name)
            if seen is None:
                value, err = spec_field.parse(raw)
            else:
                # By type as well: True, 1 and 1.0 are one dict key but three different cells.
                memo_key = (raw.__class__, raw)
                try:
                    value, err = seen[memo_key]
                except KeyError:
                    value, err = spec_field.parse(raw)
                    if len(seen) < MEMO_LIMIT:
                        seen[memo_key] = value, err
                except TypeError:  # an unhashable cell: parsed as it comes
                    value, err = spec_field.parse(raw)
            if err:
                if choice is not None:
                    # An unknown word is the department's own vocabulary, not a broken row: warn,
                    # suggest, and let the officer map it once for this source.
                    issue = unknown_value_issue(spec_field, n.cell_text(raw))
                    ctx.note_unmapped(name, issue["unknown"], issue["suggest"])
                    issues.append(issue)
                    continue
                issues.append(error(name, err))
                continue
            if value is not None and spec_field.max_length and len(str(value)) > spec_field.max_length:
                issues.append(error(name, f"超过{spec_field.max_length}个字"))
                continue
            parsed[name] = value
        parsed_rows.append((row_number, cells, parsed, issues))

    # References to other records: one query per referenced kind for the whole chunk, among the
    # records a post at the batch's territory may place under (the admin's and the API's pickers);
    # the codes found only outside it, a second query for the misses alone.
    ref_ids: dict[str, dict[str, int]] = {}
    ref_outside: dict[str, set[str]] = {}
    for spec_field in spec.active_fields:
        if spec_field.ref and spec_field.name in ctx.present:
            codes = {p[spec_field.name] for _, _, p, _ in parsed_rows if p.get(spec_field.name)}
            if codes:
                from django.apps import apps

                model = apps.get_model(spec_field.ref[0])
                lookup = spec_field.ref[1]
                everything = model._default_manager.all()
                found = dict(key_in(placeable(everything, ctx.write_scope), lookup, codes).values_list(lookup, "pk"))
                ref_ids[spec_field.name] = found
                if missing := codes - set(found):
                    outside = key_in(everything, lookup, missing).values_list(lookup, flat=True)
                    ref_outside[spec_field.name] = set(outside)

    keys = {p[spec.key] for _, _, p, _ in parsed_rows if p.get(spec.key)}
    placing = f"{spec.territory_path}_id"
    fetch = ["pk", spec.key_attr, *{a for a in (*ctx.attrs, placing) if a != spec.key_attr}]
    existing = {
        row[spec.key_attr]: row for row in key_in(spec.model._default_manager.all(), spec.key_attr, keys).values(*fetch)
    }

    staged: list[Staged] = []
    for row_number, cells, parsed, issues in parsed_rows:
        key = parsed.get(spec.key) or ""
        if not key and not any(i["field"] == spec.key for i in issues):
            issues.append(error(spec.key, f"缺少{spec.field(spec.key).label}"))
        elif key and spec.check_key:
            message = spec.check_key(key)
            if message:
                issues.append(error(spec.key, message))

        values: dict = {}
        for name, attr, spec_field in ctx.value_fields:
            if name not in parsed:
                continue
            value = parsed[name]
            if spec_field.ref and value is None:
                continue  # a blank cell: nothing to look up, and a blank never erases
            if spec_field.ref:
                found = ref_ids.get(name, {}).get(value)
                if found is None:
                    what = spec_field.label.removesuffix("编码").removesuffix("信用代码")
                    if value in ref_outside.get(name, ()):
                        message = f"编码为“{value}”的{what}不在本批次的辖区（{ctx.batch.territory.name}）内"
                    else:
                        message = f"平台中没有编码为“{value}”的{what}"
                    issues.append((error if spec_field.ref_missing == "error" else warning)(spec_field.name, message))
                    continue
                value = found
            bounds = ctx.int_ranges.get(attr)
            if bounds is not None and type(value) is int and not bounds[0] <= value <= bounds[1]:
                issues.append(error(name, f"数值超出可保存的范围（{bounds[0]}～{bounds[1]}）"))
                continue
            values[attr] = jsonable(value)

        territory_hint = None
        names_place = bool(parsed.get("district") or parsed.get("street"))
        if names_place:
            # A street alone is looked for in the batch's district first (its roster, its streets).
            district_text = parsed.get("district") or (ctx.default_district_name if parsed.get("street") else None)
            territory_id, territory_hint, found_issues = ctx.territories.resolve(district_text, parsed.get("street"))
            issues.extend(found_issues)
            if territory_id:
                values["territory_id"] = territory_id
                placed = ctx.territories.get(territory_id)
                if not placed["path"].startswith(ctx.scope_path):
                    at_street = placed["level"] == Territory.Level.STREET and "street" in ctx.present
                    issues.append(
                        error(
                            "street" if at_street else "district",
                            f"“{placed['name']}”不在本批次的辖区（{ctx.batch.territory.name}）内",
                        )
                    )

        for check in spec.row_checks:
            issues.extend(check(spec, parsed, values, ctx))

        before = existing.get(key) if key else None
        diff: dict = {}
        target_id = None
        if before is not None:
            target_id = before["pk"]
            # An empty cell means "not surveyed", never "erase what the portal holds".
            values = {a: v for a, v in values.items() if v is not None}
            before_territory = before.get(placing)
            held = ctx.territories.get(before_territory) if before_territory else None
            named = ctx.territories.get(values["territory_id"]) if values.get("territory_id") else None
            if held and named and held["id"] != named["id"] and held["path"].startswith(named["path"]):
                # A coarser place containing the recorded one (the street of a unit held at a
                # community) is no change: the finer place stays, and so does its verifier.
                del values["territory_id"]
                territory_hint = held["id"]
            outside = bool(held) and not held["path"].startswith(ctx.scope_path)
            if outside:
                # Refused, and described no further than the admin and the API do: neither where
                # the record is held nor what it holds (no diff), or any key typed into a file
                # would tell a district another district's resident's community.
                label = spec.field(spec.key).label
                issues.append(
                    error(spec.key, f"该{label}已在其他辖区登记，不在本批次的辖区（{ctx.batch.territory.name}）内")
                )
            elif territory_hint is None and held:
                territory_hint = held["id"]
            for attr in () if outside else ctx.attrs:
                if attr in values and n.same_text(before.get(attr), values[attr]):
                    # Another spelling of the text on record: kept as it was typed there.
                    del values[attr]
                    continue
                if attr in values and jsonable(before.get(attr)) != values[attr]:
                    diff[attr] = {
                        "label": _attr_label(spec, attr),
                        "before": ctx.display(attr, before.get(attr)),
                        "after": ctx.display(attr, values[attr]),
                    }
            if diff:
                for check in spec.change_checks:
                    issues.extend(check(spec, values, {a: before.get(a) for a in ctx.attrs}, ctx))
        else:
            if "territory_id" not in values and not names_place and ctx.default_territory:
                values["territory_id"] = ctx.default_territory
                territory_hint = ctx.default_territory
            for attr, placeholder in spec.placeholders.items():
                if values.get(attr) in (None, "") and spec.has_attr(attr):
                    name = _attr_field(spec, attr)
                    values[attr] = placeholder
                    shown = spec.choices_label(attr, placeholder)
                    if not any(i["field"] == name for i in issues):
                        issues.append(
                            warning(name, f"未填写{_attr_label(spec, attr)}，暂记为“{shown}”，请街道核实时确认")
                        )
            complete = {**spec.defaults, **values}
            flagged = {i["field"] for i in issues}
            missing = [
                a
                for a in spec.required_for_new
                if complete.get(a) in (None, "") and _attr_field(spec, a) not in flagged
            ]
            if missing and key:
                labels = "、".join(_attr_label(spec, a) for a in missing)
                # Point at the first blank cell the file has (A列“单位名称”), else at the key.
                blank = [_attr_field(spec, a) for a in missing]
                at = next((name for name in blank if name in ctx.field_columns), spec.key)
                issues.append(error(at, f"平台中没有此记录，新增需要填写：{labels}"))

        has_error = any(i["severity"] == "error" for i in issues)
        if has_error:
            status = RowStatus.ERROR
        elif before is None:
            status = RowStatus.NEW
        elif diff:
            status = RowStatus.CHANGED
        else:
            status = RowStatus.UNCHANGED
        staged.append(
            Staged(
                batch_id=ctx.batch.pk,
                row_number=row_number,
                key=key[:64],
                status=status,
                has_warning=any(i["severity"] == "warning" for i in issues),
                raw=[n.cell_text(c) for c in cells],
                values=values,
                diff=diff,
                issues=[_place(i, ctx) for i in issues],
                target_id=target_id,
                territory_id_hint=territory_hint,
            )
        )
    return staged


def _attr_field(spec: KindSpec, attr: str) -> str:
    if attr == "territory_id":
        return "district"
    spec_field = next((f for f in spec.fields if f.model_attr == attr), None)
    return spec_field.name if spec_field else attr


def _attr_label(spec: KindSpec, attr: str) -> str:
    if attr == "territory_id":
        return "属地"
    spec_field = next((f for f in spec.fields if f.model_attr == attr), None)
    if spec_field:
        return spec_field.label
    return str(spec.model._meta.get_field(attr.removesuffix("_id")).verbose_name)
