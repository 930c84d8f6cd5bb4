"""Aliases of the unit columns that arrived with the extended models (size and the honour flags)."""

from django.db import migrations

# (kind, alias, field), frozen: only the aliases added to ``surveys.specs`` since 0002.
ALIASES = (
    ("units", "企业规模", "size"),
    ("units", "单位规模", "size"),
    ("units", "是否民营企业500强", "is_private_top500"),
    ("units", "是否互联网企业100强", "is_internet_top100"),
    ("units", "专精特新“小巨人”", "is_little_giant"),
    ("units", "是否专精特新小巨人", "is_little_giant"),
    ("units", "小巨人", "is_little_giant"),
)


def seed(apps, schema_editor):
    HeaderAlias = apps.get_model("surveys", "HeaderAlias")
    for kind, alias, field in ALIASES:
        HeaderAlias.objects.get_or_create(kind=kind, alias=alias, defaults={"field": field})


class Migration(migrations.Migration):
    dependencies = [("surveys", "0002_seed_header_aliases")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
