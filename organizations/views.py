"""Staff pages of the ground floor: the unit file (一主体一档), coverage and the organization ranking."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from core.exports import list_export
from organizations import rules as R
from organizations import selectors as S
from organizations.models import Meeting, PartyOrganization, Territory, Unit
from organizations.panels import render_unit_panels
from organizations.scope import get_visible_or_404, restrict


def _territory_param(request) -> Territory | None:
    code = (request.GET.get("territory") or "").strip()
    if not code:
        return None
    # A territory outside the viewer's scope answers exactly like one that does not exist (as the
    # API's ?territory= does), instead of silently showing the whole scope under its name.
    territory = restrict(Territory.objects.filter(code=code), request.user).first()
    if territory is None:
        raise Http404("没有该辖区")
    return territory


@staff_member_required
@permission_required("organizations.view_unit", raise_exception=True)
def unit_profile(request, pk: int):
    """一主体一档: everything known about one unit; higher apps add panels (organizations.panels)."""
    unit = get_visible_or_404(
        Unit.objects.select_related("territory", "organization", "organization__instructor", "instructor"),
        request.user,
        pk=pk,
    )
    org = unit.organization
    context = {
        "unit": unit,
        "coverage": S.COVERAGE_LABELS[S.unit_coverage(unit)],
        "work_covered": bool(unit.instructor_id or (org and org.instructor_id)),
        "should_build": org is None and unit.full_member_count >= R.rules()[R.SHOULD_BUILD].threshold,
        "territory_name": unit.territory.full_name,
        "panels": render_unit_panels(request, unit),
        "can_change": request.user.has_perm("organizations.change_unit"),
        "history_url": reverse("admin:organizations_unit_auditlog", args=[unit.pk]),
    }
    org_visible = org is not None and restrict(PartyOrganization.objects.filter(pk=org.pk), request.user).exists()
    if org is not None:
        context["org_visible"] = org_visible
    if org_visible:
        # The organization's meetings, secretary and history are its own records: shown only to
        # whoever may see the organization, not to everyone who may see one unit it covers.
        context |= {
            "org_chain": [a.name for a in PartyOrganization.objects.get_ancestors(org)],
            "findings": R.findings_for(org),
            "cadence": S.meeting_compliance(org),
            "meetings": Meeting.objects.filter(organization=org).order_by("-held_on")[:8],
            "events": org.events.all()[:10],
            "secretary": org.committee_members.filter(position="secretary").first(),
            "sibling_units": restrict(org.covered_units.exclude(pk=unit.pk), request.user).order_by("name")[:20],
        }
    return render(request, "organizations/unit_profile.html", context)


@staff_member_required
@permission_required("organizations.view_unit", raise_exception=True)
def coverage(request):
    """Coverage by district / street / industry, rule violations per district and 应建未建."""
    # The page holds three tables; ``?list=`` picks which one an export writes.
    key = {"should_build": "organizations.should_build", "violations": "organizations.violations"}.get(
        request.GET.get("list", ""), "organizations.coverage"
    )
    if (exported := list_export(request, key)) is not None:
        return exported
    by = request.GET.get("by") if request.GET.get("by") in S.COVERAGE_GROUPINGS else "district"
    territory = _territory_param(request)
    report = S.coverage_rates(request.user, by=by, territory=territory)
    rules, violation_rows = S.violation_counts_by_district(request.user)
    context = {
        "report": report,
        "by": by,
        "groupings": [(key, label) for key, (label, _depth) in S.COVERAGE_GROUPINGS.items()],
        "territory": territory,
        "rules": rules,
        "violation_rows": violation_rows,
        "should_build": S.should_build_units(request.user)[:20],
        "should_build_rule": R.rules()[R.SHOULD_BUILD],
    }
    return render(request, "organizations/coverage.html", context)


@staff_member_required
@permission_required("organizations.view_partyorganization", raise_exception=True)
def scores(request):
    """软弱涣散/先进 candidates: the bottom 10% and top 15% by the documented score."""
    if (exported := list_export(request, "organizations.scores")) is not None:
        return exported
    territory = _territory_param(request)
    ranking = S.organization_scores(request.user, territory=territory)
    return render(
        request,
        "organizations/scores.html",
        {"ranking": ranking, "doc": S.SCORE_DOC, "territory": territory, "count": len(ranking.rows)},
    )
