"""The four steps on one batch: 取数 (read) → 比对 (compare) → 筛核 (screen) → 分解 (decompose).

Rows stream through in chunks: each chunk is parsed, its references and existing records are
fetched with one query per kind of lookup (by natural key), and the staged rows are written in
bulk (COPY on PostgreSQL). In-file duplicates are found afterwards in SQL, so nothing grows
with the file but the staging table.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from dataclasses import fields as fields_of
from itertools import islice

from django.db import connection, connections, transaction
from django.db.models import NOT_PROVIDED, Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone

from core.text import clean_text
from organizations.models import Territory
from surveys import normalize as n
from surveys.models import HeaderAlias, ImportBatch, RowStatus, StagedRow, VerificationTask
from surveys.readers import (
    HEADER_SEARCH_ROWS,
    Header,
    Table,
    UnreadableFile,
    find_header,
    header_key,
    skip_reason,
)
from surveys.specs import SPECS, KindSpec, error, jsonable, warning

logger = logging.getLogger(__name__)

CHUNK_ROWS = 2000


# --- territory resolution ---------------------------------------------------------------------


class TerritoryIndex:
    """Districts and streets by name and code, loaded once per batch (a few hundred rows)."""

    def __init__(self):
        L = Territory.Level
        self.steplen = Territory.steplen
        self.by_id: dict[int, dict] = {}
        self.by_code: dict[str, dict] = {}
        self.districts: dict[str, dict] = {}
        self.streets_by_name: dict[str, list[dict]] = {}
        rows = Territory.objects.filter(level__in=[L.CITY, L.DISTRICT, L.STREET]).values(
            "id", "code", "name", "path", "level"
        )
        self.city_names: list[str] = []
        self.by_path: dict[str, dict] = {}
        for row in rows:
            self.by_id[row["id"]] = row
            self.by_path[row["path"]] = row
            self.by_code[row["code"]] = row
            if row["level"] == L.CITY:
                self.city_names.append(row["name"])
            elif row["level"] == L.DISTRICT:
                for name in self._name_variants(row["name"], ("区", "县", "新区")):
                    self.districts.setdefault(name, row)
            else:
                for name in self._name_variants(row["name"], ("街道", "镇", "乡")):
                    self.streets_by_name.setdefault(name, []).append(row)

    @staticmethod
    def _name_variants(name: str, suffixes: tuple[str, ...]) -> set[str]:
        variants = {name}
        for suffix in suffixes:
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                variants.add(name[: -len(suffix)])
        return variants

    def _strip_city(self, text: str) -> str:
        for city in self.city_names:
            if text.startswith(city) and len(text) > len(city):
                return text[len(city) :]
        return text

    def get(self, territory_id: int) -> dict | None:
        if territory_id not in self.by_id:
            row = Territory.objects.filter(pk=territory_id).values("id", "code", "name", "path", "level").first()
            if row is None:
                return None
            self.by_id[territory_id] = row
        return self.by_id[territory_id]

    def district_of(self, territory_id: int) -> dict | None:
        row = self.get(territory_id)
        if row is None or len(row["path"]) < 2 * self.steplen:
            return None
        return self.by_path.get(row["path"][: 2 * self.steplen])

    def find_district(self, text: str) -> dict | None:
        key = "".join(clean_text(text).split())
        if key in self.by_code and self.by_code[key]["level"] == Territory.Level.DISTRICT:
            return self.by_code[key]
        key = self._strip_city(key)
        for variant in sorted(self._name_variants(key, ("区", "县", "新区")), key=len, reverse=True):
            if variant in self.districts:
                return self.districts[variant]
        return None

    def find_streets(self, text: str) -> list[dict]:
        key = "".join(clean_text(text).split())
        if key in self.by_code and self.by_code[key]["level"] == Territory.Level.STREET:
            return [self.by_code[key]]
        found = self.streets_by_name.get(key)
        if found:
            return found
        for variant in self._name_variants(key, ("街道", "镇", "乡")):
            if variant in self.streets_by_name:
                return self.streets_by_name[variant]
        return []

    def resolve(self, district_text, street_text) -> tuple[int | None, int | None, list[dict]]:
        """(record territory, task territory, issues) for a row's district and street cells."""
        issues: list[dict] = []
        district = None
        if district_text:
            district = self.find_district(district_text)
            if district is None:
                return None, None, [error("district", f"未知的区：“{district_text}”")]
        if not street_text:
            if district is None:
                return None, None, [error("district", "缺少所属区和街道，无法确定属地")]
            return district["id"], district["id"], issues
        streets = self.find_streets(street_text)
        if district is not None:
            inside = [s for s in streets if s["path"].startswith(district["path"])]
            if inside:
                return inside[0]["id"], inside[0]["id"], issues
            if streets:
                names = "、".join(
                    sorted({self.district_of(s["id"])["name"] for s in streets if self.district_of(s["id"])})
                )
                issues.append(
                    warning(
                        "street",
                        f"街道“{street_text}”不在{district['name']}（平台中属于{names}），暂按区级登记，请核实",
                    )
                )
            else:
                issues.append(
                    warning("street", f"{district['name']}没有名为“{street_text}”的街道，暂按区级登记，请核实")
                )
            return district["id"], district["id"], issues
        if len(streets) == 1:
            return streets[0]["id"], streets[0]["id"], issues
        if streets:
            return None, None, [error("street", f"街道“{street_text}”在多个区都有，请填写所属区")]
        return None, None, [error("street", f"未知的街道：“{street_text}”，且未填写所属区")]


# --- aliases ----------------------------------------------------------------------------------


def alias_map(spec: KindSpec) -> dict[str, str]:
    """header_key(text) → field name: the canonical labels plus the editable alias table."""
    active = {f.name for f in spec.active_fields}
    mapping: dict[str, str] = {}
    for alias, name in HeaderAlias.objects.filter(Q(kind=spec.kind) | Q(kind="")).values_list("alias", "field"):
        if name in active:
            mapping.setdefault(header_key(alias), name)
    for f in spec.active_fields:
        mapping[header_key(f.label)] = f.name
    return mapping


# --- the row processor ------------------------------------------------------------------------


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
        self.columns = [(col, name, self.spec.field(name)) for col, name in self.header.columns.items()]
        self._labels: dict[tuple[str, int], str] = {}

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
    parsed_rows: list[tuple[int, list, dict, list]] = []
    for row_number, cells in chunk:
        parsed: dict = {}
        issues: list[dict] = []
        width = len(cells)
        for col, name, spec_field in ctx.columns:
            raw = cells[col] if col < width else None
            value, err = spec_field.parse(raw)
            if err:
                issues.append(error(name, err))
                continue
            if value is not None and spec_field.max_length and len(str(value)) > spec_field.max_length:
                issues.append(error(name, f"超过{spec_field.max_length}个字"))
                continue
            parsed[name] = value
        parsed_rows.append((row_number, cells, parsed, issues))

    # References to other records: one query per referenced kind for the whole chunk.
    ref_ids: dict[str, dict[str, int]] = {}
    for spec_field in spec.active_fields:
        if spec_field.ref and spec_field.name in ctx.present:
            codes = {p[spec_field.name] for _, _, p, _ in parsed_rows if p.get(spec_field.name)}
            if codes:
                from django.apps import apps

                model = apps.get_model(spec_field.ref[0])
                lookup = spec_field.ref[1]
                ref_ids[spec_field.name] = dict(
                    model._default_manager.filter(**{f"{lookup}__in": codes}).values_list(lookup, "pk")
                )

    keys = {p[spec.key] for _, _, p, _ in parsed_rows if p.get(spec.key)}
    placing = f"{spec.territory_path}_id"
    fetch = ["pk", spec.key_attr, *{a for a in (*ctx.attrs, placing) if a != spec.key_attr}]
    existing = {
        row[spec.key_attr]: row
        for row in spec.model._default_manager.filter(**{f"{spec.key_attr}__in": keys}).values(*fetch)
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
        for spec_field in spec.active_fields:
            attr = spec_field.model_attr
            if attr is None or spec_field.name not in parsed:
                continue
            value = parsed[spec_field.name]
            if spec_field.ref:
                found = ref_ids.get(spec_field.name, {}).get(value)
                if found is None:
                    message = (
                        f"平台中没有编码为“{value}”的{spec_field.label.removesuffix('编码').removesuffix('信用代码')}"
                    )
                    issues.append((error if spec_field.ref_missing == "error" else warning)(spec_field.name, message))
                    continue
                value = found
            values[attr] = jsonable(value)

        territory_hint = None
        if {"district", "street"} & ctx.present:
            territory_id, territory_hint, found_issues = ctx.territories.resolve(
                parsed.get("district"), parsed.get("street")
            )
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
            before_territory = before.get(placing)
            held = ctx.territories.get(before_territory) if before_territory else None
            if held and not held["path"].startswith(ctx.scope_path):
                issues.append(
                    error(spec.key, f"该记录现属{held['name']}，不在本批次的辖区（{ctx.batch.territory.name}）内")
                )
            if territory_hint is None and held:
                territory_hint = held["id"]
            for attr in ctx.attrs:
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
            complete = {**spec.defaults, **values}
            flagged = {i["field"] for i in issues}
            missing = [
                a
                for a in spec.required_for_new
                if complete.get(a) in (None, "") and _attr_field(spec, a) not in flagged
            ]
            if missing and key:
                labels = "、".join(_attr_label(spec, a) for a in missing)
                issues.append(error(spec.key, f"平台中没有此记录，新增需要填写：{labels}"))

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


# --- staging ----------------------------------------------------------------------------------

_STAGE_COLUMNS = (
    "batch_id",
    "row_number",
    "key",
    "status",
    "has_warning",
    "raw",
    "values",
    "diff",
    "issues",
    "target_id",
    "territory_id_hint",
    "first_row",
    "applied",
)


def copy_rows(model, columns: tuple[str, ...], tuples) -> None:
    """COPY plain tuples into ``model``'s table (PostgreSQL). JSON columns must be passed as text."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for values in tuples:
            copy.write_row(values)


# Field types whose Python values psycopg adapts as they are (COPY casts text to the column type).
_AS_IS = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "DecimalField",
    "EmailField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
    "URLField",
}


def insert_new(model, rows: list[dict]) -> list[int]:
    """Create ``model`` records from dicts of attribute values; returns their ids in order.

    On PostgreSQL one COPY, the ids drawn from the table's own sequence first: no model instance
    per row, no multi-row INSERT for Django to build and the server to parse. Elsewhere
    ``bulk_create``. Either way, like ``bulk_create``: no ``save()`` and no signals."""
    if not rows:
        return []
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    if connection.vendor != "postgresql" or any(f.db_default is not NOT_PROVIDED for f in fields):
        objs = [model(**data) for data in rows]
        model._default_manager.bulk_create(objs, batch_size=500)
        return [obj.pk for obj in objs]
    db = connections[model._default_manager.db]
    known = {f.attname for f in fields}
    now = timezone.now()
    stamped = {f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)}
    # A callable default (uuid4, dict) gives each row its own value; the others are prepared once.
    per_row = {f.attname for f in fields if f.has_default() and callable(f.default) and f.attname not in stamped}
    defaults = {
        f.attname: f.get_db_prep_save(now if f.attname in stamped else f.get_default(), db)
        for f in fields
        if f.attname not in per_row
    }
    as_is = {f.attname for f in fields if f.get_internal_type() in _AS_IS}
    by_attname = {f.attname: f for f in fields}
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]

    def values(pk: int, data: dict) -> list:
        unknown = data.keys() - known
        if unknown:
            raise TypeError(f"{meta.object_name} has no field {', '.join(sorted(unknown))}")
        out = [pk]
        for attname in by_attname:
            if attname in stamped or attname not in data:
                field = by_attname[attname]
                out.append(field.get_db_prep_save(field.get_default(), db) if attname in per_row else defaults[attname])
            elif attname in as_is:
                out.append(data[attname])
            else:
                out.append(by_attname[attname].get_db_prep_save(data[attname], db))
        return out

    columns = (meta.pk.column, *(f.column for f in fields))
    copy_rows(model, columns, (values(pk, data) for pk, data in zip(ids, rows, strict=True)))
    return ids


def stage(rows: list[Staged]) -> None:
    """Write staged rows: COPY on PostgreSQL (several times faster than INSERT for wide JSON
    rows), bulk_create elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(StagedRow._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(c) for c in _STAGE_COLUMNS)
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(
                    (
                        row.batch_id,
                        row.row_number,
                        row.key,
                        row.status,
                        row.has_warning,
                        json.dumps(row.raw, ensure_ascii=False),
                        json.dumps(row.values, ensure_ascii=False),
                        json.dumps(row.diff, ensure_ascii=False),
                        json.dumps(row.issues, ensure_ascii=False),
                        row.target_id,
                        row.territory_id_hint,
                        row.first_row,
                        row.applied,
                    )
                )
    else:
        fields = [f.name for f in fields_of(Staged)]
        StagedRow.objects.bulk_create(
            [StagedRow(**{name: getattr(row, name) for name in fields}) for row in rows], batch_size=500
        )


# --- the run ----------------------------------------------------------------------------------


def _chain(first: Iterable, rest: Iterator) -> Iterator:
    yield from first
    yield from rest


def read_header(table: Table, spec: KindSpec) -> tuple[Header, Iterator[tuple[int, list]]]:
    rows = table.rows()
    buffered = list(islice(rows, HEADER_SEARCH_ROWS))
    header_and_start = find_header(buffered, alias_map(spec))
    if header_and_start is None:
        labels = "、".join(f.label for f in spec.active_fields[:4])
        raise UnreadableFile(f"在前{HEADER_SEARCH_ROWS}行中找不到表头（应包含如 {labels} 等列）")
    header, start = header_and_start
    if spec.key not in header.columns.values():
        raise UnreadableFile(f"第{header.row_number}行的表头中没有“{spec.field(spec.key).label}”列，无法比对")
    data = (row for row in _chain(buffered[start:], rows) if skip_reason(row[1]) is None)
    return header, data


def run(batch: ImportBatch, path, *, progress: bool = True) -> ImportBatch:
    """Read, compare, screen and decompose ``batch`` from the file at ``path``."""
    from surveys.readers import open_table

    spec = SPECS[batch.kind]
    table = open_table(path)
    header, data = read_header(table, spec)
    batch.file_format = table.format
    batch.encoding = table.encoding
    batch.sheet = table.sheet
    batch.header_row = header.row_number
    batch.columns = [
        {"index": col, "letter": table.letter(col), "title": header.titles[col], "field": header.columns.get(col, "")}
        for col in sorted(header.titles)
    ]
    batch.save(update_fields=["file_format", "encoding", "sheet", "header_row", "columns"])
    ctx = Context(spec=spec, batch=batch, header=header, letters=table.letter)
    total = max(table.total_rows - header.row_number, 1)
    done = 0
    while True:
        chunk = list(islice(data, CHUNK_ROWS))
        if not chunk:
            break
        staged = process_chunk(ctx, chunk)
        with transaction.atomic():
            stage(staged)
        done = chunk[-1][0] - header.row_number
        if progress:
            ImportBatch.objects.filter(pk=batch.pk).update(progress=min(95, int(done * 95 / total)))
    # The staging table just grew by the whole file: plan what follows with true statistics.
    analyze(StagedRow)
    with transaction.atomic():
        flag_duplicates(batch)
        decompose(batch)
        analyze(VerificationTask)
        batch.counts = count_rows(batch)
        batch.status = ImportBatch.Status.REVIEW
        batch.progress = 100
        batch.finished_at = timezone.now()
        batch.save(update_fields=["counts", "status", "progress", "finished_at"])
    return batch


def analyze(model) -> None:
    """Refresh the planner's statistics of a table that a batch has just filled (PostgreSQL).

    Without it the plans of the next statements rest on the table as it was before the file,
    typically empty, and a join planned for a handful of rows runs over a whole file."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def flag_duplicates(batch: ImportBatch) -> None:
    """In-file duplicates by natural key, in SQL: each later row is flagged against the first.

    Only the duplicates are written (an index probe per row finds them): rewriting every staged
    row would double the table for a column that stays empty in almost all of them."""
    first = StagedRow.objects.filter(batch=batch, key=OuterRef("key")).order_by("row_number").values("row_number")[:1]
    earlier = StagedRow.objects.filter(batch=batch, key=OuterRef("key"), row_number__lt=OuterRef("row_number"))
    StagedRow.objects.filter(batch=batch).exclude(key="").filter(Exists(earlier)).update(first_row=Subquery(first))
    duplicates = StagedRow.objects.filter(batch=batch, first_row__isnull=False).order_by("row_number")
    label = SPECS[batch.kind].field(SPECS[batch.kind].key).label
    key_column = next((c for c in batch.columns if c["field"] == SPECS[batch.kind].key), {})
    pending: list[StagedRow] = []
    for row in duplicates.only("pk", "row_number", "first_row", "issues", "status").iterator(chunk_size=CHUNK_ROWS):
        row.status = RowStatus.DUPLICATE
        row.issues = [
            *row.issues,
            {
                "field": SPECS[batch.kind].key,
                "column": key_column.get("title", label),
                "letter": key_column.get("letter", ""),
                "message": f"与第{row.first_row}行的{label}重复",
                "severity": "duplicate",
            },
        ]
        pending.append(row)
        if len(pending) >= CHUNK_ROWS:
            StagedRow.objects.bulk_update(pending, ["status", "issues"])
            pending = []
    if pending:
        StagedRow.objects.bulk_update(pending, ["status", "issues"])


def decompose(batch: ImportBatch) -> None:
    """分解: each new or changed row becomes a verification task for the responsible street.

    One INSERT … SELECT: the tasks never pass through Python. A row that has its task already
    keeps it (ON CONFLICT on the one-task-per-row key), which costs one index probe per row where
    an anti-join against the task table could be planned as a scan of it per row."""
    task_table = VerificationTask._meta.db_table
    row_table = StagedRow._meta.db_table
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {q(task_table)} ({q('batch_id')}, {q('row_id')}, {q('territory_id')}, {q('status')}, "
            f"{q('note')}, {q('created_at')}) "
            f"SELECT r.{q('batch_id')}, r.{q('id')}, r.{q('territory_id_hint')}, %s, '', %s FROM {q(row_table)} r "
            f"WHERE r.{q('batch_id')} = %s AND r.{q('status')} IN (%s, %s) AND r.{q('territory_id_hint')} IS NOT NULL "
            f"ON CONFLICT ({q('row_id')}) DO NOTHING",
            [
                VerificationTask.Status.PENDING,
                connection.ops.adapt_datetimefield_value(timezone.now()),
                batch.pk,
                RowStatus.NEW,
                RowStatus.CHANGED,
            ],
        )


def count_rows(batch: ImportBatch) -> dict:
    by_status = dict(
        StagedRow.objects.filter(batch=batch).values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    counts = {status: by_status.get(status, 0) for status in RowStatus.values}
    counts["rows"] = sum(by_status.values())
    counts["warnings"] = StagedRow.objects.filter(batch=batch, has_warning=True).exclude(status=RowStatus.ERROR).count()
    counts["flagged"] = StagedRow.objects.filter(
        Q(has_warning=True) | Q(status__in=[RowStatus.ERROR, RowStatus.DUPLICATE]), batch=batch
    ).count()
    counts["missing"] = missing_from_source(batch).count() if batch.full_list else 0
    counts.setdefault("created", 0)
    counts.setdefault("updated", 0)
    counts.update({k: v for k, v in (batch.counts or {}).items() if k in ("created", "updated")})
    return counts


def missing_from_source(batch: ImportBatch):
    """Records the portal holds in the batch's territory whose key the (full) file lacks."""
    spec = SPECS[batch.kind]
    return (
        spec.model._default_manager.filter(**{f"{spec.territory_path}__path__startswith": batch.territory.path})
        .exclude(**{f"{spec.key_attr}__isnull": True})
        .exclude(**{f"{spec.key_attr}__in": StagedRow.objects.filter(batch=batch).values("key")})
        .order_by(spec.key_attr)
    )
