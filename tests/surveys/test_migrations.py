"""The alias migrations are frozen copies: the specs must not gain an alias no migration seeds."""

from importlib import import_module
from pathlib import Path

from surveys.specs import default_aliases

SEEDING = (
    "surveys.migrations.0002_seed_header_aliases",
    "surveys.migrations.0003_seed_more_header_aliases",
    "surveys.migrations.0006_seed_industry_aliases",
)


def test_every_spec_alias_is_seeded_by_a_migration():
    seeded = [row for module in SEEDING for row in import_module(module).ALIASES]
    assert len(seeded) == len(set(seeded))
    assert set(seeded) == set(default_aliases()), "a new alias in surveys.specs needs a data migration"


def test_alias_migrations_import_no_live_app_code():
    for module in SEEDING:
        source = Path(import_module(module).__file__).read_text(encoding="utf-8")
        imports = [line for line in source.splitlines() if line.strip().startswith(("import ", "from "))]
        assert imports == ["from django.db import migrations"], module
