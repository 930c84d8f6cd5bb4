from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("points", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="pointentry",
            index=models.Index(fields=["-created_at", "-id"], name="pointentry_list_order"),
        ),
    ]
