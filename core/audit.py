"""A new row's audit entry written directly: the ``LogEntry`` django-auditlog writes on a create,
without the per-save work auditlog spends to find it.

auditlog's ``post_save`` receiver works out, on every create, which of the model's fields it
tracks (``_meta.get_fields()``, its include/exclude/mask lists copied out of the registry, a field
set filtered per call) before comparing each field with "nothing". ``log_created`` works that
plan out once per model and then builds the same entry: the same ``changes`` (every tracked field
whose value differs from auditlog's "None", by auditlog's own ``get_field_value``), **masked by the
same policy** (the model's registered ``mask_fields`` through auditlog's ``get_mask_function``,
i.e. ``AUDITLOG_MASK_CALLABLE`` = ``core.masking.mask_for_audit``), the same ``object_repr``,
``object_pk``/``object_id``, content type, correlation id, serialized data and additional data,
the same ``pre_log``/``post_log`` signals; the actor and the client's address are filled in by
auditlog's request context exactly as for its own entries. ``tests/grievances/test_audit_direct.py``
holds the two equal.

Use it as ``with created_quietly(): obj.save()`` then ``log_created(obj)`` (one INSERT, in the
caller's transaction): the public intake does, once per case.
"""

from __future__ import annotations

from contextlib import contextmanager
from functools import cache

from auditlog.cid import get_cid
from auditlog.context import auditlog_disabled, disable_auditlog
from auditlog.diff import get_field_value, get_mask_function, track_field
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from auditlog.signals import post_log, pre_log
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils.encoding import smart_str

# What auditlog's diff takes for every field of a row that did not exist (``get_field_value(None,
# field)`` → the default of nothing → ``smart_str(None)``).
NOTHING = "None"


@cache
def _tracked(model) -> tuple[tuple, frozenset]:
    """The fields auditlog's ``model_instance_diff`` compares for a new ``model`` row, in the same
    way (tracked, then ``include_fields``, then ``exclude_fields``), and the masked names."""
    options = auditlog.get_model_fields(model)
    fields = [field for field in model._meta.get_fields() if track_field(field)]
    if options["include_fields"]:
        fields = [field for field in fields if field.name in options["include_fields"]]
    if options["exclude_fields"]:
        fields = [field for field in fields if field.name not in options["exclude_fields"]]
    return tuple(fields), frozenset(options["mask_fields"])


def created_changes(instance) -> dict[str, tuple[str, str]] | None:
    """``changes`` of a create of ``instance``, as auditlog records them (None when nothing)."""
    model = type(instance)
    fields, masked = _tracked(model)
    mask = get_mask_function(auditlog.get_model_fields(model)["mask_callable"]) if masked else None
    changes = {}
    for field in fields:
        value = get_field_value(instance, field)
        if value != NOTHING:
            if field.name in masked:
                changes[field.name] = (mask(NOTHING), mask(smart_str(value)))
            else:
                changes[field.name] = (NOTHING, smart_str(value))
    return changes or None


@contextmanager
def created_quietly():
    """Save inside this to keep auditlog's own receiver out; then call ``log_created``."""
    with disable_auditlog():
        yield


def log_created(instance) -> LogEntry | None:
    """Write the audit entry of ``instance``'s creation (the row auditlog would write), or nothing
    when auditlog is disabled around the call (``disable_auditlog``: the demo data, the
    bench's tidying up) or a ``pre_log`` receiver vetoes it, as auditlog does."""
    if auditlog_disabled.get():
        return None
    model = type(instance)
    if settings.AUDITLOG_STORE_JSON_CHANGES or settings.AUDITLOG_USE_FK_STRING_REPRESENTATION:
        raise NotImplementedError("log_created writes auditlog's default (text) changes only")
    if not auditlog.contains(model):
        raise ValueError(f"{model._meta.label} is not registered with auditlog")
    action = LogEntry.Action.CREATE
    results = pre_log.send(model, instance=instance, action=action)
    if any(result is False for _receiver, result in results):
        return None
    changes = created_changes(instance)
    additional = getattr(instance, "get_additional_data", None)
    entry = error = None
    try:
        if changes:
            pk = instance.pk
            entry = LogEntry.objects.create(
                content_type=ContentType.objects.get_for_model(instance),
                object_pk=pk,
                object_id=pk if isinstance(pk, int) else None,
                object_repr=smart_str(instance),
                serialized_data=LogEntry.objects._get_serialized_data_or_none(instance),  # noqa: SLF001
                additional_data=additional() if callable(additional) else None,
                cid=get_cid(),
                action=action,
                changes=changes,
            )
    except BaseException as exc:
        error = exc
    finally:
        if entry or error:
            post_log.send(
                model,
                instance=instance,
                instance_old=None,
                action=action,
                error=error,
                pre_log_results=results,
                changes=changes,
                log_entry=entry,
                log_created=entry is not None,
                use_json_for_changes=False,
            )
    if error:
        raise error
    return entry
