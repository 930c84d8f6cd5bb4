"""The generator's steps in floor order, each timed."""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from django.db import transaction

from devtools.scale import hierarchy, people, snapshots, workflows
from devtools.scale.loader import analyze
from devtools.scale.profiles import Profile


def steps() -> list[tuple[str, Callable]]:
    return [
        ("territory", lambda p, h, rng: hierarchy.generate_territory(p, h)),
        ("organizations", hierarchy.generate_organizations),
        ("units", hierarchy.generate_units),
        ("stations", people.generate_stations),
        ("persons", people.generate_persons),
        ("memberships", people.generate_memberships),
        ("grievances", workflows.generate_grievances),
        ("points", workflows.generate_points),
        ("snapshots", snapshots.generate_snapshots),
    ]


def generate(profile: Profile, *, seed: int = 2025, log=print) -> dict[str, dict]:
    rng = random.Random(seed)
    h = hierarchy.Hierarchy()
    report: dict[str, dict] = {}
    for name, step in steps():
        started = time.perf_counter()
        with transaction.atomic():
            rows = step(profile, h, rng)
        seconds = time.perf_counter() - started
        report[name] = {"rows": rows, "seconds": round(seconds, 2)}
        log(f"  {name:<16} {rows:>10,} rows  {seconds:7.1f} s")
    started = time.perf_counter()
    analyze()
    report["analyze"] = {"rows": 0, "seconds": round(time.perf_counter() - started, 2)}
    return report
