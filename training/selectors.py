"""Training figures through the scope door: hours per person per year, coverage of secretaries
trained, money spent against each budget line."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Q, Sum

from organizations.models import CommitteeMember
from organizations.scope import restrict
from training.models import Budget, Enrolment, Session


def attended(user, year: int):
    return restrict(Enrolment.objects.filter(status=Enrolment.Status.ATTENDED, session__starts_on__year=year), user)


def hours_per_person(user, year: int, limit: int = 100) -> list[dict]:
    """Persons by hours credited in ``year``, most first."""
    return list(
        attended(user, year)
        .values("person_id", "person__name")
        .annotate(hours=Sum("hours_credited"), sessions=Count("id"))
        .order_by("-hours", "person__name")[:limit]
    )


def secretary_coverage(user, year: int) -> dict:
    """Organizations with a secretary on record, and how many of them had their secretary
    trained (an attended enrolment as 党组织书记 for that organization) in ``year``."""
    with_secretary = restrict(CommitteeMember.objects.filter(position=CommitteeMember.Position.SECRETARY), user)
    org_ids = with_secretary.values("organization_id")
    trained = (
        Enrolment.objects.filter(
            status=Enrolment.Status.ATTENDED,
            post=Enrolment.Post.SECRETARY,
            session__starts_on__year=year,
            organization_id__in=org_ids,
        )
        .values("organization_id")
        .distinct()
        .count()
    )
    total = with_secretary.count()
    return {"secretaries": total, "trained": trained, "rate": (trained / total) if total else None}


def figures(user, year: int) -> dict:
    sessions = restrict(Session.objects.filter(starts_on__year=year), user)
    people = attended(user, year).aggregate(
        person_times=Count("id"), persons=Count("person", distinct=True), hours=Sum("hours_credited")
    )
    return {
        "sessions": sessions.count(),
        "person_times": people["person_times"],
        "persons": people["persons"],
        "hours": people["hours"] or Decimal("0"),
        "coverage": secretary_coverage(user, year),
    }


def budgets(user, year: int) -> list[Budget]:
    """Budget lines of ``year`` with ``spent`` and ``left``; a line counts every session charged
    to it (the line's holder answers for all of it)."""
    rows = list(
        restrict(Budget.objects.filter(year=year), user)
        .annotate(spent=Sum("sessions__cost_yuan"), session_count=Count("sessions"))
        .order_by("id")
    )
    for row in rows:
        row.spent = row.spent or Decimal("0")
        row.left = row.amount_yuan - row.spent
    return rows


def session_rows(user, year: int):
    return (
        restrict(Session.objects.filter(starts_on__year=year), user)
        .select_related("course", "budget")
        .annotate(
            enrolled=Count("enrolments"),
            present=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ATTENDED)),
        )
        .order_by("-starts_on", "-id")
    )
