"""Intake: a case from any door (public form, phone page, API, staff hotline entry, demo, 随手拍)
gets its ticket, photos and first timeline event in one transaction; triage is queued after commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.audit import created_quietly, log_created
from core.queue import enqueue_many_on_commit
from core.text import clean_line, clean_prose
from grievances.models import Category, Channel, Grievance, GrievanceEvent, GrievancePhoto, Priority, TicketCounter
from grievances.photos import clean_photos
from grievances.services.base import MAX_TEXT, S, record_event
from members.validators import normalize_phone, phone_error

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser
    from django.core.files import File

    from grievances.models import Campaign
    from members.models import Person
    from organizations.models import Territory
    from stations.models import Station


def next_ticket(now=None) -> str:
    """SQ20261123-00042: the local day and that day's number.

    On PostgreSQL the number comes from the day's own sequence (``grievance_next_ticket``,
    migration 0005): ``nextval`` never waits for another transaction, so intakes do not queue
    behind one another, and numbers are unique but may skip one when an intake rolls back. The
    sequences are made days ahead (``prepare_ticket_sequences``, beat daily), so no intake waits
    for one to be created; were the beat down, the day's first intakes would wait once, while the
    first of them creates it. Elsewhere
    (SQLite, one writer at a time anyway) one upsert on the day's counter row returns the number.
    """
    day = timezone.localdate(now)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT grievance_next_ticket(%s)", [day])
        else:
            table = connection.ops.quote_name(TicketCounter._meta.db_table)
            cursor.execute(
                f"INSERT INTO {table} (day, last) VALUES (%s, 1) "
                f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
                [connection.ops.adapt_datefield_value(day)],
            )
        (last,) = cursor.fetchone()
    return f"SQ{day:%Y%m%d}-{last:05d}"


def prepare_ticket_sequences(days_ahead: int = 3, today=None) -> int:
    """Create the ticket sequences of today and the next ``days_ahead`` days (PostgreSQL; each
    committed at once when called outside a transaction, as the beat task is). Idempotent; returns
    how many days it covered (0 where there are no sequences)."""
    if connection.vendor != "postgresql":
        return 0
    today = today or timezone.localdate()
    days = [today + timedelta(days=n) for n in range(days_ahead + 1)]
    with connection.cursor() as cursor:
        for day in days:
            cursor.execute(f"CREATE SEQUENCE IF NOT EXISTS grievance_ticket_{day:%Y%m%d}")
    return len(days)


def grievance_create(
    *,
    channel: str,
    text: str,
    territory: Territory | None,
    category_code: str | None = None,
    category: Category | None = None,
    station: Station | None = None,
    person: Person | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    photos: Iterable[File] = (),
    actor: AbstractBaseUser | AnonymousUser | None = None,
    source_ref: str = "",
    campaign: Campaign | None = None,
    is_anonymous: bool = False,
    priority: str | None = None,
    submitted_at: datetime | None = None,
    dispatch: bool = True,
    receipt_sms: bool = False,
) -> Grievance:
    """Take in one case from any channel; triage runs in Celery after commit.

    ``territory`` may be None when ``station`` is given (the station's territory is used).
    ``category`` is an active category the caller has already read (the public form's choice);
    otherwise ``category_code`` is looked up.
    ``source_ref`` (e.g. ``"photo-report:123"``) makes the call idempotent: the same reference
    returns the case already created. ``dispatch=False`` leaves triage to the caller (demo data);
    ``submitted_at`` backdates the case (demo and scale data); ``receipt_sms`` texts the ticket
    to the contact phone after commit (staff intake on the hotline). Raises ValidationError with
    Chinese messages per field and writes nothing then.
    """
    source_ref = (source_ref or "").strip()
    if source_ref:
        existing = Grievance.objects.filter(source_ref=source_ref).first()
        if existing is not None:
            return existing
    errors: dict[str, str] = {}
    if channel not in Channel.values:
        errors["channel"] = f"未知渠道“{channel}”"
    text = clean_prose(text or "")
    if not text:
        errors["text"] = "请填写诉求内容"
    elif len(text) > MAX_TEXT:
        errors["text"] = f"诉求内容不能超过 {MAX_TEXT} 字（当前 {len(text)} 字）"
    if station is not None and territory is None:
        territory = station.territory
    if territory is None:
        errors["territory"] = "请选择诉求所在区域"
    if category is not None and not category.is_active:
        errors["category"] = f"诉求分类“{category.code}”不存在或已停用"
    elif category is None and category_code:
        category = Category.objects.filter(code=category_code.strip(), is_active=True).first()
        if category is None:
            errors["category"] = f"诉求分类“{category_code}”不存在或已停用"
    contact_name = clean_line(contact_name or "")[:64]
    phone = normalize_phone(contact_phone)
    if phone:
        error = phone_error(phone)
        if error:
            errors["contact_phone"] = error
    if priority and priority not in Priority.values:
        errors["priority"] = f"未知紧急程度“{priority}”"
    try:
        cleaned_photos = clean_photos(photos)
    except ValidationError as exc:
        errors["photos"] = "；".join(exc.messages)
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    try:
        with transaction.atomic():
            # The case's audit entry is written directly (core.audit: the same row auditlog
            # writes, masked by the same policy, without auditlog's per-save field discovery).
            grievance = Grievance(
                ticket=next_ticket(submitted_at or now),
                channel=channel,
                source_ref=source_ref,
                campaign=campaign,
                person=person,
                contact_name=contact_name,
                contact_phone=phone,
                is_anonymous=is_anonymous,
                category=category,
                territory=territory,
                station=station,
                text=text,
                priority=priority or (category.default_priority if category else Priority.NORMAL),
                submitted_at=submitted_at or now,
            )
            with created_quietly():
                grievance.save(force_insert=True)
            log_created(grievance)
            for content in cleaned_photos:
                photo = GrievancePhoto(grievance=grievance)
                photo.image.save(content.name, content, save=False)
                photo.save()
            record_event(
                grievance,
                GrievanceEvent.Kind.SUBMITTED,
                actor=actor,
                actor_label=Channel(channel).label,
                new=S.SUBMITTED,
                public=True,
                at=grievance.submitted_at,
                note=f"通过“{Channel(channel).label}”提交",
            )
            # Triage and the receipt SMS: one outbox INSERT inside the transaction, published after
            # commit and marked sent in one UPDATE; the gateway is called by the worker only.
            follow_ups: list[tuple[str, tuple]] = []
            if dispatch:
                follow_ups.append(("grievances.tasks.triage_grievance", (grievance.pk,)))
            if receipt_sms and phone:
                receipt = f"您的诉求已受理，受理编号 {grievance.ticket}，可凭编号和手机尾号查询办理进度。"
                follow_ups.append(("core.send_sms", (phone, receipt)))
            enqueue_many_on_commit(follow_ups)
    except IntegrityError:
        if source_ref:
            existing = Grievance.objects.filter(source_ref=source_ref).first()
            if existing is not None:
                return existing
        raise
    return grievance
