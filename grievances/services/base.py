"""What every step of the grievance loop shares: the allowed moves, the timeline event, notices,
the submitter SMS and the one state-machine step.

Every state change goes through ``transition``: the case row is locked (``select_for_update``),
the move is checked against ``ALLOWED`` and the timeline gets one event in the same transaction,
so two handlers pressing "办结" at once produce one resolution and one error message.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.queue import enqueue_on_commit
from grievances.models import Grievance, GrievanceEvent, Notice

S = Grievance.State
ALLOWED: dict[str, set[str]] = {
    S.SUBMITTED: {S.TRIAGED, S.DUPLICATE, S.REJECTED},
    S.TRIAGED: {S.ASSIGNED, S.IN_PROGRESS, S.RESOLVED, S.DUPLICATE, S.REJECTED},
    S.ASSIGNED: {S.ASSIGNED, S.IN_PROGRESS, S.RESOLVED, S.DUPLICATE, S.REJECTED},
    S.IN_PROGRESS: {S.ASSIGNED, S.RESOLVED, S.DUPLICATE, S.REJECTED},
    S.REOPENED: {S.ASSIGNED, S.IN_PROGRESS, S.RESOLVED},
    S.RESOLVED: {S.CLOSED, S.REOPENED},
    S.CLOSED: set(),
    S.DUPLICATE: set(),
    S.REJECTED: set(),
}
MAX_TEXT = 2000
SYSTEM = "系统"


def setting(name: str, default):
    return settings.GRIEVANCES.get(name, default)


def reopen_window() -> timedelta:
    return timedelta(days=setting("REOPEN_WINDOW_DAYS", 7))


class IllegalTransition(ValidationError):
    """The case is not in a state that allows this action (perhaps someone else just acted)."""


def record_event(grievance, kind, *, actor=None, actor_label="", note="", old="", new="", public=False, at=None):
    return GrievanceEvent.objects.create(
        grievance=grievance,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label="" if getattr(actor, "is_authenticated", False) else (actor_label or SYSTEM),
        at=at or timezone.now(),
        old_state=old,
        new_state=new,
        note=note,
        is_public=public,
    )


def notify(grievance: Grievance, users, key: str, text: str) -> None:
    for user in users:
        Notice.objects.get_or_create(recipient=user, grievance=grievance, key=key, defaults={"text": text[:200]})


def version_of(grievance: Grievance) -> str:
    """The token a handler's page carries: the case as last saved (every change saves it)."""
    return grievance.updated_at.isoformat()


def check_version(grievance: Grievance, version: str | None) -> Grievance:
    """Refuse an action taken on a page that shows an older state of the case (optimistic
    concurrency): lock the row, compare, and return it locked for the action that follows."""
    locked = Grievance.objects.select_for_update().get(pk=grievance.pk)
    if version and version != version_of(locked):
        raise IllegalTransition(
            f"诉求 {locked.ticket} 在您打开页面后已被他人更新（当前状态：{locked.get_state_display()}），"
            "请刷新页面查看最新情况后再操作"
        )
    return locked


def transition(grievance, to: str, *, actor=None, actor_label="", note="", expected=None, public=False, **updates):
    with transaction.atomic():
        locked = Grievance.objects.select_for_update().get(pk=grievance.pk)
        if expected is not None and locked.state != expected:
            raise IllegalTransition(
                f"诉求 {locked.ticket} 已被他人处理（当前状态：{locked.get_state_display()}），请刷新后再试"
            )
        if to not in ALLOWED[locked.state]:
            raise IllegalTransition(
                f"诉求 {locked.ticket} 当前为“{locked.get_state_display()}”，不能变更为“{S(to).label}”"
            )
        old = locked.state
        locked.state = to
        for name, value in updates.items():
            setattr(locked, name, value)
        locked.save(update_fields=["state", "updated_at", *updates])
        record_event(
            locked,
            GrievanceEvent.Kind.TRANSITION,
            actor=actor,
            actor_label=actor_label,
            old=old,
            new=to,
            note=note,
            public=public,
        )
    return locked


def sms_submitter(grievance: Grievance, text: str) -> None:
    phone = grievance.submitter_phone
    # Demo cases carry invented numbers that may belong to real people: never text them.
    if phone and not grievance.source_ref.startswith("demo:"):
        enqueue_on_commit("core.send_sms", phone, text)
