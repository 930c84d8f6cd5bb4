"""Verification tasks (核实任务) on the one export path (``core.exports``): the street's list
with the same filter as the page and the same masking of ID numbers (``row_view``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from core.excel import Column
from core.exports import Export, register
from surveys import selectors
from surveys.models import VerificationTask

TASK_FILTERS = {
    "pending": ("待核实", {"status": VerificationTask.Status.PENDING}),
    "done": ("已处理", {"status__in": [s for s in VerificationTask.Status.values if s != "pending"]}),
    "all": ("全部", {}),
}


def task_rows(user, show: str):
    _label, lookup = TASK_FILTERS.get(show, TASK_FILTERS["pending"])
    return (
        VerificationTask.objects.visible_to(user)
        .filter(**lookup)
        .select_related("batch", "row", "territory")
        .order_by("-batch_id", "row__row_number")
    )


def _changes(view: dict) -> str:
    lines = [f"{c['label']}：{c['before']} → {c['after']}" for c in view["diff"]]
    lines += [f"{i.get('column', '')}：{i['message']}" for i in view["issues"]]
    return "\n".join(lines)


class _Viewed:
    """Tasks with their row as the page shows it (masked), read lazily."""

    def __init__(self, queryset):
        self.queryset = queryset

    def __iter__(self):
        for task in self.queryset.iterator(chunk_size=500):
            yield task, selectors.row_view(task.batch, task.row)

    def count(self):
        return self.queryset.count()


@register("surveys.tasks", "核实任务")
def tasks_export(user, params: dict) -> Export:
    if not user.has_perm("surveys.view_verificationtask"):
        raise PermissionDenied
    show = params.get("show", "pending")
    show = show if show in TASK_FILTERS else "pending"
    return Export(
        f"核实任务（{TASK_FILTERS[show][0]}）",
        [
            Column("批次", lambda r: f"#{r[0].batch_id} {r[0].batch.get_kind_display()}"),
            Column("Excel行", lambda r: r[1]["row_number"]),
            Column("识别码", lambda r: r[1]["key"]),
            Column("名称", lambda r: r[1]["name"]),
            Column("类别", lambda r: r[1]["status_display"]),
            Column("变化 / 提示", lambda r: _changes(r[1]), wrap=True, width=40),
            Column("街道", lambda r: str(r[0].territory)),
            Column("状态", lambda r: r[0].get_status_display()),
            Column("核实说明", lambda r: r[0].note),
            Column("核实时间", lambda r: r[0].decided_at),
        ],
        _Viewed(task_rows(user, show)),
    )
