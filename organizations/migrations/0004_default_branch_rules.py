from django.db import migrations


def add_default_rules(apps, schema_editor):
    from organizations.rules import DEFAULT_RULES

    BranchRule = apps.get_model("organizations", "BranchRule")
    existing = set(BranchRule.objects.values_list("code", flat=True))
    BranchRule.objects.bulk_create(
        BranchRule(
            code=code, name=name, threshold=threshold, severity=severity, message=message, basis=basis, sort_order=i
        )
        for i, (code, name, threshold, severity, message, basis) in enumerate(DEFAULT_RULES)
        if code not in existing
    )


class Migration(migrations.Migration):
    dependencies = [("organizations", "0003_units_orgs_rules_meetings")]

    operations = [migrations.RunPython(add_default_rules, migrations.RunPython.noop)]
