from django.db import migrations


class Migration(migrations.Migration):
    """The home station is a link between two apps of one floor, so it moved up to
    ``points.HomeStation``; that migration copied the column's values before this drops it."""

    dependencies = [
        ("members", "0003_developmentquota_developmentrecord_duespayment_and_more"),
        ("points", "0002_homestation"),
    ]

    operations = [
        migrations.RemoveField(model_name="person", name="home_station"),
    ]
