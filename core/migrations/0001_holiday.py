# The calendar moves from grievances to the ground floor. The table stays where it is in this
# step (the state alone moves); 0002 then gives it core's name.
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("grievances", "0003_default_taxonomy")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Holiday",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("date", models.DateField(unique=True, verbose_name="日期")),
                        ("name", models.CharField(max_length=32, verbose_name="名称")),
                        (
                            "is_workday",
                            models.BooleanField(
                                default=False, help_text="勾选表示该日虽是周末但需上班", verbose_name="调休上班"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "节假日",
                        "verbose_name_plural": "节假日",
                        "ordering": ["date"],
                        "db_table": "grievances_holiday",
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="holiday", table=None),
    ]
