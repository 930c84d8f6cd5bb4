"""先锋指数 rankings on the one export path (``core.exports``): the members of an index with
each indicator's raw value and weighted part, and the organizations' averages. Rows come from
the page's selector (``selectors.ranking``), so a street's file holds only its own members, and
ranks appear only where the page ranks (weights sum to 100 and the sample is large enough)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from assessment import selectors
from core.excel import Column
from core.exports import Export, register


def _ranking(user, params: dict):
    if not user.has_perm("assessment.view_vanguardindex"):
        raise PermissionDenied
    raw = str(params.get("index") or "")
    index = None
    if raw.isdigit():
        index = selectors.indices_visible(user).select_related("territory", "organization").filter(pk=raw).first()
    if index is None:
        raise ValidationError("先锋指数不存在或不在您的管辖范围内")
    return selectors.ranking(index, user)


def _unranked_reason(result) -> str:
    return "权重合计不等于100，未排名" if not result.weights_ok else "样本不足，未排名"


@register("assessment.ranking", "党员先锋指数排名")
def ranking_export(user, params: dict) -> Export:
    result = _ranking(user, params)
    columns = [
        Column("名次", lambda m: m.rank if result.ranked else _unranked_reason(result)),
        Column("姓名", lambda m: m.name),
        Column("所在党组织", lambda m: m.organization),
    ]
    for indicator in result.indicators:
        columns += [
            Column(f"{indicator.name}·原始值", lambda m, pk=indicator.pk: m.raw[pk]),
            Column(f"{indicator.name}·得分", lambda m, pk=indicator.pk: m.parts[pk], unit=f"满分{indicator.weight}"),
        ]
    columns.append(Column("先锋指数", lambda m: m.total, unit="分"))
    return Export(f"{result.index}·党员排名", columns, result.members)


@register("assessment.organizations", "党组织平均先锋指数")
def organizations_export(user, params: dict) -> Export:
    result = _ranking(user, params)
    return Export(
        f"{result.index}·党组织平均",
        [
            Column("党组织", lambda o: o["organization"]),
            Column("参评党员", lambda o: o["members"], unit="人", total=True),
            Column("平均指数", lambda o: o["average"] if o["average"] is not None else "样本不足", unit="分"),
        ],
        result.organizations,
    )
