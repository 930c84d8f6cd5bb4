"""Team figures through the scope door."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from organizations.scope import restrict
from points.models import PhotoReport
from volunteers.models import Participation, ProbeReport, Team, TeamMember


def team_rows(user):
    """Teams with active members, activities, volunteer hours and 移动探头 reports (each figure
    a subquery, so the joins do not multiply one another)."""
    members = (
        TeamMember.objects.filter(team=OuterRef("pk"), left_on__isnull=True)
        .values("team")
        .annotate(n=Count("id"))
        .values("n")
    )
    hours = (
        Participation.objects.filter(activity__team=OuterRef("pk"))
        .values("activity__team")
        .annotate(h=Sum("hours"))
        .values("h")
    )
    reports = ProbeReport.objects.filter(team=OuterRef("pk")).values("team").annotate(n=Count("id")).values("n")
    return (
        restrict(Team.objects.filter(is_active=True), user)
        .select_related("territory", "station", "leader")
        .annotate(
            member_count=Coalesce(Subquery(members), 0),
            activity_count=Count("activities"),
            hours=Subquery(hours),
            report_count=Coalesce(Subquery(reports), 0),
        )
        .order_by("id")
    )


def totals(user) -> dict:
    teams = restrict(Team.objects.filter(is_active=True), user)
    return {
        "teams": teams.count(),
        "members": TeamMember.objects.filter(team__in=teams, left_on__isnull=True).values("person").distinct().count(),
        "hours": Participation.objects.filter(activity__team__in=teams).aggregate(h=Sum("hours"))["h"] or 0,
        "reports": ProbeReport.objects.filter(team__in=teams).count(),
        "verified_reports": ProbeReport.objects.filter(
            team__in=teams, report__status=PhotoReport.Status.VERIFIED
        ).count(),
        "by_kind": dict(teams.values_list("kind").annotate(n=Count("id")).order_by()),
    }
