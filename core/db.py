"""Database helpers that know nothing of the domain."""

from __future__ import annotations

from django.db import connection


def analyze() -> None:
    """Refresh PostgreSQL's planner statistics after a bulk load (a no-op elsewhere)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


class ModelColumns:
    """The concrete columns of ``model`` under table alias ``alias`` in a hand-written statement,
    and the instances built back from them as the ORM would build them (its database converters:
    SQLite's booleans, dates and decimals; the same ``from_db``). For a statement run on every
    request whose SQL is written once per process instead of compiled by the ORM each time."""

    def __init__(self, model, alias: str):
        self.model = model
        self.alias = alias
        self.fields = list(model._meta.concrete_fields)
        self.names = [field.attname for field in self.fields]

    def __len__(self) -> int:
        return len(self.fields)

    def select(self, connection) -> str:
        qn = connection.ops.quote_name
        return ", ".join(f"{qn(self.alias)}.{qn(field.column)}" for field in self.fields)

    def _converters(self, connection) -> list[tuple[int, list, object]]:
        cached = getattr(self, "_by_vendor", {})
        if connection.vendor not in cached:
            converters = []
            for index, field in enumerate(self.fields):
                col = field.get_col(self.alias)
                found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                if found:
                    converters.append((index, found, col))
            cached[connection.vendor] = converters
            self._by_vendor = cached
        return cached[connection.vendor]

    def build(self, values, connection):
        """An instance from this model's slice of a row (``values``, in ``names`` order)."""
        values = list(values)
        for index, converters, col in self._converters(connection):
            for converter in converters:
                values[index] = converter(values[index], col, connection)
        return self.model.from_db(connection.alias, self.names, values)
