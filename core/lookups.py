"""Lookups the ORM lacks. Registered on every field when this module is imported."""

from __future__ import annotations

from django.db.models import Field, ForeignObject
from django.db.models.fields.related_lookups import RelatedIn
from django.db.models.lookups import In


class _AnyArray:
    """``col = ANY(ARRAY(SELECT …))`` on PostgreSQL when the values are a subquery."""

    lookup_name = "any_of"

    def as_postgresql(self, compiler, connection):
        if self.rhs_is_direct_value():
            return self.as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


@Field.register_lookup
class AnyOf(_AnyArray, In):
    """``field__any_of=<queryset>``: the same rows as ``field__in``, written so an index can serve
    the condition inside an ``OR``.

    PostgreSQL answers ``col IN (SELECT …)`` with a semi-join, or, under an ``OR``, with a hashed
    subplan probed row by row over the whole table: no index helps. ``col = ANY(ARRAY(SELECT …))``
    runs the subquery once and is an index condition, so an ``OR`` of such conditions becomes a
    ``BitmapOr`` of index scans. Elsewhere (SQLite) it is plain ``IN``.
    """


@ForeignObject.register_lookup
class RelatedAnyOf(_AnyArray, RelatedIn):
    """``any_of`` on a foreign key (related fields keep lookups of their own)."""
