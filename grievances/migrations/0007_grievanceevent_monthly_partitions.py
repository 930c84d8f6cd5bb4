"""The grievance timeline partitioned by month of ``at`` (PostgreSQL; SQLite keeps one table).

Every case writes five or more timeline lines, so at 13 cities this is the largest table; a
month partition keeps period reports and the upkeep of old months (VACUUM, an archive) to the
months they concern. ``partition_table`` (frozen in ``core/migrations/_partitioning_v1.py``) converts the table in place (rows, id
sequence, indexes, outgoing FKs kept; months from the oldest line to ``PARTITION_MONTHS_AHEAD``
ahead plus a DEFAULT partition). Nothing references the timeline and it has no unique index
besides its id, which becomes ``PRIMARY KEY (id, at)``; the identity sequence keeps ids unique.
"""

from django.db import migrations

from core.migrations._partitioning_v1 import partition_table, unpartition_table

TABLE, KEY = "grievances_grievanceevent", "at"


def forward(apps, schema_editor):
    partition_table(schema_editor, TABLE, KEY)


def backward(apps, schema_editor):
    unpartition_table(schema_editor, TABLE, KEY)


class Migration(migrations.Migration):
    dependencies = [("grievances", "0006_mediation")]

    operations = [migrations.RunPython(forward, backward)]
