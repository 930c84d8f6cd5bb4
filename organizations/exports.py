"""The ground floor's staff pages on the one export path (``core.exports``): coverage (the
grouped table with its filters), the 应建未建 units, rule problems per district, and the
organization scores. Each reads the page's own selector with the page's filters; the 应建未建
and score files hold every row, where the pages show the first 20 and the two candidate lists."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from core.excel import Column
from core.exports import Export, register
from organizations import rules as R
from organizations import selectors as S
from organizations.models import Territory
from organizations.scope import restrict


def _need(user, perm: str) -> None:
    # The pages are staff pages (``staff_member_required``): so are their files.
    if not (user.is_active and user.is_staff and user.has_perm(perm)):
        raise PermissionDenied


def _territory(user, params: dict) -> Territory | None:
    code = str(params.get("territory") or "").strip()
    if not code:
        return None
    territory = restrict(Territory.objects.filter(code=code), user).first()
    if territory is None:
        raise ValidationError(f"辖区代码：{code} 不存在或不在您的管辖范围内")
    return territory


def _pct(part: int, whole: int):
    return round(part * 100 / whole, 1) if whole else None


@register("organizations.coverage", "党组织覆盖情况")
def coverage_export(user, params: dict) -> Export:
    _need(user, "organizations.view_unit")
    by = params.get("by") if params.get("by") in S.COVERAGE_GROUPINGS else "district"
    territory = _territory(user, params)
    report = S.coverage_rates(user, by=by, territory=territory)
    label = {"industry": "行业", "street": "街道"}.get(by, "区")
    where = f"{territory.name} · " if territory else ""
    return Export(
        f"{where}党组织覆盖情况（{S.COVERAGE_GROUPINGS[by][0]}）",
        [
            Column(label, lambda r: r.label),
            Column("单位数", lambda r: r.units, unit="个", total=True),
            Column("单独建", lambda r: r.own, unit="个", total=True),
            Column("联合/区域覆盖", lambda r: r.joint, unit="个", total=True),
            Column("未覆盖", lambda r: r.uncovered, unit="个", total=True),
            Column("组织覆盖率", lambda r: _pct(r.org_covered, r.units), unit="%"),
            Column("工作覆盖率", lambda r: _pct(r.work_covered, r.units), unit="%"),
            Column("应建未建", lambda r: r.should_build, unit="个", total=True),
        ],
        report.rows,
        scope=territory.full_name if territory else "",
    )


@register("organizations.should_build", "应建未建单位")
def should_build_export(user, params: dict) -> Export:
    _need(user, "organizations.view_unit")
    threshold = R.rules()[R.SHOULD_BUILD].threshold
    return Export(
        f"应建未建单位（正式党员{threshold}人以上未建党组织）",
        [
            Column("单位名称", lambda u: u.name),
            Column("统一社会信用代码", lambda u: u.credit_code or None),
            Column("属地", lambda u: u.territory.name),
            Column("正式党员", lambda u: u.full_member_count, unit="人", total=True),
        ],
        S.should_build_units(user),
    )


@register("organizations.violations", "组织设置规则问题（按区）")
def violations_export(user, params: dict) -> Export:
    _need(user, "organizations.view_unit")
    rules, rows = S.violation_counts_by_district(user)
    columns = [Column("区", lambda r: r.label)]
    columns += [Column(rule.name, (lambda r, code=rule.code: r.counts[code]), unit="个", total=True) for rule in rules]
    columns.append(Column("合计", lambda r: r.total, unit="个", total=True))
    return Export("组织设置规则问题（按区）", columns, rows)


@register("organizations.scores", "党组织组织力评分")
def scores_export(user, params: dict) -> Export:
    _need(user, "organizations.view_partyorganization")
    territory = _territory(user, params)
    ranking = S.organization_scores(user, territory=territory)
    weak = {r.organization_id for r in ranking.weak}
    advanced = {r.organization_id for r in ranking.advanced}

    def candidate(row) -> str | None:
        if row.organization_id in weak:
            return "软弱涣散候选"
        return "先进候选" if row.organization_id in advanced else None

    where = f"{territory.name} · " if territory else ""
    return Export(
        f"{where}党组织组织力评分",
        [
            Column("党组织", lambda r: r.name),
            Column("类型", lambda r: r.kind),
            Column("属地", lambda r: r.territory),
            Column("得分", lambda r: r.score, unit="分"),
            Column("候选", candidate),
            Column("三会一课完成率", lambda r: r.cadence, unit="%"),
            Column("参会率", lambda r: r.attendance, unit="%"),
            Column("组织设置规范", lambda r: r.rules_ok),
            Column("选派指导员", lambda r: r.has_instructor),
            Column("配备书记", lambda r: r.has_secretary),
        ],
        ranking.rows,
        scope=territory.full_name if territory else "",
    )
