"""The audit trail (django-auditlog): who changed what, when, from where.

Each app registers its models here-style in its ``AppConfig.ready``. Sensitive fields are
registered with ``mask_fields`` so the trail proves a change without repeating the value.
"""

from __future__ import annotations

from auditlog.registry import auditlog
from auditlog.signals import accessed


def register_models() -> None:
    from organizations.models import (
        Body,
        BranchRule,
        CommitteeMember,
        Instructor,
        Meeting,
        OrganizationEvent,
        PartyOrganization,
        Responsibility,
        StaffPost,
        Territory,
        Unit,
        VanguardPost,
    )

    for model in (Territory, Body, Responsibility, PartyOrganization, Unit, StaffPost, BranchRule, Meeting):
        auditlog.register(model)
    for model in (OrganizationEvent, VanguardPost):
        auditlog.register(model)
    # Phone numbers are personal information: the trail proves a change without repeating them.
    auditlog.register(CommitteeMember, mask_fields=["phone"])
    auditlog.register(Instructor, mask_fields=["phone"])


def record_access(instance) -> None:
    """Log that someone looked at ``instance`` in full (e.g. an unmasked ID number).

    The model must be registered with auditlog; the actor comes from AuditlogMiddleware.
    """
    accessed.send(sender=type(instance), instance=instance)
