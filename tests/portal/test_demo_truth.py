"""The demo data must illustrate the rules, not contradict them (issue 18): sizes as in the
seeds, a few deliberate violations the rules flag, units with members and some 应建未建, hubs and
committees with organizations and units, co-management across districts, mobile members
co-managed elsewhere, people at stations, a season of weekly reports, the 24 key tasks and
grievances in every state. Proportions, not exact counts, so the demo may grow."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command

from cadence.models import KeyTask, WeeklyReport
from grievances.models import Grievance
from members import demo as members_demo
from members.models import Occupation, PartyMembership, Person
from organizations import demo as organizations_demo
from organizations import rules as R
from organizations import selectors as S
from organizations.demo import demo_streets
from organizations.models import Body, PartyOrganization, Territory, Unit

K = PartyOrganization.Kind


@pytest.fixture
def seeded(db, monkeypatch):
    # The real sizes (5,000 workers in Qinhuai) are for `make run`; the proportions are the same.
    monkeypatch.setattr(members_demo, "QINHUAI_WORKERS", 600)
    monkeypatch.setattr(members_demo, "OTHER_DISTRICT_WORKERS", 40)
    call_command("seed_demo")


def test_demo_tells_the_truth_and_seeds_idempotently(seeded):
    active = PartyOrganization.objects.filter(status=PartyOrganization.Status.ACTIVE)
    branches = active.filter(kind__in=PartyOrganization.BRANCH_KINDS)
    sized = branches.filter(member_count__gte=3, member_count__lte=30).count()
    assert branches.count() > 100 and sized >= 0.9 * branches.count()
    assert not branches.filter(member_count=0).exists()
    current = R.rules()
    assert active.filter(kind=K.GENERAL_BRANCH, member_count__gt=current[R.BRANCH_OVER_MEMBERS].threshold).exists()
    assert active.filter(kind=K.COMMITTEE, member_count__gte=current[R.ORG_OVER_MEMBERS].threshold).exists()

    # A few deliberate violations, each rule shown at least once; never a demo that is mostly wrong.
    figures = R.with_rule_figures(PartyOrganization.objects.all())
    violating = figures.filter(R.any_violation_q(current)).count()
    assert 1 <= violating <= 0.05 * PartyOrganization.objects.count()
    for code in (R.BRANCH_MIN_FULL, R.JOINT_MAX_UNITS, R.BRANCH_OVER_MEMBERS, R.COMMITTEE_REQUIRED):
        assert figures.filter(R.rule_q(code, current[code])).exists(), code

    units = Unit.objects.count()
    assert Unit.objects.filter(member_count__gt=0).count() >= 0.6 * units
    should_build = Unit.objects.filter(S.should_build_q()).count()
    assert 1 <= should_build <= 0.1 * units

    hubs = list(active.filter(kind=K.AREA_COMMITTEE)) + [
        b.organization for b in Body.objects.filter(kind__in=[Body.Kind.HUB, Body.Kind.INDUSTRY_COMPREHENSIVE])
    ]
    assert len(hubs) >= 6
    for hub in hubs:
        assert PartyOrganization.objects.filter(path__startswith=hub.path).exclude(pk=hub.pk).exists(), hub.name
        assert Unit.objects.filter(organization__path__startswith=hub.path).exists(), hub.name

    districts = {t.path: t for t in Territory.objects.filter(level=Territory.Level.DISTRICT)}
    steplen = Territory.steplen
    for committee in PartyOrganization.objects.filter(kind=K.INDUSTRY_COMMITTEE):
        managed = PartyOrganization.objects.filter(industry_committee=committee).values_list(
            "territory__path", flat=True
        )
        assert len({p[: 2 * steplen] for p in managed} & set(districts)) >= 2, committee.name

    mobile = PartyMembership.objects.filter(is_mobile=True)
    assert mobile.exists()
    assert all(m.co_managing_organization_id not in (None, m.organization_id) for m in mobile)

    workers = Person.objects.exclude(occupation=Occupation.OFFICE)
    assert workers.filter(home_station_link__isnull=False).count() >= 0.5 * workers.count()

    # The whole official tree, the demo's activity in its demo streets (organizations.demo).
    assert Territory.objects.filter(level=Territory.Level.STREET).count() == 140
    assert Territory.objects.filter(level=Territory.Level.COMMUNITY).count() == 1322
    streets = len(demo_streets())
    assert streets == sum(len(names) for names in organizations_demo.DEMO_STREETS.values())
    filed = WeeklyReport.objects.exclude(submitted_at=None)
    assert filed.values("street").distinct().count() >= 0.8 * streets
    assert WeeklyReport.objects.values("iso_year", "iso_week").distinct().count() >= 12
    # Each report's prefilled figures are its own week's, as of a day inside that week.
    for report in WeeklyReport.objects.only("iso_year", "iso_week", "figures_as_of"):
        monday = date.fromisocalendar(report.iso_year, report.iso_week, 1)
        assert monday <= report.figures_as_of <= monday + timedelta(days=6), report.pk
    late = [r for r in filed.only("submitted_at", "due_at") if r.submitted_at > r.due_at]
    assert 0 < len(late) < 0.3 * filed.count()

    assert KeyTask.objects.count() == 24
    assert set(Grievance.objects.values_list("state", flat=True)) == set(Grievance.State.values)
    # Issue 16: every case past triage has an owner — 进门难/劳动权益, routed to bodies without an
    # account, reach the street or district (兜底) and are handled there.
    assert not Grievance.objects.filter(state__in=["assigned", "in_progress"], assignee=None).exists()
    fallback = Grievance.objects.filter(category__code__in=["entry", "labour"], body__isnull=False)
    handled = fallback.exclude(state__in=["submitted", "triaged", "duplicate"])
    assert handled.filter(state__in=["resolved", "closed"]).exists() and not handled.filter(assignee=None).exists()

    # Seeding again adds no domain row (idempotent; one seed shared with the checks above, as a
    # full demo seed is the slowest thing in the suite). The audit trail may grow.
    from django.apps import apps

    counts = {m._meta.label: m.objects.count() for m in apps.get_models()}
    call_command("seed_demo")
    again = {m._meta.label: m.objects.count() for m in apps.get_models()}
    changed = {k: (counts[k], again[k]) for k in counts if counts[k] != again[k]}
    changed.pop("auditlog.LogEntry", None)
    assert changed == {}
