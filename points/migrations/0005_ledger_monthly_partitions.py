"""The points ledger partitioned by month of ``created_at`` (PostgreSQL; SQLite keeps one table).

At 13 cities the ledger holds tens of millions of lines; a month partition keeps a month's caps,
a period's leaderboard and the maintenance of old months (VACUUM, an archive) to the months they
concern. ``partition_table`` (frozen in ``core/migrations/_partitioning_v1.py``) converts the table in place: rows, id sequence,
checks, indexes, outgoing FKs and the append-only trigger kept; months from the oldest line to
``PARTITION_MONTHS_AHEAD`` ahead plus a DEFAULT partition, so an insert never fails.

What a partitioned table cannot have, and what replaces it:

* a FK pointing at ``id`` alone (the primary key becomes ``(id, created_at)``): lots, draws,
  reversals, redemptions, photo reports and task claims reference entries with ``db_constraint=False``. Entries
  are never deleted (the append-only trigger) and each referencing row is written in the same
  transaction as its entry, by the ledger service; tests/points/test_partitions.py checks it.
* a unique index without ``created_at``: the uniqueness of ``idempotency_key`` (one payment per
  source event; the fast award path relies on it) and of ``reverses`` (one reversal per entry) is
  kept in two side tables filled by a statement trigger on every INSERT into the ledger. A
  duplicate raises the same unique_violation (IntegrityError) as before, and a concurrent
  duplicate waits on the first one's uncommitted key exactly as on a unique index. ``entry_id``
  is unique there too, so ids stay unique across partitions. A TRUNCATE of the ledger (test
  teardown, ``flush``) empties them with it.
"""

import django.db.models.deletion
from django.db import migrations, models

from core.migrations._partitioning_v1 import MOVE_SETTING, partition_table, unpartition_table

TABLE, KEY = "points_pointentry", "created_at"

PG_FORWARD = f"""
CREATE TABLE points_pointentry_key (
    idempotency_key varchar(128) PRIMARY KEY,
    entry_id bigint NOT NULL UNIQUE
);
CREATE TABLE points_pointentry_reversal (
    reverses_id bigint PRIMARY KEY,
    entry_id bigint NOT NULL UNIQUE
);
INSERT INTO points_pointentry_key (idempotency_key, entry_id) SELECT idempotency_key, id FROM points_pointentry;
INSERT INTO points_pointentry_reversal (reverses_id, entry_id)
    SELECT reverses_id, id FROM points_pointentry WHERE reverses_id IS NOT NULL;

CREATE FUNCTION points_pointentry_unique() RETURNS trigger AS $$
BEGIN
    INSERT INTO points_pointentry_key (idempotency_key, entry_id) SELECT idempotency_key, id FROM new_rows;
    INSERT INTO points_pointentry_reversal (reverses_id, entry_id)
        SELECT reverses_id, id FROM new_rows WHERE reverses_id IS NOT NULL;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER points_pointentry_unique AFTER INSERT ON points_pointentry
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION points_pointentry_unique();

CREATE FUNCTION points_pointentry_truncate_unique() RETURNS trigger AS $$
BEGIN
    TRUNCATE points_pointentry_key, points_pointentry_reversal;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER points_pointentry_truncate_unique AFTER TRUNCATE ON points_pointentry
    FOR EACH STATEMENT EXECUTE FUNCTION points_pointentry_truncate_unique();

-- Append-only still, except for core.partitions moving a month's rows out of the DEFAULT
-- partition into the month's new partition (a transaction-local setting it alone sets).
CREATE OR REPLACE FUNCTION points_pointentry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('{MOVE_SETTING}', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION USING
        MESSAGE = '积分流水不可修改或删除，请以冲正流水更正',
        ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""

PG_BACKWARD = """
DROP TRIGGER IF EXISTS points_pointentry_unique ON points_pointentry;
DROP TRIGGER IF EXISTS points_pointentry_truncate_unique ON points_pointentry;
DROP FUNCTION IF EXISTS points_pointentry_unique();
DROP FUNCTION IF EXISTS points_pointentry_truncate_unique();
DROP TABLE IF EXISTS points_pointentry_key;
DROP TABLE IF EXISTS points_pointentry_reversal;
CREATE OR REPLACE FUNCTION points_pointentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = '积分流水不可修改或删除，请以冲正流水更正',
        ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    partition_table(schema_editor, TABLE, KEY)
    schema_editor.execute(PG_FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(PG_BACKWARD, params=None)
    unpartition_table(schema_editor, TABLE, KEY, unique_columns=("idempotency_key", "reverses_id"))


class Migration(migrations.Migration):
    dependencies = [("points", "0004_pointentry_list_order")]

    operations = [
        # First the FKs that point at the ledger's id go (a partitioned table's key is (id, month)).
        migrations.AlterField(
            model_name="lotdraw",
            name="entry",
            field=models.ForeignKey(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="draws",
                to="points.pointentry",
            ),
        ),
        migrations.AlterField(
            model_name="photoreport",
            name="entry",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="points.pointentry",
                verbose_name="积分流水",
            ),
        ),
        migrations.AlterField(
            model_name="pointentry",
            name="reverses",
            field=models.OneToOneField(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="reversed_by",
                to="points.pointentry",
                verbose_name="冲正的流水",
            ),
        ),
        migrations.AlterField(
            model_name="pointlot",
            name="entry",
            field=models.OneToOneField(
                db_constraint=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="lot",
                to="points.pointentry",
                verbose_name="入账流水",
            ),
        ),
        migrations.AlterField(
            model_name="redemption",
            name="debit_entry",
            field=models.OneToOneField(
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="redemption",
                to="points.pointentry",
                verbose_name="扣分流水",
            ),
        ),
        migrations.AlterField(
            model_name="redemption",
            name="refund_entry",
            field=models.OneToOneField(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="refunded_redemption",
                to="points.pointentry",
                verbose_name="退还流水",
            ),
        ),
        migrations.AlterField(
            model_name="taskclaim",
            name="entry",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="points.pointentry",
                verbose_name="积分流水",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]
