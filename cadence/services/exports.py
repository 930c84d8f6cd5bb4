"""The cadence's lists on the one export path (``core.exports``): weekly reports, key tasks,
rectification items, assessment results, secretary projects, and every dashboard figure's
drill-down. Rows are read through the scope of the user who asked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models

from cadence.metrics import PROVIDERS, Column, Lens
from cadence.models import (
    AssessmentResult,
    KeyTask,
    RectificationItem,
    SecretaryProject,
    WeeklyReport,
)
from cadence.nodes import Node, node_visible
from cadence.periods import PeriodError, from_params
from core import exports
from organizations.scope import restrict, scope_for


@dataclass
class Dataset:
    title: str
    columns: list[Column]
    rows: Callable[[object], models.QuerySet]  # user -> scoped queryset


STATIC_DATASETS: dict[str, Callable[[dict], Dataset]] = {
    "weekly_reports": lambda p: Dataset(
        "周例会报告",
        [
            Column("街道", lambda r: r.street.full_name),
            Column("周次", lambda r: r.week_label),
            Column("状态", lambda r: r.get_status_display()),
            Column("截止时间", lambda r: r.due_at),
            Column("提交时间", lambda r: r.submitted_at),
            Column("本周工作", lambda r: r.work_done),
            Column("存在问题", lambda r: r.problems),
            Column("需协调事项", lambda r: r.help_needed),
            Column("下周计划", lambda r: r.next_week_plan),
            Column("审阅意见", lambda r: r.review_comment),
        ],
        lambda user: restrict(WeeklyReport.objects.select_related("street"), user).order_by(
            "-iso_year", "-iso_week", "street__path"
        ),
    ),
    "key_tasks": lambda p: Dataset(
        "重点任务",
        PROVIDERS["key_tasks"].columns,
        lambda user: restrict(KeyTask.objects.select_related("plan", "lead_body"), user).order_by(
            "plan__year_start", "number"
        ),
    ),
    "rectification_items": lambda p: Dataset(
        "整改事项",
        [
            Column("清单", lambda i: i.rectification.title),
            Column("责任辖区", lambda i: i.rectification.territory.name),
            Column("序号", lambda i: i.number),
            Column("问题", lambda i: i.problem),
            Column("整改措施", lambda i: i.measure),
            Column("责任人/单位", lambda i: i.responsible),
            Column("时限", lambda i: i.due_date),
            Column("状态", lambda i: i.get_status_display()),
            Column("销号说明", lambda i: i.closing_note),
        ],
        lambda user: restrict(RectificationItem.objects.select_related("rectification__territory"), user).order_by(
            "rectification_id", "number"
        ),
    ),
    "assessment_results": lambda p: Dataset(
        "覆盖质量考核结果",
        [
            Column("年度", lambda r: r.scheme.year),
            Column("区", lambda r: r.district.name),
            Column("得分", lambda r: r.score, unit="分"),
            Column(
                "分项",
                lambda r: "；".join(f"{b['label']} {b['points']}/{b['weight']}" for b in r.breakdown),
            ),
        ],
        lambda user: restrict(AssessmentResult.objects.select_related("scheme", "district"), user).order_by(
            "-scheme__year", "-score"
        ),
    ),
    "secretary_projects": lambda p: Dataset(
        "书记项目",
        [
            Column("年度", lambda s: s.year),
            Column("项目", lambda s: s.title),
            Column("书记", lambda s: s.secretary),
            Column("党组织", lambda s: str(s.organization)),
            Column("属地", lambda s: s.territory.name),
            Column("状态", lambda s: s.get_status_display()),
            Column("验收意见", lambda s: s.acceptance_comment),
        ],
        lambda user: restrict(SecretaryProject.objects.select_related("organization", "territory"), user).order_by(
            "-year", "id"
        ),
    ),
}


def drill_dataset(params: dict) -> Dataset:
    prov = PROVIDERS.get(params.get("provider", ""))
    fig = prov.figure(params.get("figure", "")) if prov else None
    if fig is None or fig.drill is None:
        raise ValidationError("该数据项没有明细清单")
    node = Node.parse(params["node"]) if params.get("node") else None
    if params.get("node") and node is None:
        raise ValidationError(f"找不到节点 {params['node']}")
    # The period of the drill-down page the export was asked from (flow figures only).
    try:
        period = from_params(params) if params.get("start") else None
    except PeriodError as exc:
        raise ValidationError(str(exc)) from exc

    def rows(user):
        if prov.perm and not user.has_perm(prov.perm):
            raise ValidationError("您没有查看该明细的权限")
        if node is not None and not node_visible(user, node):
            raise ValidationError("节点不在您的管辖范围内")
        return fig.drill((node.lens if node is not None else Lens(scope_for(user))).during(period))

    where = f"{node.label} · " if node else ""
    return Dataset(f"{where}{prov.label} · {fig.label}", prov.columns, rows)


def _register(key: str, label: str, make: Callable[[dict], Dataset]) -> None:
    def build(user, params):
        ds = make(params)
        return exports.Export(title=ds.title, columns=ds.columns, rows=ds.rows(user))

    exports.register(key, label)(build)


for _key, _make in STATIC_DATASETS.items():
    _register(_key, _make({}).title, _make)
_register("drill", "看板明细", drill_dataset)
