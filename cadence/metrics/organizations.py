"""Figures of the ground floor, read through ``organizations.selectors`` so the dashboard, the
inventory and the organizations pages show one set of numbers: grassroots organizations,
covered units, organization coverage (own / joint / none), work coverage (党建工作指导员) and
应建未建 (≥3 full members, no organization)."""

from __future__ import annotations

from datetime import date

from django.db.models import Count

from cadence.metrics import NOT_KEPT, Column, Figure, Lens, by_child, grouped, percent, provider, scope_path
from organizations import rules as R
from organizations import selectors as org_selectors
from organizations.models import PartyOrganization, Unit

# Leadership organizations (工委, 综合党委, 行业党委) are not grassroots organizations.
LEADERSHIP_KINDS = (
    PartyOrganization.Kind.WORKING_COMMITTEE,
    PartyOrganization.Kind.COMPREHENSIVE_COMMITTEE,
    PartyOrganization.Kind.INDUSTRY_COMMITTEE,
)


def grassroots_orgs(lens: Lens):
    return (
        lens.apply(PartyOrganization.objects.filter(status=PartyOrganization.Status.ACTIVE))
        .exclude(kind__in=LEADERSHIP_KINDS)
        .select_related("territory", "industry_committee")
        .order_by("path")
    )


def units(lens: Lens):
    return lens.apply(Unit.objects.select_related("territory", "organization")).order_by("territory__path", "name")


def violating(lens: Lens):
    """Organizations breaking a branch rule (≥3 full members, ≤5 units per joint branch, …)."""
    qs = org_selectors.violating_organizations(lens.principal)
    if lens.within_node is not None:
        qs = qs.filter(territory__path__startswith=lens.within_node.path)
    return qs.select_related("territory", "industry_committee")


def _units_where(q):
    return lambda lens: units(lens).filter(q)


@provider(
    "organizations",
    "组织覆盖",
    order=10,
    figures=[
        Figure("orgs", "基层党组织", drill=grassroots_orgs),
        Figure("units", "覆盖单位", "家", drill=units),
        Figure("units_covered", "已组织覆盖", "家", drill=_units_where(org_selectors.JOINT_Q | org_selectors.OWN_Q)),
        Figure("units_own", "单独建立党组织", "家", drill=_units_where(org_selectors.OWN_Q)),
        Figure("units_uncovered", "未覆盖单位", "家", drill=_units_where(org_selectors.NONE_Q), watch="up"),
        Figure("coverage_rate", "组织覆盖率", "%", rate=True),
        Figure("work_covered", "工作覆盖（有指导员）", "家", drill=_units_where(org_selectors.WORK_Q)),
        Figure("work_rate", "工作覆盖率", "%", rate=True),
        # The threshold lives in the rule table: read it when drilling, never at import time
        # (import runs in AppConfig.ready, before a fresh database has tables).
        Figure(
            "should_build",
            "应建未建",
            "家",
            drill=lambda lens: units(lens).filter(org_selectors.should_build_q()),
            watch="up",
        ),
        Figure("violations", "违反组织设置规定", "个", drill=violating, watch="up"),
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
    total = org_selectors.coverage_rates(lens.principal, by="district", territory=lens.within_node).total
    return figures_of(
        grassroots_orgs(lens).count(),
        {
            "units": total.units,
            "own": total.own,
            "joint": total.joint,
            "uncovered": total.uncovered,
            "work": total.work_covered,
            "should_build": total.should_build,
        },
        violating(lens).count(),
    )


def figures_of(orgs: int, u: dict, violations: int) -> dict:
    covered = u["own"] + u["joint"]
    return {
        "orgs": orgs,
        "units": u["units"],
        "units_covered": covered,
        "units_own": u["own"],
        "units_uncovered": u["uncovered"],
        "coverage_rate": percent(covered, u["units"]),
        "work_covered": u["work"],
        "work_rate": percent(u["work"], u["units"]),
        "should_build": u["should_build"],
        "violations": violations,
    }


def _rules_in_force():
    """The branch rules the statements embed (thresholds, severities): known without a query
    inside ``rules_held()`` (a dashboard request, a batch), where they are read once anyway."""
    if not R.holding():
        return NOT_KEPT
    return tuple(sorted(R.rules().items()))


@grouped("organizations", keep_sql=True, salt=_rules_in_force)
def organization_figures_by_child(lens: Lens, children: list, day: date) -> dict[int, dict]:
    """Three grouped passes: units (coverage as ``coverage_rates`` counts it), grassroots
    organizations, and organizations breaking a rule."""
    units = by_child(
        lambda: lens.apply(Unit.objects.all()),
        "territory__path",
        children,
        {
            "units": Count("pk"),
            "own": Count("pk", filter=org_selectors.OWN_Q),
            "joint": Count("pk", filter=org_selectors.JOINT_Q),
            "uncovered": Count("pk", filter=org_selectors.NONE_Q),
            "work": Count("pk", filter=org_selectors.WORK_Q),
            "should_build": Count("pk", filter=org_selectors.should_build_q()),
        },
    )
    orgs = by_child(lambda: grassroots_orgs(lens), scope_path(PartyOrganization), children, {"n": Count("pk")})

    def broken():
        rows = org_selectors.violating_organizations(lens.principal)
        if lens.within_node is not None:
            rows = rows.filter(territory__path__startswith=lens.within_node.path)
        return rows

    violations = by_child(broken, "territory__path", children, {"n": Count("pk")})
    return {pk: figures_of(orgs[pk]["n"], units[pk], violations[pk]["n"]) for pk in units}
