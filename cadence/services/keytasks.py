"""Key tasks, assessment, secretary projects and rectification lists: their workflows."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from cadence.kpis import kpi_by_key
from cadence.metrics import compute_all
from cadence.models import (
    AssessmentResult,
    KeyTask,
    KeyTaskUpdate,
    Milestone,
    RectificationItem,
    ScoringScheme,
    SecretaryProject,
)
from cadence.nodes import Node
from cadence.periods import Period
from cadence.services.weekly import ATTACHMENT_SUFFIXES

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024


@transaction.atomic
def key_task_report_progress(*, task: KeyTask, actor, status: str, progress: int, text: str, evidence=None):
    if status not in KeyTask.Status.values:
        raise ValidationError({"status": f"未知状态 {status}"})
    if not 0 <= progress <= 100:
        raise ValidationError({"progress": "进度应在 0–100 之间"})
    if not text.strip():
        raise ValidationError({"text": "请填写进展情况"})
    if status == KeyTask.Status.DONE and progress != 100:
        raise ValidationError({"progress": "标记“已完成”时进度应为 100%"})
    if evidence is not None and not evidence.name.lower().endswith(ATTACHMENT_SUFFIXES):
        raise ValidationError(
            {"evidence": f"佐证材料“{evidence.name}”类型不支持，可上传：{'、'.join(ATTACHMENT_SUFFIXES)}"}
        )
    if evidence is not None and evidence.size > MAX_EVIDENCE_BYTES:
        raise ValidationError({"evidence": f"佐证材料“{evidence.name}”超过 20MB"})
    task = KeyTask.objects.select_for_update().get(pk=task.pk)
    update = KeyTaskUpdate.objects.create(
        task=task, author=actor, status=status, progress=progress, text=text.strip(), evidence=evidence or ""
    )
    task.status, task.progress = status, progress
    task.save(update_fields=["status", "progress"])
    return update


@transaction.atomic
def milestone_complete(*, milestone: Milestone, actor, done_on=None) -> Milestone:
    if milestone.done_on:
        raise ValidationError(f"里程碑“{milestone.title}”已于 {milestone.done_on} 完成")
    milestone.done_on = done_on or timezone.localdate()
    milestone.save(update_fields=["done_on"])
    return milestone


@transaction.atomic
def rectification_item_close(*, item: RectificationItem, actor, note: str) -> RectificationItem:
    """销号: one item at a time, with a note saying how it was fixed."""
    item = RectificationItem.objects.select_for_update().get(pk=item.pk)
    if item.status == RectificationItem.Status.CLOSED:
        raise ValidationError(f"第{item.number}项已销号")
    if not note.strip():
        raise ValidationError({"closing_note": f"第{item.number}项销号须写明整改结果"})
    item.status = RectificationItem.Status.CLOSED
    item.closing_note = note.strip()
    item.closed_at = timezone.now()
    item.closed_by = actor
    item.save(update_fields=["status", "closing_note", "closed_at", "closed_by"])
    return item


@transaction.atomic
def secretary_project_submit(*, project: SecretaryProject, actor) -> SecretaryProject:
    if project.status not in (SecretaryProject.Status.IN_PROGRESS, SecretaryProject.Status.REJECTED):
        raise ValidationError(f"“{project.title}”当前为“{project.get_status_display()}”，不能申请验收")
    project.status = SecretaryProject.Status.AWAITING
    project.save(update_fields=["status"])
    return project


@transaction.atomic
def secretary_project_accept(*, project: SecretaryProject, actor, passed: bool, comment: str) -> SecretaryProject:
    if project.status != SecretaryProject.Status.AWAITING:
        raise ValidationError(f"“{project.title}”尚未申请验收")
    if not comment.strip():
        raise ValidationError({"acceptance_comment": "请填写验收意见"})
    project.status = SecretaryProject.Status.ACCEPTED if passed else SecretaryProject.Status.REJECTED
    project.acceptance_comment = comment.strip()
    project.accepted_at = timezone.now()
    project.accepted_by = actor
    project.save(update_fields=["status", "acceptance_comment", "accepted_at", "accepted_by"])
    return project


def criterion_points(value: float | None, *, weight: Decimal, floor: Decimal, target: Decimal) -> Decimal:
    """Linear between floor (0 points) and target (full weight); no value scores 0."""
    if value is None:
        return Decimal("0")
    value = Decimal(str(value))
    share = (Decimal(1) if value >= target else Decimal(0)) if target == floor else (value - floor) / (target - floor)
    share = min(Decimal(1), max(Decimal(0), share))
    return (weight * share).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def assessment_compute(*, scheme: ScoringScheme) -> list[AssessmentResult]:
    """Score every district on the scheme's whole year, whatever day it runs: flow figures
    (cases, reports due, points) over 1 January – 31 December, stock figures (coverage,
    stations) as of the year's end or today. A daily snapshot would hold only its month so
    far — run on 1 December it gave every district 0 for weekly punctuality."""
    from organizations.models import Territory

    criteria = list(scheme.criteria.all())
    if not criteria:
        raise ValidationError(f"考核方案“{scheme.name}”尚未配置指标")
    year = Period.of_year(scheme.year)
    needed = sorted({kpi.provider for c in criteria if (kpi := kpi_by_key(c.kpi))})
    results = []
    for district in Territory.objects.filter(level=Territory.Level.DISTRICT).order_by("code"):
        figures = compute_all(Node.of(district).lens.during(year), year, only=needed)
        breakdown, total = [], Decimal("0")
        for criterion in criteria:
            kpi = kpi_by_key(criterion.kpi)
            value = kpi.value(figures)[0] if kpi else None
            points = criterion_points(value, weight=criterion.weight, floor=criterion.floor, target=criterion.target)
            total += points
            breakdown.append(
                {
                    "kpi": criterion.kpi,
                    "label": kpi.label if kpi else criterion.kpi,
                    "value": value,
                    "points": str(points),
                    "weight": str(criterion.weight),
                }
            )
        result, _ = AssessmentResult.objects.update_or_create(
            scheme=scheme, district=district, defaults={"score": total, "breakdown": breakdown}
        )
        results.append(result)
    return results
