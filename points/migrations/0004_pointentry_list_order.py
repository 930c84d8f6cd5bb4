from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("points", "0003_ledger_append_only_trigger"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="pointentry",
            index=models.Index(fields=["-created_at", "-id"], name="pointentry_list_order"),
        ),
    ]
