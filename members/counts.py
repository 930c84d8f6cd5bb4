"""Keeping the ground floor's denormalised member counts current.

``organizations.PartyOrganization`` and ``organizations.Unit`` carry ``member_count`` and
``full_member_count`` (the branch rules and 应建未建 read them), but organizations cannot import
members. Every write here that changes who belongs where calls these functions, inside the same
transaction, so the figures never drift; ``members_recount`` (a command) rebuilds them all.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q

from organizations.models import PartyOrganization, Unit


def _ids(values: Iterable[int | None]) -> list[int]:
    return sorted({value for value in values if value})


def refresh_for_organizations(organization_ids: Iterable[int | None]) -> None:
    from members.models import PartyMembership

    ids = _ids(organization_ids)
    if not ids:
        return
    full = PartyMembership.Status.FULL
    figures = {
        row["organization_id"]: row
        for row in PartyMembership.objects.filter(organization_id__in=ids)
        .values("organization_id")
        .annotate(total=Count("id"), full=Count("id", filter=Q(status=full)))
    }
    for pk in ids:
        row = figures.get(pk, {"total": 0, "full": 0})
        PartyOrganization.objects.filter(pk=pk).exclude(
            member_count=row["total"], full_member_count=row["full"]
        ).update(member_count=row["total"], full_member_count=row["full"])


def refresh_for_units(unit_ids: Iterable[int | None]) -> None:
    from members.models import PartyMembership

    ids = _ids(unit_ids)
    if not ids:
        return
    full = PartyMembership.Status.FULL
    figures = {
        row["person__employer_id"]: row
        for row in PartyMembership.objects.filter(person__employer_id__in=ids)
        .values("person__employer_id")
        .annotate(total=Count("id"), full=Count("id", filter=Q(status=full)))
    }
    for pk in ids:
        row = figures.get(pk, {"total": 0, "full": 0})
        Unit.objects.filter(pk=pk).exclude(member_count=row["total"], full_member_count=row["full"]).update(
            member_count=row["total"], full_member_count=row["full"]
        )


def recount_all() -> tuple[int, int]:
    """Rebuild every figure (after a bulk load); returns (organizations, units) touched."""
    org_ids = list(PartyOrganization.objects.values_list("pk", flat=True))
    unit_ids = list(Unit.objects.values_list("pk", flat=True))
    for start in range(0, len(org_ids), 500):
        refresh_for_organizations(org_ids[start : start + 500])
    for start in range(0, len(unit_ids), 500):
        refresh_for_units(unit_ids[start : start + 500])
    return len(org_ids), len(unit_ids)
