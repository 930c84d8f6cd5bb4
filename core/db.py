"""Database helpers that know nothing of the domain."""

from __future__ import annotations

from django.db import connection


def analyze() -> None:
    """Refresh PostgreSQL's planner statistics after a bulk load (a no-op elsewhere)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
