# The working-day calendar now lives in core (core.0001 adopts the table); only the state goes.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("grievances", "0003_default_taxonomy"),
        ("core", "0001_holiday"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Holiday")], database_operations=[]
        ),
    ]
