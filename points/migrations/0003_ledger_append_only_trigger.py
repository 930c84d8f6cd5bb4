"""The points ledger is append-only in the database itself.

``PointEntry.save``/``delete`` refuse edits, but a queryset ``update()``/``delete()``, a raw SQL
statement or a psql session would still change history. A trigger refusing UPDATE and DELETE on
the table closes those doors. TRUNCATE (test teardown, ``flush``) is not a row event and still
works; a real correction is a new 冲正 line.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION points_pointentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = '积分流水不可修改或删除，请以冲正流水更正',
        ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS points_pointentry_append_only ON points_pointentry;
CREATE TRIGGER points_pointentry_append_only
    BEFORE UPDATE OR DELETE ON points_pointentry
    FOR EACH ROW EXECUTE FUNCTION points_pointentry_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS points_pointentry_append_only ON points_pointentry;
DROP FUNCTION IF EXISTS points_pointentry_append_only();
"""
# SQLite (the developer default only) gets no trigger: Django empties SQLite tables between
# transactional tests with DELETE, which a row trigger would refuse. save()/delete() still guard.


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("points", "0002_homestation")]

    operations = [migrations.RunPython(forward, backward)]
