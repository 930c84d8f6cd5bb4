"""Deadlines: extension requests and their approval, and escalation of overdue cases."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.calendar import add_workdays
from core.text import clean_prose
from grievances.models import OPEN_STATES, ExtensionRequest, Grievance, GrievanceEvent
from grievances.services.base import notify, record_event, setting
from grievances.services.triage import ancestor_paths
from organizations.models import StaffPost
from organizations.roles import Role

# --- extensions -------------------------------------------------------------------------------


def extension_request(*, grievance, actor, days: int, reason: str) -> ExtensionRequest:
    reason = clean_prose(reason or "")
    errors = {}
    if not reason:
        errors["reason"] = "请填写延期理由"
    if not isinstance(days, int) or not 1 <= days <= 30:
        errors["days"] = "延长天数应为 1–30 个工作日"
    if not grievance.is_open:
        errors["__all__"] = f"诉求 {grievance.ticket} 已{grievance.get_state_display()}，无需延期"
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            extension = ExtensionRequest.objects.create(
                grievance=grievance, days=days, reason=reason, requested_by=actor
            )
            record_event(
                grievance, GrievanceEvent.Kind.EXTENSION, actor=actor, note=f"申请延期 {days} 个工作日：{reason}"
            )
    except IntegrityError as exc:
        raise ValidationError({"__all__": "已有一条待审批的延期申请"}) from exc
    return extension


def extension_decide(*, extension: ExtensionRequest, actor, approve: bool) -> ExtensionRequest:
    if extension.requested_by_id == actor.pk:
        raise ValidationError("不能审批自己提交的延期申请")
    if not actor.has_perm("grievances.approve_extension"):
        raise ValidationError("您没有审批延期的权限")
    with transaction.atomic():
        locked = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
        if locked.status != ExtensionRequest.Status.PENDING:
            raise ValidationError("该延期申请已审批")
        grievance = Grievance.objects.select_for_update().get(pk=locked.grievance_id)
        locked.status = ExtensionRequest.Status.APPROVED if approve else ExtensionRequest.Status.DECLINED
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_by", "decided_at"])
        note = f"延期 {locked.days} 个工作日{'获批' if approve else '未获批准'}"
        if approve and grievance.resolve_due_at:
            grievance.resolve_due_at = add_workdays(max(grievance.resolve_due_at, timezone.now()), locked.days)
            grievance.escalation_level = Grievance.Escalation.NONE
            grievance.save(update_fields=["resolve_due_at", "escalation_level", "updated_at"])
            note += f"，新的办结期限 {timezone.localtime(grievance.resolve_due_at):%Y-%m-%d %H:%M}"
        record_event(grievance, GrievanceEvent.Kind.EXTENSION, actor=actor, note=note)
    return locked


# --- escalation -------------------------------------------------------------------------------


def _posts_above(grievance: Grievance, level: int):
    posts = StaffPost.objects.filter(is_active=True).select_related("user")
    if level == Grievance.Escalation.MUNICIPAL:
        return posts.filter(role=Role.MUNICIPAL)
    return posts.filter(role=Role.DISTRICT, territory__path__in=ancestor_paths(grievance.territory))


def grievance_escalate(*, grievance_id: int, now=None) -> bool:
    """Escalate an overdue case one step: street → district, then district → municipal.

    Overdue means past ``resolve_due_at``; it goes to the municipal committee once it is more than
    ``ESCALATE_MUNICIPAL_AFTER_WORKDAYS`` working days late. The conditional update claims the
    step, so the monitor can run twice (or on two workers) and escalate exactly once.
    """
    now = now or timezone.now()
    grievance = Grievance.objects.filter(pk=grievance_id).select_related("territory").first()
    if grievance is None or not grievance.is_open or not grievance.resolve_due_at or grievance.resolve_due_at >= now:
        return False
    later = add_workdays(grievance.resolve_due_at, setting("ESCALATE_MUNICIPAL_AFTER_WORKDAYS", 3))
    target = Grievance.Escalation.MUNICIPAL if now >= later else Grievance.Escalation.DISTRICT
    with transaction.atomic():
        claimed = Grievance.objects.filter(pk=grievance_id, escalation_level__lt=target, state__in=OPEN_STATES).update(
            escalation_level=target
        )
        if not claimed:
            return False
        label = Grievance.Escalation(target).label
        record_event(
            grievance,
            GrievanceEvent.Kind.ESCALATED,
            note=f"超期未办结（应办结 {timezone.localtime(grievance.resolve_due_at):%Y-%m-%d %H:%M}），{label}督办",
        )
        users = {p.user for p in _posts_above(grievance, target)}
        notify(grievance, users, f"escalated:{target}", f"诉求 {grievance.ticket} 超期未办结，{label}督办")
    return True
