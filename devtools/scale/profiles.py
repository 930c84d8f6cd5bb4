from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Profile:
    """How much to generate. ``megacity`` is sized from the source articles: Nanjing holds
    ~560k Party members city-wide; Pudong alone 135k market units, 5,300 organizations and
    1.69M workers."""

    name: str
    streets_per_district: int
    communities_per_street: int
    grids_per_community: int
    organizations: int
    units: int
    persons: int
    members: int
    stations: int
    grievances: int
    points_entries: int
    snapshot_days: int


PROFILES = {
    "small": Profile("small", 3, 3, 2, 300, 2_000, 3_000, 500, 40, 3_000, 10_000, 14),
    "city": Profile("city", 8, 12, 4, 4_000, 30_000, 120_000, 20_000, 400, 200_000, 1_000_000, 90),
    "megacity": Profile("megacity", 8, 13, 4, 20_000, 150_000, 600_000, 100_000, 2_000, 1_000_000, 5_000_000, 365),
}
