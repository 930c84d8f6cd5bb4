"""A history of daily snapshots (日盘点) for the dashboards' trend lines.

Today's figures of every city, district and street node and every industry committee are
computed for real, by the same providers the nightly inventory runs (communities and grids too,
for today only); the earlier days are that
day's figures ramped down towards 75 % with a little noise, which is what a year of a growing
programme looks like. Computing a year of real history node by node would take hours and show
nothing more to a benchmark.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from cadence.models import DailySnapshot
from cadence.nodes import all_nodes
from cadence.services.snapshots import EXCEPTIONS_KEY, daily_snapshots_compute, node_figures
from devtools.scale.hierarchy import Hierarchy
from devtools.scale.loader import analyze, bulk_load, next_id
from devtools.scale.profiles import Profile

LEVELS = ("city", "district", "street", "industry")
BELOW = ("community", "grid")


def ramped(value, factor: float):
    """``value`` with every integer figure scaled by ``factor``; other values as they are."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return max(round(value * factor), 0)
    if isinstance(value, dict):
        return {k: ramped(v, factor) for k, v in value.items()}
    return value


def generate_snapshots(profile: Profile, h: Hierarchy, rng: random.Random) -> int:
    analyze()  # the providers' queries need statistics on what the earlier steps loaded
    today = timezone.localdate()
    first = next_id(DailySnapshot)
    rows = []
    for node in all_nodes(LEVELS):
        current = node_figures(node=node, day=today)
        current[EXCEPTIONS_KEY] = []
        for back in range(profile.snapshot_days):
            growth = 0.75 + 0.25 * (profile.snapshot_days - back) / profile.snapshot_days
            factor = growth * rng.uniform(0.98, 1.02) if back else 1.0
            rows.append(
                {
                    "id": first + len(rows),
                    "kind": DailySnapshot.Kind.DAILY,
                    "date": today - timedelta(days=back),
                    "node_key": node.key,
                    "territory_id": node.territory.pk if node.territory else None,
                    "organization_id": node.organization.pk if node.organization else None,
                    "figures": ramped(current, factor),
                }
            )
    loaded = bulk_load(DailySnapshot, rows)
    # Today's inventory of the levels below, as the nightly run (every level by default) leaves
    # it: a street's dashboard reads its communities from it. One grouped pass per provider and
    # level; no history, which nothing below a street draws.
    below = list(all_nodes(BELOW))
    daily_snapshots_compute(nodes=below, day=today)
    return loaded + len(below)
