"""The handler's actions on a case: accept, reply, resolve, reject, duplicate, transfer, re-categorise."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.text import clean_prose
from grievances.models import Category, Grievance, GrievanceEvent, Notice, Priority
from grievances.services.base import IllegalTransition, S, record_event, sms_submitter, transition
from grievances.services.feedback import duplicates_tell_outcome
from grievances.services.triage import (
    Route,
    ancestor_paths,
    apply_route,
    assignee_for,
    is_fallback,
    notify_assignee,
    route_for,
    route_note,
    street_of,
)
from organizations.models import Body, StaffPost


def grievance_accept(*, grievance, actor) -> Grievance:
    """Accept a case: it goes in progress with an owner. An unclaimed case is claimed for the
    actor's post (at the owning body, else over the owning street, else any post of theirs);
    an actor without any post cannot leave a case in progress with nobody on it."""
    now = timezone.now()
    updates = {} if grievance.responded_at else {"responded_at": now}
    if grievance.assignee_id and is_fallback(grievance) and actor is not None:
        # The body's own officer (an account made since) takes back a case the street held for it.
        own = StaffPost.objects.filter(user=actor, is_active=True, body=grievance.body).order_by("id").first()
        if own is not None:
            updates["assignee"] = own
    elif grievance.assignee_id is None:
        mine = StaffPost.objects.filter(user=actor, is_active=True).order_by("id") if actor is not None else None
        owner = grievance.owner_territory or street_of(grievance.territory)
        claim = None
        if mine is not None:
            claim = (
                (mine.filter(body=grievance.body).first() if grievance.body_id else None)
                or mine.filter(territory__path__in=ancestor_paths(owner)).first()
                or mine.first()
            )
        if claim is None:
            raise ValidationError("受理需要承办岗位：您没有可承办该诉求的岗位，请联系管理员或转办")
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
    result = transition(
        grievance,
        S.DUPLICATE,
        actor=actor,
        note=f"与 {master.ticket} 重复，合并办理",
        public=True,
        duplicate_of=master,
    )
    master = Grievance.objects.get(pk=master.pk)  # as it is now, not as the caller last read it
    if master.state in (S.RESOLVED, S.CLOSED) and master.feedback_requested_at is not None:
        # Merged after the master's outcome went out: this submitter hears it now.
        duplicates_tell_outcome(master=master)
    return result


def transfer_targets(grievance):
    """The bodies a case may be handed to: those placed over its place (the city's member units,
    its district's hubs and industry committees), never another district's; the district and
    street committees are reached by the street fallback, not by transfer."""
    bodies = Body.objects.exclude(kind__in=[Body.Kind.DISTRICT_COMMITTEE, Body.Kind.STREET_COMMITTEE])
    if grievance.territory_id is None:
        return bodies.filter(territory__depth=1)
    return bodies.filter(territory__path__in=ancestor_paths(grievance.territory))


def grievance_transfer(*, grievance, actor, body=None, note: str = "") -> Grievance:
    """Hand the case to another body (or back to the street when ``body`` is None).

    The deadline stays: a transfer does not buy time (that needs an approved extension). The new
    owner is told; a body without an account falls back to the street (``assignee_for``).
    """
    if body is not None and not transfer_targets(grievance).filter(pk=body.pk).exists():
        raise ValidationError(f"诉求 {grievance.ticket} 不能转办至“{body}”：该单位不负责此诉求所在辖区")
    route = Route(body=body, owner_territory=street_of(grievance.territory))
    assignee = assignee_for(route)
    target = str(body) if body else f"属地兜底：{route.owner_territory}"
    with transaction.atomic():
        locked = Grievance.objects.select_for_update().get(pk=grievance.pk)
        if (locked.state, locked.body_id, locked.assignee_id) == (
            S.ASSIGNED,
            body.pk if body else None,
            assignee.pk if assignee else None,
        ):
            # The same transfer sent again (back and resubmit, a second click on a reloaded
            # page): it would change nothing but add a second 转办 to the timeline.
            raise IllegalTransition(f"诉求 {locked.ticket} 已由“{body or route.owner_territory}”承办，无需再次转办")
        result = transition(
            locked,
            S.ASSIGNED,
            actor=actor,
            note=f"转办至 {target}" + (f"：{note}" if note else "") + ("" if assignee else "；暂无承办岗位，待认领"),
            body=body,
            owner_territory=route.owner_territory,
            assignee=assignee,
        )
    notify_assignee(result, f"assigned:{assignee.pk if assignee else 0}", f"诉求 {result.ticket} 已转办给您")
    return result


def grievance_recategorize(*, grievance, category: Category, actor) -> Grievance:
    """A new category re-routes the case and re-snapshots its SLA from the submission time.

    State follows the assignment: a new owner gets the case as "assigned" (they must accept it),
    no owner leaves it "triaged"; an unchanged owner keeps the case where it was.
    """
    with transaction.atomic():
        locked = Grievance.objects.select_for_update().get(pk=grievance.pk)
        if not locked.is_open or locked.state == S.SUBMITTED:
            raise IllegalTransition(f"诉求 {locked.ticket} 当前为“{locked.get_state_display()}”，不能改分类")
        old_category, old_state, old_assignee = locked.category, locked.state, locked.assignee_id
        # A priority that came from the old category's default follows the new category;
        # one a handler chose (staff intake) stays.
        if locked.priority == (old_category.default_priority if old_category else Priority.NORMAL):
            locked.priority = category.default_priority
        locked.category = category
        locked.category_suggested = False
        route = route_for(category=category, territory=locked.territory)
        fields = apply_route(locked, route)
        if not locked.assignee_id:
            locked.state = S.TRIAGED
        elif locked.assignee_id != old_assignee or old_state == S.TRIAGED:
            locked.state = S.ASSIGNED
        locked.save(update_fields=["category", "category_suggested", "priority", "state", *fields, "updated_at"])
        locked.co_bodies.set(route.co_bodies)
        record_event(
            locked,
            GrievanceEvent.Kind.ROUTED,
            actor=actor,
            old=old_state if locked.state != old_state else "",
            new=locked.state if locked.state != old_state else "",
            note=f"分类由“{old_category or '未分类'}”改为“{category}”，重新分办。" + route_note(locked, route),
        )
        if locked.assignee_id and locked.assignee_id != old_assignee:
            notify_assignee(locked, f"assigned:{locked.assignee_id}", f"诉求 {locked.ticket} 已改派给您")
    return locked


def notices_mark_read(*, user, grievance: Grievance) -> int:
    """The user opened the case: their unread notices about it are read; returns how many."""
    return Notice.objects.filter(recipient=user, grievance=grievance, read_at__isnull=True).update(
        read_at=timezone.now()
    )
