"""The audit trail (django-auditlog): who changed what, when, from where.

Each app registers its models here-style in its ``AppConfig.ready``. Sensitive fields are
registered with ``mask_fields`` so the trail proves a change without repeating the value.
"""

from __future__ import annotations

from auditlog.registry import auditlog
from auditlog.signals import accessed


def register_models() -> None:
    from organizations.models import Body, PartyOrganization, StaffPost, Territory, Unit

    for model in (Territory, Body, PartyOrganization, Unit, StaffPost):
        auditlog.register(model)


def record_access(instance) -> None:
    """Log that someone looked at ``instance`` in full (e.g. an unmasked ID number).

    The model must be registered with auditlog; the actor comes from AuditlogMiddleware.
    """
    accessed.send(sender=type(instance), instance=instance)
