"""The bench's grouped-SQL floor of a dashboard (``devtools/bench/floors.py``) computes the very
figures the page shows, no more and no less: its totals equal the page's totals of every
provider, its one ``GROUP BY`` child pass equals the page's child table, and every figure the
page shows (rates aside, derived in Python from these) comes from an aggregate of the floor."""

from collections import defaultdict

import pytest
from django.utils import timezone

from cadence.metrics import PROVIDERS, compute_all, compute_children
from cadence.nodes import Node
from cadence.views.dashboard import CHILD_PROVIDERS
from devtools.bench import floors
from organizations.models import Territory

pytestmark = pytest.mark.django_db

# Page figures the floor gives as their ingredients (as the providers derive them).
DERIVED = {
    ("organizations", "units_covered"): lambda t: t["units_own"] + t["joint"],
    ("points", "redeemed"): lambda t: abs(t["redeemed_delta"] or 0),
    ("mediation", "amount_yuan"): lambda t: round((t["amount_fen"] or 0) / 100),
    ("key_tasks", "avg_progress"): lambda t: round((t["progress_sum"] or 0) / t["tasks"], 1) if t["tasks"] else None,
}
INGREDIENTS = {"joint", "redeemed_delta", "amount_fen", "progress_sum"}


def _as_page(floor: dict, providers) -> dict:
    """The floor's aggregates as the page's figures (``{provider: {figure: value}}``)."""
    page: dict = {name: {} for name in providers}
    # A child without rows in a source has no group there: its aggregates are those over nothing.
    by_provider: dict = {name: defaultdict(lambda: None) for name in providers}
    for (prov, alias), value in floor.items():
        by_provider[prov][alias] = value
    for name in providers:
        raw = by_provider[name]
        for fig in PROVIDERS[name].figures:
            if fig.rate:
                continue
            derive = DERIVED.get((name, fig.key))
            page[name][fig.key] = derive(raw) if derive else (raw[fig.key] or 0)
        assert set(raw) <= {f.key for f in PROVIDERS[name].figures} | INGREDIENTS, name
    return page


def _shown(figures: dict, providers) -> dict:
    return {name: {f.key: figures[name][f.key] for f in PROVIDERS[name].figures if not f.rate} for name in providers}


@pytest.mark.parametrize("code", ["320100", "320104", "320104002000"])
def test_the_floor_computes_the_figures_the_live_dashboard_shows(flows, world, code):
    node = Node.parse(code)
    day = timezone.localdate()
    floor = floors.grouped_figures(node.territory, day)
    everything = sorted(PROVIDERS)
    # The totals: every provider, mediation and key tasks included.
    assert {prov for prov, _ in floor["total"]} == set(everything)
    assert _as_page(floor["total"], everything) == _shown(compute_all(node.lens, day), everything)
    if code == "320100":
        assert floor["total"][("mediation", "labour_cases")] == 4
        assert floor["total"][("key_tasks", "tasks")] == 5
    # The child table: its providers only, one row per child with records.
    children = [c.territory for c in node.children()]
    page = compute_children(node.lens, children, day, only=CHILD_PROVIDERS)
    rows = floor[node.territory.depth + 1]
    assert rows and set(rows) <= {c.path for c in children}
    grouped = {prov for row in rows.values() for prov, _ in row}
    assert grouped <= set(CHILD_PROVIDERS) and {"organizations", "grievances"} <= grouped
    for child in children:
        row = rows.get(child.path, {})
        assert _as_page(row, CHILD_PROVIDERS) == _shown(page[child.pk], CHILD_PROVIDERS)


def test_the_monthly_jobs_floor_groups_every_provider(flows, world):
    city = Territory.objects.get(code="320100")
    floor = floors.grouped_figures(city, timezone.localdate(), depths=(2, 3), child_providers=None)
    for depth in (2, 3):
        assert floor[depth]
        for row in floor[depth].values():
            assert {prov for prov, _ in row} <= set(PROVIDERS)
    assert any({prov for prov, _ in row} >= {"mediation", "weekly"} for row in floor[3].values())
