"""The branch rules (党支部工作条例) as data-driven checks.

Thresholds live in the ``BranchRule`` table (editable in the admin by the municipal committee);
this module holds what each rule *means*: a queryset filter (for the admin's violation filter,
the per-district counts and the API) and a per-object check (for forms and services). Both read
the same thresholds, so the list and the form never disagree.

Rules and their defaults:

* ``branch_min_full_members`` (3, error) — a branch needs at least 3 full members; activating one
  with fewer is refused. This holds for a joint branch too: the regulation lets units with too few
  members *form* a joint branch together, but the joint branch itself still needs 3 full members
  (条例第六条), so ``formed_for_shortage`` records why it was formed and exempts nothing.
* ``joint_branch_max_units`` (5, warning) — a joint branch normally covers at most 5 units; more
  needs a recorded reason (``over_limit_reason``) before it can be saved.
* ``branch_over_members`` (50, advisory) — a branch above 50 members should consider a 党总支.
* ``organization_over_members`` (100, advisory) — an organization of 100+ members should consider a 党委.
* ``committee_required`` (7, warning) — with 7+ full members a committee (书记 + at least 2 委员) is required.
* ``should_build_min_full_members`` (3) — a unit with this many full members and no organization
  is 应建未建.
* ``cadence_*`` — 三会一课 cadences in months (党员大会 3, 支委会 1, 党小组会 1, 主题党日 1, 党课 3, 组织生活会 12).
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

BRANCH_MIN_FULL = "branch_min_full_members"
JOINT_MAX_UNITS = "joint_branch_max_units"
BRANCH_OVER_MEMBERS = "branch_over_members"
ORG_OVER_MEMBERS = "organization_over_members"
COMMITTEE_REQUIRED = "committee_required"
SHOULD_BUILD = "should_build_min_full_members"

# A committee (支委会) is the secretary plus at least two members.
MIN_COMMITTEE_SIZE = 3

DEFAULT_RULES = [
    # code, name, threshold, severity, message, basis
    (
        BRANCH_MIN_FULL,
        "党支部正式党员不少于3人",
        3,
        "error",
        "正式党员不足{threshold}人，不能成立党支部（联合党支部同样须有{threshold}名以上正式党员）",
        "《中国共产党支部工作条例（试行）》第六条",
    ),
    (
        JOINT_MAX_UNITS,
        "联合党支部覆盖单位一般不超过5家",
        5,
        "warning",
        "联合党支部覆盖单位超过{threshold}家，须记录理由",
        "《中国共产党支部工作条例（试行）》第六条",
    ),
    (
        BRANCH_OVER_MEMBERS,
        "党支部党员超过50人宜设党总支",
        50,
        "advisory",
        "党员超过{threshold}人，可考虑成立党总支",
        "《中国共产党支部工作条例（试行）》第七条",
    ),
    (
        ORG_OVER_MEMBERS,
        "党员100人以上宜设党委",
        100,
        "advisory",
        "党员达到{threshold}人，可考虑成立基层党委",
        "《中国共产党章程》第三十条",
    ),
    (
        COMMITTEE_REQUIRED,
        "正式党员7人以上应设支部委员会",
        7,
        "warning",
        "正式党员达到{threshold}人，应设立支部委员会（书记及至少2名委员）",
        "《中国共产党支部工作条例（试行）》第十八条",
    ),
    (
        SHOULD_BUILD,
        "单位正式党员3人以上应建立党组织",
        3,
        "error",
        "单位正式党员达到{threshold}人且未建立党组织（应建未建）",
        "《中国共产党章程》第三十条",
    ),
    (
        "cadence_general_assembly",
        "党员大会召开周期（月）",
        3,
        "warning",
        "党员大会每{threshold}个月至少召开一次",
        "三会一课",
    ),
    (
        "cadence_committee_meeting",
        "支委会召开周期（月）",
        1,
        "warning",
        "支委会每{threshold}个月至少召开一次",
        "三会一课",
    ),
    (
        "cadence_group_meeting",
        "党小组会召开周期（月）",
        1,
        "warning",
        "党小组会每{threshold}个月至少召开一次",
        "三会一课",
    ),
    ("cadence_theme_day", "主题党日周期（月）", 1, "warning", "主题党日每{threshold}个月至少开展一次", "三会一课"),
    ("cadence_party_lecture", "党课周期（月）", 3, "warning", "党课每{threshold}个月至少讲一次", "三会一课"),
    (
        "cadence_life_meeting",
        "组织生活会周期（月）",
        12,
        "warning",
        "组织生活会每{threshold}个月至少召开一次",
        "三会一课",
    ),
]

# Rules about one organization, in the order they are shown.
ORGANIZATION_RULES = (BRANCH_MIN_FULL, JOINT_MAX_UNITS, BRANCH_OVER_MEMBERS, ORG_OVER_MEMBERS, COMMITTEE_REQUIRED)


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    threshold: int
    severity: str
    message: str
    is_active: bool = True

    @property
    def text(self) -> str:
        return self.message.format(threshold=self.threshold)


def ensure_default_rules() -> int:
    """Create missing rule rows with their default thresholds (never overwrites an edited row)."""
    from organizations.models import BranchRule

    existing = set(BranchRule.objects.values_list("code", flat=True))
    missing = [
        BranchRule(
            code=code, name=name, threshold=threshold, severity=severity, message=message, basis=basis, sort_order=i
        )
        for i, (code, name, threshold, severity, message, basis) in enumerate(DEFAULT_RULES)
        if code not in existing
    ]
    BranchRule.objects.bulk_create(missing)
    return len(missing)


# Inside ``rules_held()``: a one-slot holder of the rules read (empty until the first read).
_held: ContextVar[list | None] = ContextVar("branch_rules_held", default=None)


@contextmanager
def rules_held():
    """One unit of work (a dashboard request, a nightly batch, the monthly job) reads the rule
    table once: every ``rules()`` inside gives the rules read first. Nested, the outer holds.
    Nothing outlives the block, so an edited rule is seen by the next request."""
    if _held.get() is not None:
        yield
        return
    token = _held.set([])
    try:
        yield
    finally:
        _held.reset(token)


def holding() -> bool:
    """Whether this is inside ``rules_held()``: ``rules()`` then reads the table at most once."""
    return _held.get() is not None


def rules() -> dict[str, Rule]:
    """The rules in force: rows of the table, defaults for codes that have no row yet."""
    held = _held.get()
    if held:
        return held[0]
    result = _read_rules()
    if held is not None:
        held.append(result)
    return result


def _read_rules() -> dict[str, Rule]:
    from organizations.models import BranchRule

    result = {
        code: Rule(code, name, threshold, severity, message)
        for code, name, threshold, severity, message, _basis in DEFAULT_RULES
    }
    for row in BranchRule.objects.all():
        result[row.code] = Rule(row.code, row.name, row.threshold, row.severity, row.message, row.is_active)
    return result


def cadence_months() -> dict[str, int]:
    """三会一课: meeting kind → the longest allowed gap in months, for the active cadence rules."""
    return {
        code.removeprefix("cadence_"): r.threshold
        for code, r in rules().items()
        if code.startswith("cadence_") and r.is_active
    }


# --- querysets ---------------------------------------------------------------------------------


def with_rule_figures(queryset: QuerySet) -> QuerySet:
    """Annotate ``covered_unit_total`` and ``committee_size`` (two correlated subqueries)."""
    from organizations.models import CommitteeMember, Unit

    units = Unit.objects.filter(organization=OuterRef("pk")).order_by().values("organization")
    committee = CommitteeMember.objects.filter(organization=OuterRef("pk")).order_by().values("organization")
    return queryset.annotate(
        covered_unit_total=Coalesce(
            Subquery(units.annotate(c=Count("pk")).values("c")[:1], output_field=IntegerField()), 0
        ),
        committee_size=Coalesce(
            Subquery(committee.annotate(c=Count("pk")).values("c")[:1], output_field=IntegerField()), 0
        ),
    )


def rule_q(code: str, rule: Rule | None = None) -> Q:
    """The organizations breaking rule ``code``; needs ``with_rule_figures`` for the count rules."""
    from organizations.models import PartyOrganization as Org

    rule = rule or rules()[code]
    if not rule.is_active:
        return Q(pk__in=[])
    t = rule.threshold
    active = Q(status=Org.Status.ACTIVE)
    if code == BRANCH_MIN_FULL:
        return active & Q(kind__in=Org.BRANCH_KINDS, full_member_count__lt=t)
    if code == JOINT_MAX_UNITS:
        return active & Q(kind=Org.Kind.JOINT_BRANCH, covered_unit_total__gt=t, over_limit_reason="")
    if code == BRANCH_OVER_MEMBERS:
        return active & Q(kind__in=Org.BRANCH_KINDS, member_count__gt=t)
    if code == ORG_OVER_MEMBERS:
        return active & Q(kind__in=[*Org.BRANCH_KINDS, Org.Kind.GENERAL_BRANCH], member_count__gte=t)
    if code == COMMITTEE_REQUIRED:
        return active & Q(kind__in=Org.BRANCH_KINDS, full_member_count__gte=t, committee_size__lt=MIN_COMMITTEE_SIZE)
    raise KeyError(code)


def any_violation_q(current: dict[str, Rule] | None = None, severities=("error", "warning", "advisory")) -> Q:
    current = current or rules()
    q = Q(pk__in=[])
    for code in ORGANIZATION_RULES:
        if current[code].severity in severities:
            q |= rule_q(code, current[code])
    return q


def with_violation_flags(queryset: QuerySet, current: dict[str, Rule] | None = None) -> QuerySet:
    """Annotate ``v_<code>`` (True when the row breaks that rule) for each organization rule:
    a list can say *which* rule each row breaks without a query per row."""
    from django.db.models import BooleanField, Case, Value, When

    current = current or rules()
    if "covered_unit_total" not in queryset.query.annotations:
        queryset = with_rule_figures(queryset)
    return queryset.annotate(
        **{
            f"v_{code}": Case(
                When(rule_q(code, current[code]), then=Value(True)), default=Value(False), output_field=BooleanField()
            )
            for code in ORGANIZATION_RULES
        }
    )


def flagged_findings(org, current: dict[str, Rule]) -> list[Finding]:
    """The findings of a row annotated by ``with_violation_flags``."""
    return [
        Finding(code, current[code].severity, current[code].text)
        for code in ORGANIZATION_RULES
        if getattr(org, f"v_{code}", False)
    ]


# --- one object --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    text: str

    @property
    def severity_label(self) -> str:
        return {"error": "错误", "warning": "警示", "advisory": "建议"}[self.severity]


def findings_for(org) -> list[Finding]:
    """Which rules ``org`` breaks now (one query for its figures)."""
    from organizations.models import PartyOrganization

    current = rules()
    qs = with_rule_figures(PartyOrganization.objects.filter(pk=org.pk))
    annotations = {code: rule_q(code, current[code]) for code in ORGANIZATION_RULES}
    from django.db.models import BooleanField, Case, Value, When

    row = (
        qs.annotate(
            **{
                f"v_{code}": Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())
                for code, q in annotations.items()
            }
        )
        .values(*[f"v_{code}" for code in ORGANIZATION_RULES])
        .first()
    )
    if row is None:
        return []
    return [
        Finding(code, current[code].severity, current[code].text) for code in ORGANIZATION_RULES if row[f"v_{code}"]
    ]


def check_on_save(org) -> None:
    """The form-time errors of ``PartyOrganization.clean``: activating an under-strength branch,
    and a joint branch over the unit limit without a recorded reason."""
    from organizations.models import PartyOrganization as Org

    current = rules()
    errors: dict[str, str] = {}
    minimum = current[BRANCH_MIN_FULL]
    was_active = bool(org.pk) and Org.objects.filter(pk=org.pk, status=Org.Status.ACTIVE).exists()
    if (
        minimum.is_active
        and org.status == Org.Status.ACTIVE
        and not was_active
        and org.kind in Org.BRANCH_KINDS
        and org.full_member_count < minimum.threshold
    ):
        errors["status"] = (
            f"{org.get_kind_display()}正式党员{org.full_member_count}人，不足{minimum.threshold}人，不能设为“正常”。"
            "请先保持“筹建中”（联合党支部同样须有正式党员3人以上）"
        )
    limit = current[JOINT_MAX_UNITS]
    if limit.is_active and org.pk and org.kind == Org.Kind.JOINT_BRANCH and not org.over_limit_reason.strip():
        covered = org.covered_units.count()
        if covered > limit.threshold:
            errors["over_limit_reason"] = f"该联合党支部覆盖{covered}家单位，超过{limit.threshold}家，须填写超限理由"
    if errors:
        raise ValidationError(errors)


def check_unit_assignment(unit) -> None:
    """Placing a unit under a joint branch must not push it over the limit without a reason."""
    from organizations.models import PartyOrganization as Org

    org = unit.organization if unit.organization_id else None
    if org is None or org.kind != Org.Kind.JOINT_BRANCH or org.over_limit_reason.strip():
        return
    limit = rules()[JOINT_MAX_UNITS]
    if not limit.is_active:
        return
    others = org.covered_units.exclude(pk=unit.pk).count()
    if others + 1 > limit.threshold:
        raise ValidationError(
            {
                "organization": f"联合党支部“{org.name}”已覆盖{others}家单位，再加入将超过{limit.threshold}家；"
                "请先在该党组织中填写“覆盖单位超限理由”"
            }
        )


def advisories_for(org) -> list[Finding]:
    return [f for f in findings_for(org) if f.severity == "advisory"]
