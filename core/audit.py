"""The audit entry django-auditlog would write when an instance is created, built without
auditlog's per-save work: a hot path inserts it in the same statement as the row itself
(``points_redeem``: ``created_log_entry``), or saves the row with auditlog's receiver kept out and
then writes the entry in one INSERT (the public intake: ``created_quietly`` + ``log_created``).

It is the same ``LogEntry`` row the post_save receiver writes — the same fields, the same
``changes`` (auditlog's ``model_instance_diff(None, instance)``: every tracked field as
``["None", value]``, include/exclude fields honoured) and the same masking policy: ``mask_fields``
go through auditlog's own ``get_mask_function``, i.e. ``AUDITLOG_MASK_CALLABLE`` =
``core.masking.mask_for_audit``, the one policy of the lists, exports and the trail. The actor,
remote address and other request context are applied by auditlog's own ``pre_save`` receiver
(``auditlog.context.set_actor``), sent here on the unsaved entry. What this cannot reproduce
faithfully it declines (``None``): the caller then saves through the ORM and auditlog writes the
entry itself. tests/core/test_audit_direct.py holds the two equal.

Why: building the entry through auditlog costs a diff over every field through generic
accessors, an ORM INSERT and a round trip of its own — about as much as the redemption's own SQL.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import UTC

from auditlog import get_logentry_model
from auditlog.cid import get_cid
from auditlog.context import auditlog_disabled, auditlog_value, disable_auditlog, set_actor
from auditlog.diff import get_field_value, get_fields_in_model, get_mask_function
from auditlog.models import DEFAULT_OBJECT_REPR
from auditlog.receivers import log_create
from auditlog.registry import auditlog
from auditlog.signals import post_log, pre_log
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models.signals import pre_save
from django.utils import timezone
from django.utils.encoding import smart_str

# model -> ([(field name, attribute or field, how to read it, masked)], the model's mask callable), or None
# when the model serializes its data (auditlog's own code writes that). Worked out
# once per model: the registry is filled in the apps' ready() and not changed after.
_PLANS: dict[type, tuple[list[tuple[str, object, str, bool]], object] | None] = {}


def _plan(model: type[models.Model]) -> tuple[list[tuple[str, object, str, bool]], object] | None:
    if model in _PLANS:
        return _PLANS[model]
    config = auditlog.get_model_fields(model)
    if auditlog.get_serialize_options(model)["serialize_data"]:
        _PLANS[model] = None
        return None
    fields = get_fields_in_model(model())
    if config["include_fields"]:
        fields = [f for f in fields if f.name in config["include_fields"]]
    if config["exclude_fields"]:
        fields = [f for f in fields if f.name not in config["exclude_fields"]]
    plan: list[tuple[str, object, str, bool]] = []
    for field in fields:
        masked = field.name in config["mask_fields"]
        if not getattr(field, "concrete", False) or isinstance(field, models.JSONField):
            # Reverse relations, JSON: read by auditlog's own ``get_field_value``, not a copy of it.
            plan.append((field.name, field, "generic", masked))
            continue
        if isinstance(field, models.DateTimeField):
            how = "datetime"
        elif (
            not settings.AUDITLOG_USE_FK_STRING_REPRESENTATION
            and (field.one_to_one or field.many_to_one)
            and hasattr(field, "rel_class")
        ):
            how = "attname"
        elif field.is_relation:
            # A foreign key shown by its str(): auditlog's code fetches the object.
            plan.append((field.name, field, "generic", masked))
            continue
        else:
            how = "value"
        plan.append((field.name, field.attname if how == "attname" else field.name, how, masked))
    _PLANS[model] = (plan, config["mask_callable"] if config["mask_fields"] else None)
    return _PLANS[model]


def _value(instance, attr, how: str):
    """auditlog's ``get_field_value`` for one field of a new instance (before ``smart_str``)."""
    if how == "generic":
        return get_field_value(instance, attr)
    value = getattr(instance, attr)
    if how == "datetime":
        if value is not None and settings.USE_TZ and not timezone.is_naive(value):
            value = timezone.make_naive(value, timezone=UTC)
        return value
    if how == "attname":
        return smart_str(value, strings_only=True)
    return smart_str(value)


def created_log_entry(instance: models.Model, *, pending: tuple[str, ...] = ()):
    """The unsaved ``LogEntry`` auditlog would write for ``instance`` just created, with
    ``changes`` and ``object_pk``/``object_id`` left for the caller when ``pending`` names fields
    the database assigns in the same statement (their value in ``changes`` is
    ``["None", "<value>"]``, unmasked: a pending field may not be masked). ``None``: auditlog
    must write it itself (the model is not registered, auditlog is disabled here, something
    listens to its pre_log/post_log signals, the model serializes its data, or a reverse relation
    is tracked while the key is pending)."""
    model = type(instance)
    if not auditlog.contains(model) or auditlog_disabled.get():
        return None
    if settings.AUDITLOG_STORE_JSON_CHANGES or pre_log.receivers or post_log.receivers:
        return None
    if hasattr(instance, "get_additional_data"):
        return None
    planned = _plan(model)
    if planned is None:
        return None
    plan, mask_callable = planned
    # Looked up per entry: the policy is a setting (AUDITLOG_MASK_CALLABLE) and follows it.
    mask = get_mask_function(mask_callable) if any(masked for *_, masked in plan) else None
    changes = {}
    for name, attr, how, masked in plan:
        if name in pending:
            if masked:
                return None
            continue
        if how == "generic" and pending and not attr.concrete:
            return None  # a reverse relation cannot be read before the row's key exists
        new = _value(instance, attr, how)
        if new == "None":
            continue  # auditlog compares with "None" (there is no old instance): equal, not logged
        new = smart_str(new)
        changes[name] = [mask("None"), mask(new)] if masked else ["None", new]
    try:
        object_repr = smart_str(instance)
    except ObjectDoesNotExist:
        object_repr = DEFAULT_OBJECT_REPR  # as auditlog does
    LogEntry = get_logentry_model()
    entry = LogEntry(
        content_type=ContentType.objects.get_for_model(model),
        action=LogEntry.Action.CREATE,
        object_repr=object_repr,
        changes=changes,
        serialized_data=None,
        cid=get_cid(),
    )
    if not pending:
        entry.object_pk = smart_str(instance.pk)
        entry.object_id = instance.pk if isinstance(instance.pk, int) else None
    # The actor, remote address, port and extra context: auditlog's own receiver sets them.
    pre_save.send(sender=LogEntry, instance=entry, raw=False, using=instance._state.db, update_fields=None)
    return entry


def changes_json(entry) -> str:
    """``entry.changes`` as the JSON text of its column (cast to jsonb in SQL)."""
    return json.dumps(entry.changes, ensure_ascii=False)


@contextmanager
def created_quietly():
    """Save inside this to keep auditlog's own receiver out; then call ``log_created``."""
    with disable_auditlog():
        yield


def log_created(instance: models.Model):
    """Write the audit entry of ``instance``'s creation — the row auditlog would write — after it
    was saved in ``created_quietly()``. Nothing when auditlog is disabled around the call (the
    demo data). Where ``created_log_entry`` declines, auditlog's own receiver writes it."""
    if auditlog_disabled.get():
        return None
    entry = created_log_entry(instance)
    if entry is None:
        log_create(sender=type(instance), instance=instance, created=True)
        return None
    if entry.changes:  # as auditlog: a create with nothing to record writes no entry
        entry.save()
        return entry
    return None


@contextmanager
def acting_as(user):
    """Writes inside are audited as ``user``'s: a worker writing what an officer asked for (an
    import applied from the batch page) runs outside the officer's request, where auditlog's
    middleware would have named them. auditlog's context does not nest (leaving it keeps its own
    value and silences an enclosing one), so the enclosing value is put back on the way out."""
    if getattr(user, "pk", None) is None:
        yield
        return
    previous = auditlog_value.get(None)
    try:
        with set_actor(user):
            yield
    finally:
        if previous is not None:
            auditlog_value.set(previous)
