"""Lookups of a chunk's records by key, shared by compare and apply."""

from __future__ import annotations

from django.db import connection


def key_in(queryset, attr: str, values):
    """``queryset`` narrowed to rows whose ``attr`` is one of ``values``.

    On PostgreSQL one array parameter (``= ANY(%s)``): a chunk's 2,000 keys as ``IN (%s, …)``
    cost more to compile (Django) and splice (the driver) than the index probes themselves."""
    values = list(values)
    if not values:
        return queryset.none()
    if connection.vendor != "postgresql":
        return queryset.filter(**{f"{attr}__in": values})
    model = queryset.model
    column = model._meta.get_field(attr).column
    q = connection.ops.quote_name
    return queryset.extra(where=[f"{q(model._meta.db_table)}.{q(column)} = ANY(%s)"], params=[values])
