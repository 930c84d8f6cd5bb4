"""The floors of the house, read from the source: no import runs upward or sideways, no module
outgrows its limit, and no model points at a model on its own floor or above by a string.

The imports are parsed (``ast``), not executed, so a lazy import inside a function counts the
same as one at the top of a module: a dependency is a dependency wherever it is written.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Bottom floor first. A package may import packages on lower floors only.
FLOORS: dict[str, int] = {
    "core": 0,
    "organizations": 1,
    "members": 2,
    "stations": 2,
    "cobuild": 2,
    "grievances": 3,
    "points": 3,
    "training": 3,
    "friendly": 3,
    "cadence": 4,
    "surveys": 4,
    "volunteers": 4,
    "assessment": 4,
    "portal": 5,
}
# Developer tooling (benchmarks, scale data) may read everything; nothing may read it.
TOOLING = {"devtools"}
MAX_LINES = 600


def our_packages() -> list[str]:
    return sorted(p.parent.name for p in ROOT.glob("*/apps.py"))


def python_files(package: str):
    for path in sorted((ROOT / package).rglob("*.py")):
        if "__pycache__" not in path.parts:
            yield path


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_every_app_has_a_floor():
    unplaced = [p for p in our_packages() if p not in FLOORS and p not in TOOLING]
    assert not unplaced, f"give these apps a floor in FLOORS: {unplaced}"


def arrows() -> list[tuple[str, str, str]]:
    """(module, its package, the package it imports) for every arrow that breaks the floors."""
    bad = []
    known = set(FLOORS) | TOOLING
    for package in FLOORS:
        for path in python_files(package):
            for target in imported_packages(path) & known:
                if target == package:
                    continue
                if target in TOOLING or FLOORS[target] >= FLOORS[package]:
                    bad.append((str(path.relative_to(ROOT)), package, target))
    return bad


def test_no_import_runs_upward_or_sideways():
    assert arrows() == []


RELATION_FIELDS = {"ForeignKey", "OneToOneField", "ManyToManyField"}


def string_relations(path: Path) -> list[str]:
    """Labels like "stations.Station" given to a relation field in ``path``."""
    labels = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
        if name not in RELATION_FIELDS:
            continue
        args = list(node.args[:1]) + [k.value for k in node.keywords if k.arg == "to"]
        for arg in args:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and "." in arg.value:
                labels.append(arg.value)
    return labels


def test_no_model_points_sideways_or_upward_by_name():
    bad = []
    for package in FLOORS:
        for path in python_files(package):
            if "migrations" in path.parts:
                continue  # migrations describe the state the models give them
            for label in string_relations(path):
                target = label.split(".")[0]
                if target in FLOORS and target != package and FLOORS[target] >= FLOORS[package]:
                    bad.append((str(path.relative_to(ROOT)), label))
    assert bad == []


@pytest.mark.parametrize("package", sorted(set(FLOORS) | TOOLING))
def test_no_module_over_the_limit(package):
    long = {
        str(path.relative_to(ROOT)): n
        for path in python_files(package)
        if "migrations" not in path.parts and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}, f"cut these along a domain line (over {MAX_LINES} lines): {long}"


def test_the_checker_sees_an_upward_arrow(tmp_path, monkeypatch):
    """The walk really reads imports: a planted upward import in a copy is reported."""
    planted = tmp_path / "organizations" / "planted.py"
    planted.parent.mkdir()
    planted.write_text("def f():\n    from members.models import Person\n", encoding="utf-8")
    assert "members" in imported_packages(planted)
    assert string_relations(_write(tmp_path, 'x = models.ForeignKey("stations.Station", on_delete=None)\n')) == [
        "stations.Station"
    ]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "m.py"
    path.write_text(text, encoding="utf-8")
    return path


def data_imports(path: Path) -> set[str]:
    """Our packages a migration takes code or data from. The ``import app.module`` lines that
    makemigrations writes to reference a field's validator or upload path are references by
    name, not data, and are allowed; ``from app import ...`` and imports inside functions
    (RunPython) are not. A frozen copy kept in a migrations package (``app.migrations._name``,
    which the migration loader skips) is part of the past, and this same check keeps it frozen."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if re.fullmatch(r"\w+\.migrations\._\w+", node.module):
                continue
            found.add(node.module.split(".")[0])
    for func in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        for node in ast.walk(func):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
    return found


def test_migrations_are_frozen():
    """A migration replays the past: it may not import today's app code or data, which change."""
    ours = set(FLOORS) | TOOLING
    live = {
        str(path.relative_to(ROOT)): sorted(data_imports(path) & ours)
        for package in FLOORS
        for path in python_files(package)
        if "migrations" in path.parts and data_imports(path) & ours
    }
    assert live == {}
