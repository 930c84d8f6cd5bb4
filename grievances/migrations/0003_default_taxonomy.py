from django.db import migrations


def install(apps, schema_editor):
    from grievances.taxonomy import install as run

    run(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("grievances", "0002_alter_grievanceevent_new_state_and_more")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
