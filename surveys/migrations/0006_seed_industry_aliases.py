"""Header aliases of the industry columns (所属行业 as departments title it, and the GB/T code)."""

from django.db import migrations

# (kind, alias, field), frozen: only the aliases added to ``surveys.specs`` since 0003.
ALIASES = (
    ("units", "行业门类", "industry"),
    ("units", "所属行业门类", "industry"),
    ("units", "国民经济行业", "industry"),
    ("units", "国民经济行业代码", "industry_code"),
    ("units", "行业分类代码", "industry_code"),
    ("units", "行业大类代码", "industry_code"),
    ("units", "GB/T4754代码", "industry_code"),
)


def seed(apps, schema_editor):
    HeaderAlias = apps.get_model("surveys", "HeaderAlias")
    for kind, alias, field in ALIASES:
        HeaderAlias.objects.get_or_create(kind=kind, alias=alias, defaults={"field": field})


class Migration(migrations.Migration):
    dependencies = [("surveys", "0005_value_mapping_default_territory")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
