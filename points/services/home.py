"""The person ↔ home station link (HomeStation): the one write path for every door (admin
inline, survey import)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from points.models import HomeStation


def home_station_set(*, person, station) -> HomeStation | None:
    """Make ``station`` the person's home station; ``None`` clears it."""
    if station is None:
        HomeStation.objects.filter(person=person).delete()
        return None
    link, _ = HomeStation.objects.update_or_create(person=person, defaults={"station": station})
    return link


@transaction.atomic
def home_stations_set(pairs: Iterable[tuple[int, int | None]]) -> None:
    """Many at once, as ``(person id, station id or None)``: a survey import's chunk."""
    pairs = dict(pairs)
    clear = [pk for pk, station_id in pairs.items() if station_id is None]
    if clear:
        HomeStation.objects.filter(person_id__in=clear).delete()
    links = [HomeStation(person_id=pk, station_id=sid) for pk, sid in pairs.items() if sid is not None]
    if links:
        HomeStation.objects.bulk_create(
            links, update_conflicts=True, unique_fields=["person"], update_fields=["station"], batch_size=1000
        )
