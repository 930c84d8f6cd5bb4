"""先锋指数 computed from the floors below: each indicator's raw value per member for the year,
scaled to its weight, summed; rankings only where the sample reaches the index's minimum.

Organization life comes two ways. Every meeting has expected/attended counts, so the meetings
indicator uses the attendance rate of the member's organization for the year: every member of
a branch shares it. Where a meeting's roll is recorded per person (members.attendance), the
attendance indicator counts the meetings each member attended. The source labels say which."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum

from assessment.models import Indicator, ManualScore, VanguardIndex
from members.attendance import attended_counts
from members.models import PartyMembership
from organizations.models import Meeting
from organizations.scope import restrict
from points.models import PointEntry, TaskClaim
from training.models import Enrolment

ONE_DECIMAL = Decimal("0.1")


@dataclass
class MemberScore:
    person_id: int
    name: str
    organization_id: int
    organization: str
    raw: dict[int, Decimal] = field(default_factory=dict)
    parts: dict[int, Decimal] = field(default_factory=dict)
    total: Decimal = Decimal("0")
    rank: int | None = None


@dataclass
class Ranking:
    index: VanguardIndex
    indicators: list[Indicator]
    members: list[MemberScore]
    ranked: bool
    organizations: list[dict]
    weights_ok: bool


def indices_visible(user):
    """Indices a user may open: those placed in their scope, and those set for a territory
    above one of their territorial posts (a street reads the district's index, and sees in
    it only its own members, as ``ranking`` restricts the members by the scope rule)."""
    from django.db.models import Q

    from organizations.models import Territory
    from organizations.scope import scope_for

    q = Q(pk__in=restrict(VanguardIndex.objects.all(), user).values("pk"))
    step = Territory.steplen
    ancestors = {p[:i] for p in scope_for(user).territory_paths for i in range(step, len(p), step)}
    if ancestors:
        q |= Q(territory__path__in=sorted(ancestors))
    return VanguardIndex.objects.filter(q)


def _members(index: VanguardIndex, user):
    qs = PartyMembership.objects.filter(person__territory__path__startswith=index.territory.path)
    if index.organization_id:
        qs = qs.filter(organization__path__startswith=index.organization.path)
    return restrict(qs, user)


def _raw_values(index: VanguardIndex, memberships) -> dict[str, dict[int, Decimal]]:
    year = index.year
    person_ids = memberships.values("person_id")
    org_ids = memberships.values("organization_id")
    points = (
        PointEntry.objects.filter(
            account__person_id__in=person_ids, kind__in=PointEntry.EARNING_KINDS, created_at__year=year
        )
        .values_list("account__person_id")
        .annotate(v=Sum("delta"))
    )
    tasks = (
        TaskClaim.objects.filter(person_id__in=person_ids, status=TaskClaim.Status.COMPLETED, decided_at__year=year)
        .values_list("person_id")
        .annotate(v=Count("id"))
    )
    training = (
        Enrolment.objects.filter(
            person_id__in=person_ids, status=Enrolment.Status.ATTENDED, session__starts_on__year=year
        )
        .values_list("person_id")
        .annotate(v=Sum("hours_credited"))
    )
    meetings = (
        Meeting.objects.filter(organization_id__in=org_ids, held_on__year=year)
        .values_list("organization_id")
        .annotate(a=Sum("attended_count"), e=Sum("expected_count"))
    )
    return {
        Indicator.Source.POINTS: {k: Decimal(v or 0) for k, v in points},
        Indicator.Source.TASKS: {k: Decimal(v) for k, v in tasks},
        Indicator.Source.TRAINING: {k: Decimal(v or 0) for k, v in training},
        Indicator.Source.ATTENDANCE: {k: Decimal(v) for k, v in attended_counts(person_ids, year).items()},
        # keyed by organization, not person
        Indicator.Source.MEETINGS: {k: (Decimal(a) * 100 / Decimal(e)) if e else Decimal("0") for k, a, e in meetings},
    }


def ranking(index: VanguardIndex, user) -> Ranking:
    indicators = list(index.indicators.order_by("sort_order", "id"))
    weights_ok = sum((i.weight for i in indicators), Decimal("0")) == 100
    memberships = _members(index, user)
    rows = list(memberships.values_list("person_id", "person__name", "organization_id", "organization__name"))
    raw = _raw_values(index, memberships) if rows else {}
    manual = defaultdict(dict)
    manual_ids = [i.pk for i in indicators if i.source == Indicator.Source.MANUAL]
    if manual_ids and rows:
        for indicator_id, person_id, value in ManualScore.objects.filter(
            indicator_id__in=manual_ids, person_id__in=memberships.values("person_id")
        ).values_list("indicator_id", "person_id", "value"):
            manual[indicator_id][person_id] = value
    scores = []
    for person_id, name, organization_id, organization in rows:
        score = MemberScore(person_id, name, organization_id, organization)
        for indicator in indicators:
            if indicator.source == Indicator.Source.MANUAL:
                value = manual[indicator.pk].get(person_id, Decimal("0"))
            elif indicator.source == Indicator.Source.MEETINGS:
                value = raw[indicator.source].get(organization_id, Decimal("0"))
            else:
                value = raw[indicator.source].get(person_id, Decimal("0"))
            part = indicator.weight * min(value / indicator.full_marks, Decimal("1"))
            score.raw[indicator.pk], score.parts[indicator.pk] = value, part.quantize(ONE_DECIMAL)
            score.total += part
        score.total = score.total.quantize(ONE_DECIMAL)
        scores.append(score)
    scores.sort(key=lambda s: (-s.total, s.name, s.person_id))
    ranked = weights_ok and len(scores) >= index.min_sample
    if ranked:
        for position, score in enumerate(scores, start=1):
            same = position > 1 and score.total == scores[position - 2].total
            score.rank = scores[position - 2].rank if same else position
    groups = defaultdict(list)
    for score in scores:
        groups[(score.organization_id, score.organization)].append(score.total)
    organizations = [
        {
            "organization_id": org_id,
            "organization": org_name,
            "members": len(totals),
            "average": (sum(totals) / len(totals)).quantize(ONE_DECIMAL)
            if weights_ok and len(totals) >= index.min_sample
            else None,
        }
        for (org_id, org_name), totals in groups.items()
    ]
    organizations.sort(key=lambda o: (o["average"] is None, -(o["average"] or 0), o["organization"]))
    return Ranking(index, indicators, scores, ranked, organizations, weights_ok)
