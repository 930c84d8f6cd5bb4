"""Reads with rules: matching suggestions (供需对接), dashboard figures and the export rows,
each through the scope door."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Count, Q

from cobuild.models import Agreement, Claim, Need, Project, Resource
from organizations.scope import restrict

SUGGESTION_LIMIT = 5
# Matching looks at this many candidates of the right category at most, so a city-wide
# resource list does not turn one suggestion into a full scan in Python.
CANDIDATE_CAP = 300


def distance_km(a_lng, a_lat, b_lng, b_lat) -> float | None:
    """Great-circle distance. GCJ-02 offsets are a few hundred metres at most and the same for
    both points, which is well inside what ranking by distance needs."""
    if None in (a_lng, a_lat, b_lng, b_lat):
        return None
    lng1, lat1, lng2, lat2 = map(math.radians, map(float, (a_lng, a_lat, b_lng, b_lat)))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(h))


@dataclass
class Suggestion:
    resource: Resource
    distance_km: float | None


def suggestions_for(need: Need, user, limit: int = SUGGESTION_LIMIT) -> list[Suggestion]:
    """Resources of the need's alliance and category that are open for claims and not already
    paired with it, nearest first (those without coordinates last)."""
    candidates = (
        restrict(Resource.objects.filter(alliance_id=need.alliance_id, category=need.category, is_available=True), user)
        .exclude(claims__need=need)
        .select_related("owner")
        .order_by("id")[:CANDIDATE_CAP]
    )
    ranked = [Suggestion(r, distance_km(need.longitude, need.latitude, r.longitude, r.latitude)) for r in candidates]
    ranked.sort(key=lambda s: (s.distance_km is None, s.distance_km or 0, s.resource.pk))
    return ranked[:limit]


def suggestions_for_many(needs: list[Need], user, limit: int = SUGGESTION_LIMIT) -> dict[int, list[Suggestion]]:
    """``suggestions_for`` for a page of needs in two queries, not two per need."""
    if not needs:
        return {}
    candidates = list(
        restrict(
            Resource.objects.filter(
                alliance_id__in={n.alliance_id for n in needs},
                category__in={n.category for n in needs},
                is_available=True,
            ),
            user,
        )
        .select_related("owner")
        .order_by("id")[: CANDIDATE_CAP * 4]
    )
    paired = set(Claim.objects.filter(need__in=needs).values_list("need_id", "resource_id"))
    by_kind: dict[tuple[int, str], list[Resource]] = {}
    for resource in candidates:
        by_kind.setdefault((resource.alliance_id, resource.category), []).append(resource)
    result = {}
    for need in needs:
        ranked = [
            Suggestion(r, distance_km(need.longitude, need.latitude, r.longitude, r.latitude))
            for r in by_kind.get((need.alliance_id, need.category), [])
            if (need.pk, r.pk) not in paired
        ]
        ranked.sort(key=lambda s: (s.distance_km is None, s.distance_km or 0, s.resource.pk))
        result[need.pk] = ranked[:limit]
    return result


def figures(user) -> dict[str, int]:
    """The dashboard line: needs met, resources used, projects done, agreements in force."""
    from django.utils import timezone

    today = timezone.localdate()
    needs = restrict(Need.objects.all(), user).aggregate(
        total=Count("id"), met=Count("id", filter=Q(status=Need.Status.MET))
    )
    resources = restrict(Resource.objects.all(), user)
    used = resources.filter(claims__status__in=[Claim.Status.ACCEPTED, Claim.Status.FULFILLED]).distinct().count()
    projects = restrict(Project.objects.all(), user).aggregate(
        total=Count("id"), done=Count("id", filter=Q(status=Project.Status.DONE))
    )
    agreements = restrict(Agreement.objects.filter(starts_on__lte=today, ends_on__gte=today), user).count()
    return {
        "needs": needs["total"],
        "needs_met": needs["met"],
        "resources": resources.count(),
        "resources_used": used,
        "projects": projects["total"],
        "projects_done": projects["done"],
        "agreements_active": agreements,
    }
