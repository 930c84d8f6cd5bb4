"""Reads of the ground floor that carry rules: posts, coverage, 应建未建, rule violations,
三会一课 compliance and the organization score. Dashboards and reports of higher floors reuse
these functions rather than re-deriving the figures, so every screen shows the same numbers."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.utils import timezone

from core.dates import add_months
from organizations import rules as R
from organizations.models import CommitteeMember, Meeting, PartyOrganization, StaffPost, Territory, Unit
from organizations.scope import restrict


def posts_of(user) -> list[StaffPost]:
    if not user.is_authenticated:
        return []
    return list(
        StaffPost.objects.filter(user=user, is_active=True)
        .select_related("territory", "organization", "body")
        .order_by("role", "id")
    )


# --- coverage ------------------------------------------------------------------------------------

Org = PartyOrganization
# A unit has its *own* organization when it is covered by a grassroots organization set up for it
# alone (单独组建); any other covering organization — a joint branch, an area or comprehensive
# committee, one attached elsewhere or built by a parent company — is joint/area coverage.
OWN_ORG_KINDS = (Org.Kind.COMMITTEE, Org.Kind.GENERAL_BRANCH, Org.Kind.BRANCH, Org.Kind.PROVISIONAL_BRANCH)
# Only an active organization covers: one 筹建中, 转出 or 撤销 covers nothing yet (or any more).
ACTIVE_ORG_Q = Q(organization__isnull=False, organization__status=Org.Status.ACTIVE)
_OWN_SHAPE = Q(organization__kind__in=OWN_ORG_KINDS, organization__establishment_mode=Org.EstablishmentMode.SINGLE)
OWN_Q = ACTIVE_ORG_Q & _OWN_SHAPE
JOINT_Q = ACTIVE_ORG_Q & ~_OWN_SHAPE
NONE_Q = ~ACTIVE_ORG_Q
# Work coverage: an active 党建工作指导员 whose 负责辖区 contains the unit guides it directly or
# through its organization; one who left (不在岗) or serves another district covers nothing here.
WORK_Q = Q(
    instructor__isnull=False,
    instructor__is_active=True,
    territory__path__startswith=F("instructor__territory__path"),
) | Q(
    ACTIVE_ORG_Q,
    organization__instructor__isnull=False,
    organization__instructor__is_active=True,
    territory__path__startswith=F("organization__instructor__territory__path"),
)

COVERAGE_OWN, COVERAGE_JOINT, COVERAGE_NONE = "own", "joint", "none"
COVERAGE_LABELS = {COVERAGE_OWN: "单独建立党组织", COVERAGE_JOINT: "联合/区域党组织覆盖", COVERAGE_NONE: "未覆盖"}
COVERAGE_Q = {COVERAGE_OWN: OWN_Q, COVERAGE_JOINT: JOINT_Q, COVERAGE_NONE: NONE_Q}


def unit_coverage(unit: Unit) -> str:
    org = unit.organization
    if org is None or org.status != Org.Status.ACTIVE:
        return COVERAGE_NONE
    if org.kind in OWN_ORG_KINDS and org.establishment_mode == Org.EstablishmentMode.SINGLE:
        return COVERAGE_OWN
    return COVERAGE_JOINT


def should_build_q() -> Q:
    rule = R.rules()[R.SHOULD_BUILD]
    return Q(organization__isnull=True, full_member_count__gte=rule.threshold)


def should_build_units(user) -> QuerySet:
    """应建未建: visible units with ≥3 full Party members (per the rule table) and no organization."""
    return (
        restrict(Unit.objects.all(), user)
        .filter(should_build_q())
        .select_related("territory")
        .order_by("-full_member_count", "id")
    )


@dataclass
class CoverageRow:
    key: str
    label: str
    units: int = 0
    own: int = 0
    joint: int = 0
    uncovered: int = 0
    work_covered: int = 0
    should_build: int = 0
    territory_code: str = ""

    @property
    def org_covered(self) -> int:
        return self.own + self.joint

    @property
    def org_rate(self) -> float | None:
        return self.org_covered / self.units if self.units else None

    @property
    def work_rate(self) -> float | None:
        return self.work_covered / self.units if self.units else None


@dataclass
class CoverageReport:
    by: str
    rows: list[CoverageRow]
    total: CoverageRow = field(default_factory=lambda: CoverageRow("total", "合计"))


COVERAGE_GROUPINGS = {"district": ("按区", 2), "street": ("按街道", 3), "industry": ("按行业", None)}


def coverage_rates(user, *, by: str = "district", territory: Territory | None = None) -> CoverageReport:
    """Organization and work coverage of the units ``user`` may see, grouped by district, street
    or industry (one aggregate query; the labels one more). ``territory`` narrows to a subtree."""
    if by not in COVERAGE_GROUPINGS:
        raise ValueError(f"unknown grouping {by!r}")
    units = restrict(Unit.objects.all(), user)
    if territory is not None:
        units = units.filter(territory__path__startswith=territory.path)
    depth = COVERAGE_GROUPINGS[by][1]
    key = F("industry") if depth is None else Substr("territory__path", 1, Territory.steplen * depth)
    sb = should_build_q()
    aggregated = (
        units.order_by()
        .annotate(group_key=key)
        .values("group_key")
        .annotate(
            n=Count("pk"),
            own=Count("pk", filter=OWN_Q),
            joint=Count("pk", filter=JOINT_Q),
            uncovered=Count("pk", filter=NONE_Q),
            work=Count("pk", filter=WORK_Q),
            sb=Count("pk", filter=sb),
        )
    )
    rows = [
        CoverageRow(
            key=row["group_key"] or "",
            label="",
            units=row["n"],
            own=row["own"],
            joint=row["joint"],
            uncovered=row["uncovered"],
            work_covered=row["work"],
            should_build=row["sb"],
        )
        for row in aggregated
    ]
    if depth is None:
        labels = dict(Unit.Industry.choices)
        for row in rows:
            row.label = str(labels.get(row.key, row.key))
    else:
        nodes = {
            t.path: t
            for t in Territory.objects.filter(path__in=[r.key for r in rows]).only("path", "name", "code", "depth")
        }
        for row in rows:
            node = nodes.get(row.key)
            row.label = node.name if node else "—"
            row.territory_code = node.code if node else ""
            if node is not None and node.depth < depth:
                row.label = f"{node.name}（直属）"
    rows.sort(key=lambda r: r.key)
    total = CoverageRow("total", "合计")
    for row in rows:
        for name in ("units", "own", "joint", "uncovered", "work_covered", "should_build"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return CoverageReport(by=by, rows=rows, total=total)


# --- rule violations -----------------------------------------------------------------------------


def organizations_with_figures(user) -> QuerySet:
    return R.with_rule_figures(restrict(PartyOrganization.objects.all(), user))


def violating_organizations(user, *, code: str | None = None) -> QuerySet:
    """Visible organizations breaking rule ``code`` (or any organization rule)."""
    current = R.rules()
    q = R.rule_q(code, current[code]) if code else R.any_violation_q(current)
    return organizations_with_figures(user).filter(q).select_related("territory").order_by("path")


@dataclass
class ViolationRow:
    label: str
    territory_code: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def violation_counts_by_district(user) -> tuple[list[R.Rule], list[ViolationRow]]:
    """Per district, how many visible organizations break each organization rule (one query)."""
    current = R.rules()
    codes = [c for c in R.ORGANIZATION_RULES if current[c].is_active]
    flags = {
        f"v_{code}": Case(
            When(R.rule_q(code, current[code]), then=Value(1)), default=Value(0), output_field=IntegerField()
        )
        for code in codes
    }
    rows = (
        organizations_with_figures(user)
        .order_by()
        .annotate(district=Substr("territory__path", 1, Territory.steplen * 2), **flags)
        .values("district")
        .annotate(**{code: Sum(f"v_{code}") for code in codes})
    )
    rows = [r for r in rows if any(r[c] for c in codes)]
    nodes = {t.path: t for t in Territory.objects.filter(path__in=[r["district"] for r in rows])}
    result = []
    for row in sorted(rows, key=lambda r: r["district"]):
        node = nodes.get(row["district"])
        result.append(
            ViolationRow(
                label=(node.name if node else "—") if node is None or node.depth == 2 else f"{node.name}（直属）",
                territory_code=node.code if node else "",
                counts={code: row[code] or 0 for code in codes},
            )
        )
    return [current[c] for c in codes], result


# --- 三会一课 ------------------------------------------------------------------------------------

CADENCE_KINDS = {
    "general_assembly": Meeting.Kind.GENERAL_ASSEMBLY,
    "committee_meeting": Meeting.Kind.COMMITTEE_MEETING,
    "group_meeting": Meeting.Kind.GROUP_MEETING,
    "theme_day": Meeting.Kind.THEME_DAY,
    "party_lecture": Meeting.Kind.PARTY_LECTURE,
    "life_meeting": Meeting.Kind.LIFE_MEETING,
}


def _has_party_groups() -> Exists:
    return Exists(
        PartyOrganization.objects.filter(
            path__startswith=OuterRef("path"), depth=OuterRef("depth") + 1, kind=Org.Kind.PARTY_GROUP
        )
    )


def applicable_q(kind: str) -> Q:
    """Which organizations a cadence applies to: 支委会 only where there is a committee, 党小组会
    only where there are party groups; the rest to every grassroots organization. Needs
    ``committee_size`` and ``has_groups`` annotations (``with_cadence_figures``)."""
    if kind == Meeting.Kind.COMMITTEE_MEETING:
        return Q(committee_size__gte=R.MIN_COMMITTEE_SIZE) | Q(kind__in=[Org.Kind.COMMITTEE, Org.Kind.GENERAL_BRANCH])
    if kind == Meeting.Kind.GROUP_MEETING:
        return Q(has_groups=True)
    return Q(pk__isnull=False)


def with_cadence_figures(queryset: QuerySet) -> QuerySet:
    return R.with_rule_figures(queryset).annotate(has_groups=_has_party_groups())


def overdue_q(today: dt.date | None = None) -> Q:
    """Active grassroots organizations with at least one cadence overdue (needs ``with_cadence_figures``)."""
    today = today or timezone.localdate()
    q = Q(pk__in=[])
    for rule_kind, months in R.cadence_months().items():
        kind = CADENCE_KINDS[rule_kind]
        cutoff = add_months(today, -months)
        recent = Exists(Meeting.objects.filter(organization=OuterRef("pk"), kind=kind, held_on__gte=cutoff))
        q |= applicable_q(kind) & ~recent & ~Q(founded_on__gt=cutoff)
    return Q(status=Org.Status.ACTIVE, kind__in=Org.GRASSROOTS_KINDS) & q


@dataclass
class CadenceStatus:
    kind: str
    label: str
    months: int
    last_held_on: dt.date | None
    due_on: dt.date | None
    overdue: bool


def meeting_compliance(org: PartyOrganization, today: dt.date | None = None) -> list[CadenceStatus]:
    """三会一课 of one organization: for each applicable cadence, the last meeting, when the next
    is due and whether it is overdue."""
    today = today or timezone.localdate()
    months_by_kind = {CADENCE_KINDS[k]: m for k, m in R.cadence_months().items()}
    figures = (
        with_cadence_figures(PartyOrganization.objects.filter(pk=org.pk))
        .annotate(
            **{f"last_{k}": Max("meetings__held_on", filter=Q(meetings__kind=k)) for k in months_by_kind},
            **{
                f"applies_{k}": Case(
                    When(applicable_q(k), then=Value(True)), default=Value(False), output_field=BooleanField()
                )
                for k in months_by_kind
            },
        )
        .values(*[f"last_{k}" for k in months_by_kind], *[f"applies_{k}" for k in months_by_kind])
        .first()
    )
    if figures is None or org.kind not in Org.GRASSROOTS_KINDS:
        return []
    labels = dict(Meeting.Kind.choices)
    result = []
    for kind, months in months_by_kind.items():
        if not figures[f"applies_{kind}"]:
            continue
        last = figures[f"last_{kind}"]
        start = last or org.founded_on
        due = add_months(start, months) if start else None
        result.append(
            CadenceStatus(
                kind=kind,
                label=str(labels[kind]),
                months=months,
                last_held_on=last,
                due_on=due,
                overdue=org.status == Org.Status.ACTIVE and (due is None or due < today),
            )
        )
    return result


# --- organization score (weak / advanced) --------------------------------------------------------

SCORE_DOC = """组织力评分（满分100）按近12个月计算：
① 三会一课落实 50 分：各适用会议类型按周期应开次数（12÷周期月数）与实开次数（不超过应开数）之比；
② 参会率 20 分：实到人数合计 ÷ 应到人数合计；
③ 组织设置规范 15 分：无“错误”“警示”级规则问题得 15 分，否则 0 分；
④ 指导与班子 15 分：选派党建工作指导员 8 分，配备书记 7 分。
按得分从低到高排序，后 10% 列为软弱涣散候选，前 15% 列为先进候选（向上取整）。"""


@dataclass
class OrganizationScore:
    organization_id: int
    name: str
    kind: str
    territory: str
    score: float
    cadence: float
    attendance: float
    rules_ok: bool
    has_instructor: bool
    has_secretary: bool


@dataclass
class ScoreRanking:
    rows: list[OrganizationScore]
    weak: list[OrganizationScore]
    advanced: list[OrganizationScore]


def organization_scores(user, *, today: dt.date | None = None, territory: Territory | None = None) -> ScoreRanking:
    """Score every visible active grassroots organization (one query) and rank them."""
    today = today or timezone.localdate()
    since = add_months(today, -12)
    cadence = {CADENCE_KINDS[k]: m for k, m in R.cadence_months().items()}
    current = R.rules()
    qs = with_cadence_figures(
        restrict(PartyOrganization.objects.all(), user).filter(status=Org.Status.ACTIVE, kind__in=Org.GRASSROOTS_KINDS)
    )
    if territory is not None:
        qs = qs.filter(territory__path__startswith=territory.path)
    in_window = Q(meetings__held_on__gte=since, meetings__held_on__lte=today)
    qs = qs.order_by().annotate(
        **{f"n_{k}": Count("meetings", filter=in_window & Q(meetings__kind=k)) for k in cadence},
        **{
            f"applies_{k}": Case(
                When(applicable_q(k), then=Value(True)), default=Value(False), output_field=BooleanField()
            )
            for k in cadence
        },
        attended=Coalesce(Sum("meetings__attended_count", filter=in_window), 0),
        expected=Coalesce(Sum("meetings__expected_count", filter=in_window), 0),
        has_secretary=Exists(CommitteeMember.objects.filter(organization=OuterRef("pk"), position="secretary")),
        breaks_rules=Case(
            When(R.any_violation_q(current, severities=("error", "warning")), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        territory_name=F("territory__name"),
    )
    fields = ["pk", "name", "kind", "territory_name", "instructor_id", "attended", "expected", "has_secretary"]
    fields += ["breaks_rules", *[f"n_{k}" for k in cadence], *[f"applies_{k}" for k in cadence]]
    kind_labels = dict(Org.Kind.choices)
    rows = []
    for row in qs.values(*fields):
        wanted = got = 0
        for kind, months in cadence.items():
            if row[f"applies_{kind}"]:
                expected = max(12 // months, 1)
                wanted += expected
                got += min(row[f"n_{kind}"], expected)
        cadence_share = got / wanted if wanted else 0.0
        attendance = row["attended"] / row["expected"] if row["expected"] else 0.0
        has_instructor = row["instructor_id"] is not None
        score = 50 * cadence_share + 20 * attendance + (0 if row["breaks_rules"] else 15)
        score += (8 if has_instructor else 0) + (7 if row["has_secretary"] else 0)
        rows.append(
            OrganizationScore(
                organization_id=row["pk"],
                name=row["name"],
                kind=str(kind_labels.get(row["kind"], row["kind"])),
                territory=row["territory_name"],
                score=round(score, 1),
                cadence=round(cadence_share * 100, 1),
                attendance=round(attendance * 100, 1),
                rules_ok=not row["breaks_rules"],
                has_instructor=has_instructor,
                has_secretary=row["has_secretary"],
            )
        )
    rows.sort(key=lambda r: (r.score, r.name, r.organization_id))
    n = len(rows)
    weak = rows[: math.ceil(n * 0.10)] if n else []
    advanced_count = math.ceil(n * 0.15) if n else 0
    advanced = list(reversed(rows[n - advanced_count :])) if advanced_count else []
    weak_ids = {r.organization_id for r in weak}
    advanced = [r for r in advanced if r.organization_id not in weak_ids]
    return ScoreRanking(rows=rows, weak=weak, advanced=advanced)
