"""The submitter's side: adding to an open case, and after resolution the rating, reopening within
the window, the feedback SMS and auto-close."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.calendar import add_sla
from core.text import clean_prose
from grievances.models import Grievance, GrievanceEvent
from grievances.services.base import (
    IllegalTransition,
    S,
    notify,
    record_event,
    reopen_window,
    sms_submitter,
    transition,
)

MAX_SUPPLEMENT = 1000


def grievance_supplement(*, grievance, text: str) -> GrievanceEvent:
    """The submitter adds to an open case (what the handler asked for, a new photo's place, the
    problem getting worse): a public timeline entry, and the post handling it is told."""
    text = clean_prose(text or "")
    if not text:
        raise ValidationError({"text": "请填写补充内容"})
    if len(text) > MAX_SUPPLEMENT:
        raise ValidationError({"text": f"补充内容不能超过 {MAX_SUPPLEMENT} 字（当前 {len(text)} 字）"})
    with transaction.atomic():
        locked = Grievance.objects.select_for_update().get(pk=grievance.pk)
        if not locked.is_open:
            then = "如问题仍未解决，请申请重新办理" if locked.state == S.RESOLVED else "如问题仍在，请提交新的诉求"
            raise IllegalTransition(f"诉求 {locked.ticket} 已{locked.get_state_display()}，不能再补充；{then}")
        event = record_event(locked, GrievanceEvent.Kind.SUPPLEMENT, actor_label="提交人", note=text, public=True)
        if locked.assignee_id:
            notify(locked, [locked.assignee.user], f"supplement:{event.pk}", f"诉求 {locked.ticket} 的提交人补充了情况")
    return event


def can_rate(grievance: Grievance) -> bool:
    """Resolved and closed cases are rated; so is a merged duplicate once its submitter was sent
    the master's outcome (they rate the handling of what they asked)."""
    if grievance.rating is not None:
        return False
    if grievance.state in (S.RESOLVED, S.CLOSED):
        return True
    return grievance.state == S.DUPLICATE and grievance.feedback_requested_at is not None


def grievance_rate(*, grievance, rating: int, comment: str = "") -> Grievance:
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": "满意度请选择 1–5 分"})
    with transaction.atomic():
        locked = Grievance.objects.select_for_update().get(pk=grievance.pk)
        if not can_rate(locked):
            raise ValidationError({"rating": "诉求办结后才能评价"})
        if locked.rating is not None:
            raise ValidationError({"rating": "您已评价过该诉求"})
        locked.rating = rating
        locked.rating_comment = clean_prose(comment or "")[:200]
        locked.save(update_fields=["rating", "rating_comment", "updated_at"])
        record_event(
            locked,
            GrievanceEvent.Kind.FEEDBACK,
            actor_label="提交人",
            note=f"满意度 {rating} 分" + (f"：{locked.rating_comment}" if locked.rating_comment else ""),
            public=True,
        )
    return locked


def grievance_reopen(*, grievance, reason: str, actor=None) -> Grievance:
    """The submitter reopens within the window; the deadline restarts with the case's SLA."""
    reason = clean_prose(reason or "")
    if not reason:
        raise ValidationError({"reason": "请说明需要重新办理的原因"})
    if grievance.state != S.RESOLVED:
        raise IllegalTransition(f"诉求 {grievance.ticket} 当前为“{grievance.get_state_display()}”，不能重新办理")
    now = timezone.now()
    if grievance.resolved_at and now - grievance.resolved_at > reopen_window():
        raise ValidationError({"reason": f"办结已超过 {reopen_window().days} 天，不能重新办理，请提交新的诉求"})
    updates = {"escalation_level": Grievance.Escalation.NONE, "resolved_at": None}
    if grievance.sla_resolve_amount:
        updates["resolve_due_at"] = add_sla(now, grievance.sla_resolve_amount, grievance.sla_resolve_unit)
    result = transition(grievance, S.REOPENED, actor=actor, actor_label="提交人", note=reason, public=True, **updates)
    if result.assignee_id:
        notify(
            result, [result.assignee.user], f"reopened:{now:%Y%m%d%H%M%S}", f"诉求 {result.ticket} 被提交人要求重新办理"
        )
    return result


def feedback_request(*, grievance_id: int) -> bool:
    """Ask the submitter to rate a resolved case, once (claimed by a conditional update)."""
    claimed = Grievance.objects.filter(pk=grievance_id, state=S.RESOLVED, feedback_requested_at__isnull=True).update(
        feedback_requested_at=timezone.now()
    )
    if not claimed:
        return False
    grievance = Grievance.objects.get(pk=grievance_id)
    record_event(grievance, GrievanceEvent.Kind.FEEDBACK, note="已发送满意度回访短信")
    sms_submitter(
        grievance,
        f"您的诉求 {grievance.ticket} 已办结，请凭编号和手机尾号登录查询页评价；"
        f"如不满意可在 {reopen_window().days} 天内申请重新办理。",
    )
    duplicates_tell_outcome(master=grievance)
    return True


def duplicates_tell_outcome(*, master: Grievance) -> int:
    """Submitters of cases merged into ``master`` hear its outcome and get their own rating
    request (SMS through the outbox), once each: claimed by a conditional update, so a second
    run or a later merge tells only who was not told yet. Returns how many were told."""
    told = 0
    pending = master.duplicates.filter(state=S.DUPLICATE, feedback_requested_at__isnull=True)
    for pk in pending.values_list("pk", flat=True):
        now = timezone.now()
        claimed = Grievance.objects.filter(pk=pk, feedback_requested_at__isnull=True).update(
            feedback_requested_at=now, resolution=master.resolution, resolved_at=master.resolved_at or now
        )
        if not claimed:
            continue
        duplicate = Grievance.objects.get(pk=pk)
        record_event(
            duplicate,
            GrievanceEvent.Kind.FEEDBACK,
            note=f"与 {master.ticket} 合并办理，已办结：{master.resolution}"[:2000],
            public=True,
        )
        sms_submitter(
            duplicate,
            f"您的诉求 {duplicate.ticket} 已与 {master.ticket} 合并办理并办结：{master.resolution[:40]}。"
            "请凭编号和手机尾号登录查询页评价。",
        )
        told += 1
    return told


def grievance_autoclose(*, grievance_id: int, now=None) -> bool:
    now = now or timezone.now()
    grievance = Grievance.objects.filter(pk=grievance_id).first()
    if grievance is None or grievance.state != S.RESOLVED or grievance.resolved_at is None:
        return False
    if now - grievance.resolved_at <= reopen_window():
        return False
    try:
        transition(grievance, S.CLOSED, expected=S.RESOLVED, note="回访期满自动关闭", public=True, closed_at=now)
    except IllegalTransition:
        return False
    return True
