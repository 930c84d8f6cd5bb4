"""Figures of people: workers and Party members known to the portal, by where they are placed."""

from __future__ import annotations

from datetime import date

from members.models import Person
from portal.cadence.metrics import Column, Figure, Lens, provider


def persons(lens: Lens):
    return lens.apply(Person.objects.select_related("territory", "employer", "home_station")).order_by(
        "territory__path", "name"
    )


def persons_at_station(lens: Lens):
    return persons(lens).filter(home_station__isnull=False)


@provider(
    "members",
    "人员分布",
    order=20,
    figures=[
        Figure("persons", "在册人员", "人", drill=persons),
        Figure("persons_at_station", "常驻驿站人员", "人", drill=persons_at_station),
    ],
    columns=[
        Column("姓名", lambda p: p.name),
        Column("属地", lambda p: p.territory.full_name),
        Column("所在单位", lambda p: str(p.employer or "")),
        Column("常驻驿站", lambda p: str(p.home_station or "")),
    ],
)
def member_figures(lens: Lens, day: date) -> dict:
    qs = lens.apply(Person.objects.all())
    return {
        "persons": qs.count(),
        "persons_at_station": qs.filter(home_station__isnull=False).count(),
    }
