"""Demo Party members of the covered units and grassroots organizations: each organization and
unit is staffed to the size the organizations demo gave it (most branches 3–30, a 党总支 above
50, a 党委 above 100, the deliberate violations as they are), so that the recount that follows
leaves those sizes true and 应建未建 units really have their members.

Members of a unit without an organization belong to their street's 两新综合党委 (the usual
arrangement until the unit builds its own). Idempotent: skipped once any employed member exists.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count

from members.models import Occupation, PartyMembership, Person
from members.rules import add_months, monthly_dues, probation_end
from organizations.models import CommitteeMember, PartyOrganization, Territory, Unit

STAFFED_KINDS = (
    *PartyOrganization.BRANCH_KINDS,
    PartyOrganization.Kind.GENERAL_BRANCH,
    PartyOrganization.Kind.COMMITTEE,
)
BATCH = 1000

COMMITTEE_POSITIONS = ("secretary", "organization", "publicity")


def _members_for(rng, names, today, used_ids, used_phones, territory, employer, full, probationary):
    from members.demo import _id_number, _phone

    people, statuses = [], []
    for k in range(full + probationary):
        number, birth, gender = _id_number(rng, territory.code[:6], used_ids, today)
        parts = names.next()
        people.append(
            Person(
                name="".join(parts),
                name_initials=names.initials(*parts),
                id_number=number,
                phone=_phone(rng, used_phones),
                gender=gender,
                birth_date=birth,
                occupation=Occupation.OFFICE,
                territory=territory,
                employer=employer,
            )
        )
        statuses.append(k < full)
    return people, statuses


def _membership(rng, person, organization, full: bool, today: date) -> PartyMembership:
    joined = today - timedelta(days=rng.randint(800, 9000) if full else rng.randint(120, 330))
    income = Decimal(rng.randrange(4000, 16000, 50))
    category = PartyMembership.DuesCategory.REGULAR
    return PartyMembership(
        person=person,
        status=PartyMembership.Status.FULL if full else PartyMembership.Status.PROBATIONARY,
        organization=organization,
        joined_on=joined,
        full_member_on=add_months(joined, 12) if full else None,
        probation_ends_on=None if full else probation_end(joined),
        last_contact_on=today - timedelta(days=rng.randint(0, 90)),
        dues_category=category,
        dues_income_basis=income,
        dues_monthly=monthly_dues(category=category, monthly_income=income),
        dues_assessed_on=today - timedelta(days=30),
    )


def seed_staff(rng: random.Random, today: date) -> int:
    from members.demo import _Names

    if PartyMembership.objects.filter(person__employer__isnull=False).exists():
        return 0
    steplen = Territory.steplen
    street_orgs = {
        o.territory.path: o
        for o in PartyOrganization.objects.filter(kind=PartyOrganization.Kind.COMPREHENSIVE_COMMITTEE).select_related(
            "territory"
        )
    }
    used_ids = set(Person.objects.values_list("id_number", flat=True))
    used_phones = set(Person.objects.values_list("phone", flat=True))
    names = _Names(rng)
    plan: list[tuple[Person, PartyOrganization, bool]] = []
    # Members already placed (the gig workers found in the surveys) count toward the sizes.
    full_given, prob_given = Counter(), Counter()
    for org_id, status, n in (
        PartyMembership.objects.filter(organization__isnull=False)
        .values_list("organization_id", "status")
        .annotate(n=Count("id"))
        .values_list("organization_id", "status", "n")
    ):
        (full_given if status == PartyMembership.Status.FULL else prob_given)[org_id] += n
    units = Unit.objects.filter(full_member_count__gt=0).select_related("organization", "territory").order_by("pk")
    for unit in units:
        org = unit.organization or street_orgs.get(unit.territory.path[: 3 * steplen])
        if org is None:
            continue
        full = unit.full_member_count
        people, statuses = _members_for(
            rng, names, today, used_ids, used_phones, unit.territory, unit, full, max(unit.member_count - full, 0)
        )
        for person, is_full in zip(people, statuses, strict=True):
            plan.append((person, org, is_full))
            (full_given if is_full else prob_given)[org.pk] += 1
    organizations = (
        PartyOrganization.objects.filter(kind__in=STAFFED_KINDS, status=PartyOrganization.Status.ACTIVE)
        .filter(member_count__gt=0)
        .select_related("territory")
        .order_by("path")
    )
    for org in organizations:
        full = max(org.full_member_count - full_given[org.pk], 0)
        probationary = max(org.member_count - org.full_member_count - prob_given[org.pk], 0)
        people, statuses = _members_for(
            rng, names, today, used_ids, used_phones, org.territory, None, full, probationary
        )
        plan += [(person, org, is_full) for person, is_full in zip(people, statuses, strict=True)]
    people = [p for p, _o, _f in plan]
    for start in range(0, len(people), BATCH):
        Person.objects.bulk_create(people[start : start + BATCH])
    PartyMembership.objects.bulk_create(
        [_membership(rng, person, org, is_full, today) for person, org, is_full in plan], batch_size=BATCH
    )
    return len(plan)


def seed_committees() -> None:
    """A 支部委员会 for every active branch with 7 or more full members (the rule's threshold)
    but the one kept as a deliberate violation (ZB-NOCOM-…), so the warnings that remain are real."""
    from organizations import rules as R

    threshold = R.rules()[R.COMMITTEE_REQUIRED].threshold
    branches = (
        R.with_rule_figures(
            PartyOrganization.objects.filter(
                kind__in=PartyOrganization.BRANCH_KINDS,
                status=PartyOrganization.Status.ACTIVE,
                full_member_count__gte=threshold,
            )
        )
        .filter(committee_size__lt=R.MIN_COMMITTEE_SIZE)
        .exclude(code__startswith="ZB-NOCOM")
    )
    rows = []
    for branch in branches:
        have = set(CommitteeMember.objects.filter(organization=branch).values_list("position", flat=True))
        members = list(
            PartyMembership.objects.filter(organization=branch, status=PartyMembership.Status.FULL)
            .order_by("id")
            .values_list("person__name", flat=True)[: len(COMMITTEE_POSITIONS)]
        )
        for position, name in zip(COMMITTEE_POSITIONS, members, strict=False):
            if position not in have:
                rows.append(CommitteeMember(organization=branch, name=name, position=position))
    CommitteeMember.objects.bulk_create(rows)
