"""Builders for members tests: valid ID numbers and persons/members placed in the test world."""

from __future__ import annotations

import itertools
from datetime import date

from members.models import PartyMembership, Person
from members.services import membership_save, person_save
from members.validators import id_check_char

_sequence = itertools.count(100)


def make_id(birth: date = date(1990, 1, 1), *, male: bool = True, region: str = "320104") -> str:
    seq = next(_sequence) % 1000
    # The 17th digit carries the gender: odd for men, even for women.
    seq = seq - seq % 2 + (1 if male else 0)
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + id_check_char(first17)


def make_person(territory, *, name: str = "张三", birth: date = date(1990, 1, 1), male: bool = True, **extra) -> Person:
    extra.setdefault("id_number", make_id(birth, male=male))
    extra.setdefault("phone", f"139{next(_sequence):08d}")
    return person_save(person=Person(name=name, territory=territory, **extra))


def make_member(
    territory, organization, *, status=PartyMembership.Status.FULL, name: str = "李四", **extra
) -> PartyMembership:
    person_fields = {k: extra.pop(k) for k in list(extra) if k in {"birth", "male", "employer", "occupation"}}
    person = make_person(territory, name=name, **person_fields)
    extra.setdefault("joined_on", date(2015, 7, 1))
    if status == PartyMembership.Status.FULL:
        extra.setdefault("full_member_on", date(2016, 7, 1))
    return membership_save(membership=PartyMembership(person=person, status=status, organization=organization, **extra))
