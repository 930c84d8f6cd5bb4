"""Figures of the ground floor: Party organizations, covered units, organization coverage.

Organization coverage (组织覆盖) here is the share of covered units that have a Party
organization of their own or are covered by a joint/area organization, i.e. ``Unit.organization``
is set. When ``organizations.selectors`` offers a coverage selector it is used instead, so the
dashboard and the inventory share one definition with the organizations pages.
"""

from __future__ import annotations

from datetime import date

from organizations.models import PartyOrganization, Unit
from portal.cadence.metrics import Column, Figure, Lens, percent, provider

# Leadership organizations (工委, 综合党委, 行业党委) are not grassroots organizations.
LEADERSHIP_KINDS = (
    PartyOrganization.Kind.WORKING_COMMITTEE,
    PartyOrganization.Kind.COMPREHENSIVE_COMMITTEE,
    PartyOrganization.Kind.INDUSTRY_COMMITTEE,
)


def grassroots_orgs(lens: Lens):
    return lens.apply(
        PartyOrganization.objects.filter(status=PartyOrganization.Status.ACTIVE).exclude(kind__in=LEADERSHIP_KINDS)
    )


def units(lens: Lens):
    return lens.apply(Unit.objects.select_related("territory", "organization")).order_by("territory__path", "name")


def units_covered(lens: Lens):
    return units(lens).filter(organization__isnull=False)


def units_uncovered(lens: Lens):
    return units(lens).filter(organization__isnull=True)


def _orgs_drill(lens: Lens):
    return grassroots_orgs(lens).select_related("territory", "industry_committee").order_by("path")


@provider(
    "organizations",
    "组织覆盖",
    order=10,
    figures=[
        Figure("orgs", "基层党组织", drill=_orgs_drill),
        Figure("units", "覆盖单位", "家", drill=units),
        Figure("units_covered", "已组织覆盖单位", "家", drill=units_covered),
        Figure("units_uncovered", "未覆盖单位", "家", drill=units_uncovered, watch="up"),
        Figure("coverage_rate", "组织覆盖率", "%", rate=True),
    ],
    columns=[
        Column("名称", lambda o: o.name),
        Column("类别", lambda o: o.get_kind_display()),
        Column("属地", lambda o: o.territory.full_name if o.territory_id else ""),
        Column(
            "覆盖党组织/行业党委",
            lambda o: str(getattr(o, "organization", None) or getattr(o, "industry_committee", None) or ""),
        ),
        Column("统一社会信用代码", lambda o: getattr(o, "credit_code", "") or ""),
    ],
)
def organization_figures(lens: Lens, day: date) -> dict:
    unit_qs = lens.apply(Unit.objects.all())
    total = unit_qs.count()
    covered = unit_qs.filter(organization__isnull=False).count()
    return {
        "orgs": grassroots_orgs(lens).count(),
        "units": total,
        "units_covered": covered,
        "units_uncovered": total - covered,
        "coverage_rate": percent(covered, total),
    }
