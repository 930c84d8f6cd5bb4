"""The members staff pages on the one export path (``core.exports``): the distribution analysis
(every figure and chart table of the page, one row per category) and the two lists of the work
board (open transfers, dues arrears). Each reads the page's own selector with the page's filter,
so the file holds what the page shows; the board's lists come whole, where the page shows the
first 50."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.excel import Column
from core.exports import Export, register
from members.models import Transfer
from members.selectors import dues_arrears, member_distribution, months_in_arrears, transfers_visible, worker_counts
from organizations.models import Territory
from organizations.scope import restrict

# The page's charts, in its order (members.views.CHARTS holds the same titles for the screen).
DISTRIBUTION_GROUPS = [
    ("by_district", "按区分布"),
    ("by_street", "按街道分布（前30）"),
    ("by_industry", "按所在单位行业"),
    ("by_occupation", "按职业类别"),
    ("by_age_band", "按年龄段"),
    ("by_status", "正式/预备"),
    ("by_kind", "流动、隐形、失联、新就业群体党员"),
]
TOTALS = [
    ("total", "党员总数"),
    ("full", "正式党员"),
    ("probationary", "预备党员"),
    ("mobile", "流动党员"),
    ("invisible", "隐形党员"),
    ("lost_contact", "失联党员"),
    ("new_employment", "新就业群体党员"),
]


def _need_members(user) -> None:
    if not user.has_perm("members.view_partymembership"):
        raise PermissionDenied


def territory_param(user, params: dict) -> Territory | None:
    code = str(params.get("territory") or "").strip()
    if not code:
        return None
    territory = restrict(Territory.objects.all(), user).filter(code=code).first()
    if territory is None:
        raise ValidationError(f"范围：辖区 {code} 不存在或不在您的管辖范围内")
    return territory


@register("members.distribution", "党员分布分析")
def distribution_export(user, params: dict) -> Export:
    _need_members(user)
    territory = territory_param(user, params)
    data = member_distribution(user, territory=territory)
    rows = [("总体", label, getattr(data, key)) for key, label in TOTALS]
    rows.append(("总体", "新就业群体劳动者", worker_counts(user)["workers"]))
    for key, title in DISTRIBUTION_GROUPS:
        rows += [(title, label, n) for label, n in getattr(data, key)]
    where = f"（{territory.full_name}）" if territory else ""
    return Export(
        f"党员分布分析{where}",
        # No totals row: the groups overlap (a member is in every grouping), so a sum means nothing.
        [
            Column("分组", lambda r: r[0]),
            Column("类别", lambda r: r[1]),
            Column("人数", lambda r: r[2], unit="人"),
        ],
        rows,
        scope=territory.full_name if territory else "",
    )


@register("members.transfers", "办理中的组织关系转接")
def transfers_export(user, params: dict) -> Export:
    _need_members(user)
    rows = (
        transfers_visible(user)
        .filter(status__in=Transfer.OPEN_STATUSES)
        .select_related("membership__person", "from_organization", "to_organization")
        .order_by("valid_until", "pk")
    )
    return Export(
        "办理中的组织关系转接",
        [
            Column("党员", lambda t: t.membership.person.name),
            Column("转出党组织", lambda t: t.from_organization),
            Column("转入党组织", lambda t: t.to_organization),
            Column("状态", lambda t: t.get_status_display()),
            Column("有效期至", lambda t: t.valid_until),
        ],
        rows,
    )


@register("members.arrears", "党费欠缴预警")
def arrears_export(user, params: dict) -> Export:
    _need_members(user)
    today = timezone.localdate()
    return Export(
        "党费欠缴预警（连续6个月及以上未交）",
        [
            Column("党员", lambda m: m.person.name),
            Column("所在党组织", lambda m: m.organization),
            Column("最近交纳月份", lambda m: m.last_paid.strftime("%Y-%m") if m.last_paid else "从未交纳"),
            Column("未交月数", lambda m: months_in_arrears(m, today=today), unit="个月"),
        ],
        dues_arrears(user, today=today),
    )
