"""Staff pages: the teams with their figures, and one team's page (members, join, activities
with hours, appointments, 移动探头 reports). Pages parse, check and call."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Q
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from members.models import Person
from members.selectors import phone_search_q
from organizations.scope import get_visible_or_404, restrict
from volunteers import selectors, services
from volunteers.models import ProbeReport, Team, TeamMember


@login_required
@permission_required("volunteers.view_team", raise_exception=True)
@require_safe
def teams(request):
    return render(
        request,
        "volunteers/teams.html",
        {"totals": selectors.totals(request.user), "teams": list(selectors.team_rows(request.user)[:200])},
    )


def _team(request, pk):
    return get_visible_or_404(Team.objects.select_related("territory", "station", "leader"), request.user, pk=pk)


@login_required
@permission_required("volunteers.view_team", raise_exception=True)
@require_safe
def team_detail(request, pk: int):
    team = _team(request, pk)
    q = request.GET.get("q", "").strip()
    candidates = []
    if q and request.user.has_perm("volunteers.add_teammember"):
        people = restrict(Person.objects.all(), request.user)
        # A phone by the one rule (whole, or the mask's 4 digits; spaces and full width folded).
        people = people.filter(phone_search_q(q, viewer=request.user) or Q(name__startswith=q))
        active = TeamMember.objects.filter(team=team, left_on__isnull=True).values("person_id")
        candidates = list(people.exclude(pk__in=active).order_by("name", "id")[:20])
    return render(
        request,
        "volunteers/team.html",
        {
            "team": team,
            "members": list(team.members.filter(left_on__isnull=True).select_related("person").order_by("id")),
            "activities": list(team.activities.prefetch_related("participations__person").order_by("-held_on")[:20]),
            "appointments": list(team.appointments.select_related("person").order_by("-starts_on")[:50]),
            "reports": list(
                ProbeReport.objects.filter(team=team).select_related("report").order_by("-report__submitted_at")[:20]
            ),
            "q": q,
            "candidates": candidates,
            "roles": TeamMember.Role.choices,
        },
    )


@login_required
@permission_required("volunteers.add_teammember", raise_exception=True)
@require_POST
def join(request, pk: int):
    team = _team(request, pk)
    raw = request.POST.get("person", "")
    if not raw.isdigit():
        messages.error(request, "人员：请选择")
        return redirect("volunteers:team", pk=pk)
    person = get_visible_or_404(Person.objects.all(), request.user, pk=int(raw))
    try:
        services.member_add(team=team, person=person, role=request.POST.get("role", "member"), actor=request.user)
        messages.success(request, f"{person.name} 已入队")
    except services.VolunteerError as exc:
        messages.error(request, str(exc))
    return redirect("volunteers:team", pk=pk)


@login_required
@permission_required("volunteers.add_activity", raise_exception=True)
@require_POST
def activity(request, pk: int):
    """Record an activity: ticked members each get the hours typed (the same for everyone)."""
    team = _team(request, pk)
    try:
        held_on = date.fromisoformat(request.POST.get("held_on", ""))
        hours = Decimal(request.POST.get("hours", ""))
    except (ValueError, InvalidOperation):
        messages.error(request, "活动日期或服务时长：格式不正确（日期如 2025-06-01，时长如 2 或 1.5）")
        return redirect("volunteers:team", pk=pk)
    chosen = [int(v) for v in request.POST.getlist("person") if v.isdigit()]
    people = list(Person.objects.filter(pk__in=chosen, volunteer_memberships__team=team).distinct())
    try:
        services.activity_record(
            team=team,
            title=request.POST.get("title", ""),
            held_on=held_on,
            place=request.POST.get("place", ""),
            participants=[(p, hours) for p in people],
            actor=request.user,
        )
        messages.success(request, f"已登记活动，{len(people)} 人参与")
    except services.VolunteerError as exc:
        messages.error(request, str(exc))
    return redirect("volunteers:team", pk=pk)
