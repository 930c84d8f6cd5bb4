"""The ledger's hand-written statements: the fast paths of an award and a redemption each write
in one round trip (``points.services.ledger._award_fast``, ``points.services.rewards._redeem_fast``)
what the ORM writes in 7 and 17 statements. Their invariants are the ledger's (see
``points.services.ledger``); this module only builds and runs the SQL.

PostgreSQL only (data-modifying CTEs, ``UPDATE … FROM … RETURNING``, several statements in one
query); the embedded SQLite default takes the locked ORM path.
"""

from __future__ import annotations

from django.db import DatabaseError, connection, models

from members.models import Person
from points.models import HomeStation, PointAccount, PointEntry


def account_update_sql(balance_condition: bool, territory_condition: bool = False) -> str:
    """The conditional balance change that also takes the account's row lock: only if the key is
    new (and, for a debit, the balance covers it; with ``territory_condition``, the person is
    placed under ``%(under)s``); returns what the entry needs to be written."""
    account, person, territory = (
        PointAccount._meta.db_table,
        Person._meta.db_table,
        Person._meta.get_field("territory").related_model._meta.db_table,
    )
    entry, home = PointEntry._meta.db_table, HomeStation._meta.db_table
    return (
        f"UPDATE {account} AS a SET balance = a.balance + %(delta)s, earned_total = a.earned_total + %(earned)s, "
        f"updated_at = %(at)s FROM {person} AS p JOIN {territory} AS t ON t.id = p.territory_id "
        f"WHERE a.person_id = p.id AND p.id = %(person)s "
        + ("AND a.balance >= -%(delta)s " if balance_condition else "")
        # tree paths are the tree's alphabet (0-9A-Z): nothing in them is a LIKE wildcard
        + ("AND t.path LIKE %(under)s || '%%' " if territory_condition else "")
        + f"AND NOT EXISTS (SELECT 1 FROM {entry} WHERE idempotency_key = %(key)s) "
        f"RETURNING a.id AS account_id, a.balance AS balance, a.earned_total AS earned_total, "
        f"t.path AS person_path, p.territory_id AS territory_id, "
        f"(SELECT h.station_id FROM {home} AS h WHERE h.person_id = p.id) AS home_station_id"
    )


# The fast paths' savepoint, sent in the same round trip as their statements (see ``run_fast``).
SAVEPOINT = "points_ledger_fast"


def run_fast(sql: str, params: dict, *, statements: int = 1) -> tuple | None:
    """Run ``sql`` (``statements`` statements; the last one's first row is returned, ``None`` if it
    has none) in ONE round trip, all or nothing. Inside a transaction the round trip carries a
    savepoint around them (``SAVEPOINT …; sql; RELEASE …``), and an error rolls back to it (a
    second round trip, only then) so the caller's transaction goes on; outside one, PostgreSQL runs
    a multi-statement query as one implicit transaction. The error is raised after the undo.

    PostgreSQL with client-side binding only (Django's default): the extended protocol takes one
    statement per message."""
    guarded = not connection.get_autocommit()
    with connection.cursor() as cursor:
        try:
            cursor.execute(f"SAVEPOINT {SAVEPOINT}; {sql}; RELEASE SAVEPOINT {SAVEPOINT}" if guarded else sql, params)
        except DatabaseError:
            if guarded:
                cursor.execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}; RELEASE SAVEPOINT {SAVEPOINT}")
            raise
        for _ in range(statements - 1 + guarded):
            cursor.nextset()
        return cursor.fetchone()


def insert_columns(instance, exprs: dict[str, str], prefix: str) -> tuple[str, str, dict]:
    """``instance``'s row as the column list and the SELECT list of an ``INSERT … SELECT`` (so a
    data-modifying statement can take some columns from other parts of it: ``exprs`` maps a
    column to SQL), with the values Django would save, as named parameters ``%(<prefix>N)s`` (so
    they mix with other named ones in the statement); the primary key is left out unless
    ``exprs`` names it. Every value is cast to its column's type.

    The shape (SQL text, fields) is worked out once per model and ``exprs``. Fields whose save
    preparation is the identity for a value of their type (integers, text, booleans, foreign key
    ids) are read as they are; the others (dates, JSON, …) go through ``pre_save`` and
    ``get_db_prep_save`` as the ORM's INSERT does — per field and per call, that preparation was
    the largest Python cost of the redemption's statement."""
    model = type(instance)
    key = (model, tuple(exprs.items()), prefix)
    shape = _INSERT_SHAPES.get(key)
    if shape is None:
        quote = connection.ops.quote_name
        fields = [f for f in model._meta.concrete_fields if f.column not in exprs and not f.primary_key]
        columns = [quote(c) for c in exprs] + [quote(f.column) for f in fields]
        values = list(exprs.values()) + [f"%({prefix}{i})s::{f.cast_db_type(connection)}" for i, f in enumerate(fields)]
        plain = [(f"{prefix}{i}", f.attname) for i, f in enumerate(fields) if _plain(f)]
        prepared = [(f"{prefix}{i}", f) for i, f in enumerate(fields) if not _plain(f)]
        shape = _INSERT_SHAPES[key] = (", ".join(columns), ", ".join(values), plain, prepared)
    columns, values, plain, prepared = shape
    params = {name: getattr(instance, attname) for name, attname in plain}
    for name, f in prepared:
        params[name] = f.get_db_prep_save(f.pre_save(instance, True), connection)
    return columns, values, params


# Field types whose ``get_db_prep_save`` returns a value of the right type unchanged (the SQL
# casts it to the column's type either way). Exact types: a subclass may prepare differently.
_PLAIN_TYPES = (
    models.IntegerField, models.PositiveIntegerField, models.PositiveSmallIntegerField, models.SmallIntegerField,
    models.BigIntegerField, models.PositiveBigIntegerField, models.CharField, models.TextField, models.BooleanField,
)  # fmt: skip


def _plain(field) -> bool:
    if type(field) in (models.ForeignKey, models.OneToOneField):
        return _plain(field.target_field) or isinstance(field.target_field, models.AutoField)
    return type(field) in _PLAIN_TYPES


# (model, columns given as SQL, prefix) -> the column list, the SELECT list, the fields as read and
# the fields prepared.
_INSERT_SHAPES: dict[tuple, tuple[str, str, list, list]] = {}
