"""Downloadable templates (导入模板): one workbook per kind, built from the same ``KindSpec`` the
pipeline reads, so the columns, header aliases and allowed values it lists are the ones accepted.

Sheet 1 (填写) is the header row to fill under; sheet 2 (填写说明) lists per column the header
variants recognised (built-in and the editable alias table), whether a new record needs it, and
the allowed values with the other words understood for them (e.g. 快递 for 快递物流)."""

from __future__ import annotations

import tempfile

from django.db.models import Q
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from surveys.models import HeaderAlias
from surveys.specs import SPECS, KindSpec

_BOLD = Font(bold=True)
_FILL = PatternFill("solid", fgColor="FDE9D9")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _aliases(spec: KindSpec) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for alias, name in HeaderAlias.objects.filter(Q(kind=spec.kind) | Q(kind="")).values_list("alias", "field"):
        found.setdefault(name, []).append(alias)
    return found


def _required(spec: KindSpec, name: str) -> str:
    spec_field = spec.field(name)
    if name == spec.key:
        return "必填（识别码）"
    if name in ("district", "street") and "territory_id" in spec.required_for_new:
        return "新增时区或街道至少填一项（未填时按批次辖区登记）"
    if spec_field.model_attr in spec.required_for_new:
        return "新增时必填"
    if spec_field.model_attr in spec.placeholders:
        return "建议填写（未填时暂记为“其他”，由街道核实）"
    return "选填"


def _allowed(spec_field) -> str:
    choice = spec_field.choice
    if choice is None:
        if spec_field.name == "industry_code":
            return "GB/T 4754-2017 门类字母或两位大类代码，如 G、60；也可填大类名称，如 邮政业"
        return ""
    labels = "、".join(choice.choices().values())
    synonyms: dict[str, list[str]] = {}
    for word, value in choice.synonyms().items():
        synonyms.setdefault(choice.choices().get(value, value), []).append(word)
    extra = "；".join(f"{label}：{'、'.join(words)}" for label, words in synonyms.items())
    text = f"可选：{labels}"
    if extra:
        text += f"\n也可写作——{extra}"
    if spec_field.name == "industry":
        text += "\n也可填 GB/T 4754-2017 门类或大类的代码、名称（如 G60、道路运输业）"
    return text


def build_template(kind: str) -> tempfile.SpooledTemporaryFile:
    spec = SPECS[kind]
    aliases = _aliases(spec)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "填写"
    fields = spec.active_fields
    sheet.append([f.label for f in fields])
    for col, spec_field in enumerate(fields, start=1):
        cell = sheet.cell(row=1, column=col)
        cell.font = _BOLD
        if _required(spec, spec_field.name).startswith("必填"):
            cell.fill = _FILL
        sheet.column_dimensions[cell.column_letter].width = max(12, len(spec_field.label) * 2 + 4)
        # Codes typed into a number cell lose digits (ID numbers, credit codes): text format.
        sheet.column_dimensions[cell.column_letter].number_format = "@"
    notes = workbook.create_sheet("填写说明")
    notes.append([f"{spec.label}导入模板：在“填写”表第1行下逐行填写；表头上方可保留标题行，列的顺序不限。"])
    notes.append(["列名", "也可识别的表头", "是否必填", "允许的取值"])
    for cell in notes[2]:
        cell.font = _BOLD
    for spec_field in fields:
        words = sorted({*spec_field.aliases, *aliases.get(spec_field.name, [])} - {spec_field.label})
        notes.append([spec_field.label, "、".join(words), _required(spec, spec_field.name), _allowed(spec_field)])
    for letter, width in zip("ABCD", (16, 40, 24, 70), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=3):
        for cell in row:
            cell.alignment = _WRAP
    out = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115 - the response closes it
    workbook.save(out)
    out.seek(0)
    return out
