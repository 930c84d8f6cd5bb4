"""Volunteer tasks (双向认领): publish, claim or assign, confirm completion → points."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from members.models import Person
from organizations.models import Body
from organizations.scope import can_see
from points.models import TaskClaim, VolunteerTask
from points.services.ledger import PointsError, points_award, rule_awardable_by
from stations.models import Station


def _task_errors(
    *, title: str, place: str, starts_at: datetime, ends_at: datetime, slots: int, points: int, rule
) -> list[str]:
    errors = []
    if not title.strip():
        errors.append("任务名称：不能为空")
    if not place.strip():
        errors.append("地点：不能为空")
    if starts_at and ends_at and ends_at <= starts_at:
        errors.append("结束时间：必须晚于开始时间")
    if not slots or slots < 1:
        errors.append("名额：至少 1 人")
    if not points or points < 1:
        errors.append("完成积分：至少 1 分")
    if rule is not None and rule.daily_cap is not None and points and points > rule.daily_cap:
        errors.append(f"完成积分：不能超过积分项目“{rule.name}”的每人每日上限 {rule.daily_cap} 分")
    return errors


@transaction.atomic
def task_publish(
    *,
    actor,
    kind: str,
    title: str,
    place: str,
    starts_at: datetime,
    ends_at: datetime,
    slots: int,
    points: int,
    rule,
    description: str = "",
    station: Station | None = None,
    publisher_body: Body | None = None,
) -> VolunteerTask:
    """Publish a task by a station or a leadership body the actor may act for."""
    if (station is None) == (publisher_body is None):
        raise PointsError("发布方：请在驿站与机构中选择且只选择一个")
    publisher = station or publisher_body
    if not can_see(actor, publisher):
        raise PointsError(f"发布方：“{publisher}”不在您的管辖范围内")
    if not rule_awardable_by(rule, actor):
        raise PointsError(f"积分项目：您的岗位不能授予“{rule.name}”（可授予：{rule.award_role_labels}）")
    errors = _task_errors(
        title=title, place=place, starts_at=starts_at, ends_at=ends_at, slots=slots, points=points, rule=rule
    )
    if errors:
        raise PointsError("；".join(errors))
    return VolunteerTask.objects.create(
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        place=place.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        slots=slots,
        points=points,
        rule=rule,
        station=station,
        publisher_body=publisher_body,
        territory=publisher.territory,
        created_by=actor,
    )


@transaction.atomic
def task_claim(*, task: VolunteerTask, person: Person, assigned_by=None, at: datetime | None = None) -> TaskClaim:
    """A worker claims a task, or the publisher assigns one (``assigned_by``). Slots are counted
    under a lock on the task row, so the last slot goes to exactly one person."""
    at = at or timezone.now()
    task = VolunteerTask.objects.select_for_update().get(pk=task.pk)
    if task.status != VolunteerTask.Status.OPEN:
        raise PointsError(f"任务“{task.title}”{task.get_status_display()}，不能认领")
    if task.ends_at <= at:
        raise PointsError(f"任务“{task.title}”已过结束时间，不能认领")
    claim = TaskClaim.objects.filter(task=task, person=person).first()
    if claim is not None and claim.status in TaskClaim.HOLDING_SLOT:
        return claim
    taken = TaskClaim.objects.filter(task=task, status__in=TaskClaim.HOLDING_SLOT).count()
    if taken >= task.slots:
        raise PointsError(f"任务“{task.title}”名额已满（{task.slots} 人）")
    if claim is None:
        return TaskClaim.objects.create(task=task, person=person, assigned_by=assigned_by, claimed_at=at)
    claim.status, claim.assigned_by, claim.claimed_at = TaskClaim.Status.CLAIMED, assigned_by, at
    claim.save(update_fields=["status", "assigned_by", "claimed_at"])
    return claim


@transaction.atomic
def task_withdraw(*, claim: TaskClaim) -> TaskClaim:
    claim = TaskClaim.objects.select_for_update().get(pk=claim.pk)
    if claim.status != TaskClaim.Status.CLAIMED:
        raise PointsError(f"该认领{claim.get_status_display()}，不能退出")
    claim.status = TaskClaim.Status.WITHDRAWN
    claim.save(update_fields=["status"])
    return claim


@transaction.atomic
def task_confirm(*, claim: TaskClaim, actor, completed: bool, at: datetime | None = None) -> TaskClaim:
    """The publisher confirms (or denies) completion; a completion pays the task's points once."""
    at = at or timezone.now()
    claim = (
        TaskClaim.objects.select_for_update(of=("self",))
        .select_related("task__rule", "person__territory")
        .get(pk=claim.pk)
    )
    if claim.status != TaskClaim.Status.CLAIMED:
        raise PointsError(f"{claim.person}的认领{claim.get_status_display()}，不能再确认")
    task = claim.task
    claim.decided_at, claim.decided_by = at, actor
    if completed:
        result = points_award(
            person=claim.person,
            rule=task.rule,
            points=task.points,
            actor=actor,
            source=claim,
            idempotency_key=f"task-claim:{claim.pk}:award",
            note=f"完成任务：{task.title}"[:200],
            station=task.station,
            truncate_to_cap=True,
            check_award_roles=False,  # checked when the task was published
            at=at,
        )
        claim.entry = result.entry
        claim.status = TaskClaim.Status.COMPLETED
    else:
        claim.status = TaskClaim.Status.NOT_COMPLETED
    claim.save(update_fields=["status", "decided_at", "decided_by", "entry"])
    return claim


@transaction.atomic
def task_close(*, task: VolunteerTask, actor, cancel: bool = False) -> VolunteerTask:
    task = VolunteerTask.objects.select_for_update().get(pk=task.pk)
    if task.status != VolunteerTask.Status.OPEN:
        raise PointsError(f"任务已{task.get_status_display()}")
    task.status = VolunteerTask.Status.CANCELLED if cancel else VolunteerTask.Status.CLOSED
    task.save(update_fields=["status"])
    if cancel:
        TaskClaim.objects.filter(task=task, status=TaskClaim.Status.CLAIMED).update(
            status=TaskClaim.Status.NOT_COMPLETED, decided_at=timezone.now(), decided_by=actor
        )
    return task
