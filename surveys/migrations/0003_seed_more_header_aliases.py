"""Aliases of the unit, person and station columns that arrived with the extended models."""

from django.db import migrations


def seed(apps, schema_editor):
    from surveys.specs import default_aliases

    HeaderAlias = apps.get_model("surveys", "HeaderAlias")
    for kind, alias, field in default_aliases():
        HeaderAlias.objects.get_or_create(kind=kind, alias=alias, defaults={"field": field})


class Migration(migrations.Migration):
    dependencies = [("surveys", "0002_seed_header_aliases")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
