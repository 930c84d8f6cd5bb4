import django.db.models.deletion
from django.db import migrations, models


def copy_from_person(apps, schema_editor):
    """Person.home_station (a column of members) becomes one HomeStation row per person."""
    Person = apps.get_model("members", "Person")
    HomeStation = apps.get_model("points", "HomeStation")
    links = Person.objects.filter(home_station__isnull=False).values_list("pk", "home_station_id")
    HomeStation.objects.bulk_create(
        (HomeStation(person_id=pk, station_id=station_id) for pk, station_id in links.iterator()), batch_size=5000
    )


def copy_to_person(apps, schema_editor):
    Person = apps.get_model("members", "Person")
    HomeStation = apps.get_model("points", "HomeStation")
    for link in HomeStation.objects.all().iterator():
        Person.objects.filter(pk=link.person_id).update(home_station_id=link.station_id)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0003_developmentquota_developmentrecord_duespayment_and_more"),
        ("points", "0001_initial"),
        ("stations", "0003_default_catalogue"),
    ]

    operations = [
        migrations.CreateModel(
            name="HomeStation",
            fields=[
                (
                    "person",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="home_station_link",
                        serialize=False,
                        to="members.person",
                        verbose_name="人员",
                    ),
                ),
                (
                    "station",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="regulars",
                        to="stations.station",
                        verbose_name="常驻驿站",
                    ),
                ),
            ],
            options={"verbose_name": "常驻驿站", "verbose_name_plural": "常驻驿站"},
        ),
        migrations.RunPython(copy_from_person, copy_to_person, elidable=False),
    ]
