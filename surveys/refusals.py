"""The database's refusals of an apply, in the officer's words.

Apply writes a whole batch in one transaction; when the database refuses it (a key someone else
wrote meanwhile, a value a column cannot hold), nothing is written and the officer is told what
to do. The database's own message quotes the row, an ID number for people: it is never shown,
only the kind of refusal and the column's label."""

from __future__ import annotations

import re

from django.db import DatabaseError, DataError

from surveys.specs import SPECS


def _refusal(exc) -> tuple[str, str, str]:
    """(kind, table, column) of the database's refusal: kind is unique, not_null, check,
    foreign_key or "" when unknown. PostgreSQL says it in the error's fields, SQLite in its
    message ("NOT NULL constraint failed: organizations_unit.employee_count")."""
    cause = exc.__cause__
    diag = getattr(cause, "diag", None)
    if diag is not None:
        kinds = {"23505": "unique", "23502": "not_null", "23514": "check", "23503": "foreign_key"}
        column = diag.column_name or ""
        if not column and diag.constraint_name:
            column = diag.constraint_name  # "organizations_unit_employee_count_check": matched below
        return kinds.get(getattr(cause, "sqlstate", None), ""), diag.table_name or "", column
    message = str(cause or exc)
    for kind, words in (
        ("unique", "UNIQUE"),
        ("not_null", "NOT NULL"),
        ("check", "CHECK"),
        ("foreign_key", "FOREIGN KEY"),
    ):
        if message.startswith(f"{words} constraint failed"):
            # "…: organizations_unit.employee_count" or, for a CHECK, its expression
            # ('"employee_count" >= 0'): the column is named in what follows either way.
            named = message.partition(": ")[2].partition(",")[0]
            table, dot, column = named.partition(".")
            return (kind, table, column) if dot else (kind, "", named)
    return "", "", ""


def _column_of(table: str, column: str) -> str:
    """The label of the column the database named, never the value (an ID number for people)."""
    for spec in SPECS.values():
        meta = spec.model._meta
        if table and meta.db_table != table:
            continue
        for f in meta.concrete_fields:
            # The column itself, a constraint named after it, or an expression quoting it.
            if column and re.search(rf'(?:^|[_"\s]){re.escape(f.column)}(?:$|[_"\s])', column):
                return f"“{f.verbose_name}”"
    return "其中一列"


def refusal_message(exc: DatabaseError) -> str:
    """What to tell the officer when the database refused the batch's writes."""
    kind, table, column = _refusal(exc)
    if isinstance(exc, DataError):  # a value its column cannot hold (a count past 2,147,483,647)
        return f"{_column_of(table, column)}的值超出平台能保存的范围，本批次未写入任何数据；请更正后重新导入"
    if kind == "unique":
        return (
            "写入时平台中恰好有人新增了同一识别码的记录，本批次未写入任何数据；请重新点击“应用”，"
            "届时将更新该记录而不是重复新增"
        )
    if kind in ("not_null", "check"):
        return (
            f"{_column_of(table, column)}的值不符合平台要求（为空或超出范围），本批次未写入任何数据；请更正后重新导入"
        )
    if kind == "foreign_key":
        return "所引用的记录（如属地、党组织）在写入时已被删除，本批次未写入任何数据；请重新导入"
    return "写入时与平台中同时发生的修改冲突，本批次未写入任何数据，请稍后重新应用"
