"""Ticket numbers from a PostgreSQL sequence per day instead of a counter row held locked until
the intake commits (which serialised every intake of the day). See ``next_ticket``."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION grievance_next_ticket(d date) RETURNS bigint AS $$
DECLARE
    seq text := 'grievance_ticket_' || to_char(d, 'YYYYMMDD');
BEGIN
    RETURN nextval(seq);
EXCEPTION WHEN undefined_table THEN
    BEGIN
        EXECUTE 'CREATE SEQUENCE IF NOT EXISTS ' || quote_ident(seq);
    EXCEPTION WHEN unique_violation OR duplicate_table THEN
        NULL;  -- the day's first intakes raced to create it: one did
    END;
    RETURN nextval(seq);
END
$$ LANGUAGE plpgsql;
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS grievance_next_ticket(date)")


class Migration(migrations.Migration):
    dependencies = [("grievances", "0004_holiday_moves_to_core")]

    operations = [migrations.RunPython(create, drop)]
