"""The handler's actions on a case: accept, reply, resolve, reject, duplicate, transfer, re-categorise."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.text import clean_prose
from grievances.models import Category, Grievance, GrievanceEvent, Notice, Priority
from grievances.services.base import IllegalTransition, S, notify, record_event, sms_submitter, transition
from grievances.services.triage import (
    Route,
    ancestor_paths,
    apply_route,
    assignee_for,
    route_for,
    route_note,
    street_of,
)
from organizations.models import StaffPost


def grievance_accept(*, grievance, actor) -> Grievance:
    now = timezone.now()
    updates = {} if grievance.responded_at else {"responded_at": now}
    if grievance.assignee_id is None and actor is not None:
        # Accepting an unclaimed case claims it for the actor's post at the owner.
        mine = StaffPost.objects.filter(user=actor, is_active=True)
        owner = grievance.owner_territory or street_of(grievance.territory)
        claim = (
            mine.filter(body=grievance.body).first()
            if grievance.body_id
            else mine.filter(territory__path__in=ancestor_paths(owner)).first()
        )
        if claim is not None:
            updates["assignee"] = claim
    return transition(grievance, S.IN_PROGRESS, actor=actor, note="承办人已受理", public=True, **updates)


def grievance_reply(*, grievance, actor, text: str) -> GrievanceEvent:
    """A reply the submitter sees on the status page (and gets by SMS); counts as a response."""
    text = clean_prose(text or "")
    if not text:
        raise ValidationError({"text": "请填写答复内容"})
    with transaction.atomic():
        locked = Grievance.objects.select_for_update().get(pk=grievance.pk)
        if locked.state in (S.CLOSED, S.DUPLICATE, S.REJECTED):
            raise IllegalTransition(f"诉求 {locked.ticket} 已{locked.get_state_display()}，不能再答复")
        if locked.responded_at is None:
            locked.responded_at = timezone.now()
            locked.save(update_fields=["responded_at", "updated_at"])
        event = record_event(locked, GrievanceEvent.Kind.REPLY, actor=actor, note=text, public=True)
    sms_submitter(locked, f"您的诉求 {locked.ticket} 有新答复：{text[:60]}")
    return event


def grievance_resolve(*, grievance, actor, resolution: str, expected=None) -> Grievance:
    resolution = clean_prose(resolution or "")
    if not resolution:
        raise ValidationError({"resolution": "请填写办理结果"})
    now = timezone.now()
    updates = {"resolution": resolution, "resolved_at": now, "feedback_requested_at": None}
    if grievance.responded_at is None:
        updates["responded_at"] = now
    return transition(grievance, S.RESOLVED, actor=actor, note=resolution, public=True, expected=expected, **updates)


def grievance_reject(*, grievance, actor, reason: str) -> Grievance:
    reason = clean_prose(reason or "")
    if not reason:
        raise ValidationError({"reason": "请填写不予受理的原因"})
    result = transition(grievance, S.REJECTED, actor=actor, note=reason, public=True, reject_reason=reason[:200])
    sms_submitter(result, f"您的诉求 {result.ticket} 不予受理：{reason[:60]}")
    return result


def grievance_mark_duplicate(*, grievance, master, actor) -> Grievance:
    while master.duplicate_of_id:
        master = master.duplicate_of
    if master.pk == grievance.pk:
        raise ValidationError({"master": "不能把诉求标记为自身的重复件"})
    if master.state == S.REJECTED:
        raise ValidationError({"master": f"主件 {master.ticket} 已不予受理，不能作为主件"})
    return transition(
        grievance,
        S.DUPLICATE,
        actor=actor,
        note=f"与 {master.ticket} 重复，合并办理",
        public=True,
        duplicate_of=master,
    )


def grievance_transfer(*, grievance, actor, body=None, note: str = "") -> Grievance:
    """Hand the case to another body (or back to the street when ``body`` is None).

    The deadline stays: a transfer does not buy time (that needs an approved extension).
    """
    route = Route(body=body, owner_territory=street_of(grievance.territory))
    assignee = assignee_for(route)
    target = str(body) if body else f"属地兜底：{route.owner_territory}"
    return transition(
        grievance,
        S.ASSIGNED,
        actor=actor,
        note=f"转办至 {target}" + (f"：{note}" if note else ""),
        body=body,
        owner_territory=route.owner_territory,
        assignee=assignee,
    )


def grievance_recategorize(*, grievance, category: Category, actor) -> Grievance:
    """A new category re-routes the case and re-snapshots its SLA from the submission time."""
    with transaction.atomic():
        locked = Grievance.objects.select_for_update().get(pk=grievance.pk)
        if not locked.is_open or locked.state == S.SUBMITTED:
            raise IllegalTransition(f"诉求 {locked.ticket} 当前为“{locked.get_state_display()}”，不能改分类")
        old_category = locked.category
        # A priority that came from the old category's default follows the new category;
        # one a handler chose (staff intake) stays.
        if locked.priority == (old_category.default_priority if old_category else Priority.NORMAL):
            locked.priority = category.default_priority
        locked.category = category
        locked.category_suggested = False
        route = route_for(category=category, territory=locked.territory)
        fields = apply_route(locked, route)
        locked.save(update_fields=["category", "category_suggested", "priority", *fields, "updated_at"])
        locked.co_bodies.set(route.co_bodies)
        record_event(
            locked,
            GrievanceEvent.Kind.ROUTED,
            actor=actor,
            note=f"分类由“{old_category or '未分类'}”改为“{category}”，重新分办。" + route_note(locked, route),
        )
        if locked.assignee_id:
            notify(locked, [locked.assignee.user], f"assigned:{locked.assignee_id}", f"诉求 {locked.ticket} 已改派给您")
    return locked


def notices_mark_read(*, user, grievance: Grievance) -> int:
    """The user opened the case: their unread notices about it are read; returns how many."""
    return Notice.objects.filter(recipient=user, grievance=grievance, read_at__isnull=True).update(
        read_at=timezone.now()
    )
