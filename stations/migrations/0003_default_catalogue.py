from django.db import migrations

from stations.catalogue import ensure_catalogue


def forwards(apps, schema_editor):
    ensure_catalogue(apps.get_model("stations", "Service"), apps.get_model("stations", "InspectionItem"))


class Migration(migrations.Migration):
    dependencies = [("stations", "0002_inspectionitem_service_visit_station_compliant_and_more")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
