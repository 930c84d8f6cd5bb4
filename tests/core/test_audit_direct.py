"""``core.audit.created_log_entry`` builds the audit entry auditlog would write for a new row —
held equal to auditlog's own diff for every model registered with it (masked fields, included and
excluded fields, dates, foreign keys), so a hot path writing it directly writes the same row."""

from __future__ import annotations

import datetime

import pytest
from auditlog.context import disable_auditlog, set_actor
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.db import models
from django.utils import timezone

from core.audit import created_log_entry

pytestmark = pytest.mark.django_db

PHONE, ID_NUMBER = "13812345678", "32010419900101123X"


def _instance(model):
    """A new instance of ``model`` with a value in every field auditlog logs (a phone or an ID
    number in text fields, so masking shows)."""
    instance = model(pk=4321)
    for field in model._meta.concrete_fields:
        if field.primary_key or field.has_default():
            continue
        if field.is_relation:
            setattr(instance, field.attname, 17 if not field.null else None)
        elif isinstance(field, models.DateTimeField):
            setattr(instance, field.attname, timezone.now())
        elif isinstance(field, models.TimeField):
            setattr(instance, field.attname, datetime.time(8, 30))
        elif isinstance(field, models.DateField):
            setattr(instance, field.attname, datetime.date(2026, 12, 1))
        elif isinstance(field, models.CharField | models.TextField):
            setattr(instance, field.attname, ID_NUMBER if "id_number" in field.name else PHONE)
        elif isinstance(field, models.IntegerField | models.DecimalField | models.FloatField):
            setattr(instance, field.attname, 3)
        elif isinstance(field, models.BooleanField):
            setattr(instance, field.attname, True)
    return instance


def _expected(instance) -> dict:
    return {name: list(pair) for name, pair in (model_instance_diff(None, instance) or {}).items()}


def test_every_registered_model_gets_the_changes_auditlog_would_write():
    checked = masked = 0
    for model in auditlog.get_models():
        instance = _instance(model)
        entry = created_log_entry(instance)
        if entry is None:
            continue  # declined: auditlog writes it itself
        assert entry.changes == _expected(instance), model
        assert (entry.object_pk, entry.object_id) == ("4321", 4321)
        assert entry.action == LogEntry.Action.CREATE and entry.content_type.model_class() is model
        checked += 1
        mask_fields = auditlog.get_model_fields(model)["mask_fields"]
        if any(entry.changes.get(name, [None, None])[1] not in (PHONE, ID_NUMBER) for name in mask_fields):
            masked += 1
    # Most of the registry (models with reverse relations or JSON fields are declined: auditlog's
    # generic code logs those), a model with a masked field among them.
    assert checked >= 30 and masked >= 1


def test_masked_phone_shows_the_lists_mask():
    from organizations.models import CommitteeMember

    entry = created_log_entry(_instance(CommitteeMember))
    assert entry.changes["phone"] == ["None", "138****5678"]


def test_pending_fields_are_left_to_the_caller():
    from points.models import Redemption

    entry = created_log_entry(_instance(Redemption), pending=("id", "debit_entry"))
    assert "id" not in entry.changes and "debit_entry" not in entry.changes
    assert not entry.object_pk and entry.object_id is None  # the caller writes them
    assert entry.changes["cost"] == ["None", "3"]


def test_the_actor_and_address_come_from_auditlogs_own_context(django_user_model):
    from points.models import Redemption

    user = django_user_model.objects.create_user("audit-direct", email="a@example.org")
    with set_actor(user, remote_addr="10.9.8.7"):
        entry = created_log_entry(_instance(Redemption))
    assert (entry.actor, entry.actor_email, entry.remote_addr) == (user, "a@example.org", "10.9.8.7")
    assert created_log_entry(_instance(Redemption)).actor is None


def test_declines_what_auditlog_must_write_itself():
    from points.models import PhotoReport, PointEntry, Redemption

    assert created_log_entry(_instance(PointEntry)) is None  # not audited at all
    # A reverse relation is read by auditlog's own code; it cannot be read before the key exists.
    report = _instance(PhotoReport)
    assert created_log_entry(report) is not None
    assert created_log_entry(report, pending=("id",)) is None
    with disable_auditlog():
        assert created_log_entry(_instance(Redemption)) is None
