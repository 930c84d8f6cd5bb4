"""core.audit writes a new case's audit entry directly: the row django-auditlog's own receiver
writes for the same instance (same changes, same masking policy, same actor and address from the
request), once, and never when auditlog is disabled."""

from __future__ import annotations

import json

import pytest
from auditlog.context import disable_auditlog, set_actor
from auditlog.models import LogEntry
from auditlog.receivers import _create_log_entry
from django.test import Client
from django.urls import reverse

from core.audit import created_log_entry, log_created
from grievances.models import Grievance
from grievances.services import grievance_create

pytestmark = pytest.mark.django_db

COMPARED = [f.attname for f in LogEntry._meta.concrete_fields if f.attname not in ("id", "timestamp")]


def _auditlogs_own(instance) -> LogEntry:
    """The entry auditlog's ``post_save`` receiver writes for ``instance`` (its diff, its manager)."""
    _create_log_entry(
        action=LogEntry.Action.CREATE, instance=instance, sender=type(instance), diff_old=None, diff_new=instance
    )
    return LogEntry.objects.get_for_object(instance).order_by("-pk").first()


def _row(entry: LogEntry) -> dict:
    entry.refresh_from_db()
    return {name: getattr(entry, name) for name in COMPARED}


def _cases(world, categories, managed_station):
    yield grievance_create(
        channel="station_qr",
        text="驿站门口的充电桩坏了",
        territory=None,
        station=managed_station,
        category=categories["meals"],
        contact_name="王师傅",
        contact_phone="139 1234 5698",
        receipt_sms=True,
    )
    yield grievance_create(
        channel="hotline",
        text="来电反映欠薪，公司拒不支付上月工资",
        territory=world.chaokujie,
        category_code="labour",
        priority="urgent",
        is_anonymous=True,
        source_ref="hotline:20261201-7",
    )
    yield grievance_create(channel="web", text="None", territory=world.chaokujie)  # a text that reads "None"


def test_the_direct_entry_is_the_one_auditlog_writes(world, categories, managed_station):
    for grievance in _cases(world, categories, managed_station):
        (direct,) = LogEntry.objects.get_for_object(grievance)
        theirs = _auditlogs_own(grievance)
        assert theirs.pk != direct.pk
        assert _row(direct) == _row(theirs)
        # The intake took the direct path (the builder does not leave a grievance to auditlog).
        built = created_log_entry(grievance)
        assert built is not None and direct.changes == built.changes


def test_the_phone_is_masked_by_the_one_policy(world, categories, managed_station, settings):
    grievance = next(_cases(world, categories, managed_station))
    (entry,) = LogEntry.objects.get_for_object(grievance)
    assert entry.changes["contact_phone"] == ["None", "139****5698"]
    assert "13912345698" not in json.dumps(entry.changes)
    assert entry.changes["ticket"] == ["None", grievance.ticket] and entry.object_repr == grievance.ticket
    # The policy is auditlog's mask callable (AUDITLOG_MASK_CALLABLE = core.masking.mask_for_audit):
    # whatever it is set to, the direct entry masks as auditlog's own does.
    settings.AUDITLOG_MASK_CALLABLE = "core.masking.mask_id_number"
    other = log_created(grievance)
    other.refresh_from_db()
    assert other.changes["contact_phone"] == ["****", "*" * 11]
    assert _row(other) == _row(_auditlogs_own(grievance))


def test_one_entry_per_intake_with_the_address_or_the_actor(world, categories, managed_station, fuzimiao_cadre):
    response = Client(REMOTE_ADDR="198.51.100.7").post(
        reverse("grievances:station-new", kwargs={"code": managed_station.code}),
        {"text": "充电桩坏了", "contact_phone": "13912345698"},
    )
    assert response.status_code == 302
    (entry,) = LogEntry.objects.get_for_object(Grievance.objects.get())
    assert entry.action == LogEntry.Action.CREATE
    assert entry.remote_addr == "198.51.100.7" and entry.actor is None
    with set_actor(fuzimiao_cadre, remote_addr="203.0.113.9"):
        grievance = grievance_create(channel="hotline", text="来电反映欠薪", territory=world.chaokujie)
    (entry,) = LogEntry.objects.get_for_object(grievance)
    assert entry.actor == fuzimiao_cadre and entry.remote_addr == "203.0.113.9"


def test_nothing_is_written_when_auditlog_is_disabled(world):
    with disable_auditlog():
        grievance = grievance_create(channel="web", text="演示数据", territory=world.chaokujie)
    assert not LogEntry.objects.get_for_object(grievance).exists()
