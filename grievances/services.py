"""Writes of the grievance loop: intake, triage, routing, the state machine, feedback, projects.

Every state change goes through ``_transition``: the case row is locked (``select_for_update``),
the move is checked against ``ALLOWED`` and the timeline gets one event in the same transaction,
so two handlers pressing "办结" at once produce one resolution and one error message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from difflib import SequenceMatcher

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.sms import send_sms
from core.text import clean_text
from grievances.calendar import add_sla, add_workdays
from grievances.models import (
    OPEN_STATES,
    Category,
    Channel,
    ExtensionRequest,
    GovernanceProject,
    Grievance,
    GrievanceEvent,
    GrievancePhoto,
    Notice,
    Priority,
    RoutingRule,
    SlaPolicy,
    TicketCounter,
)
from grievances.photos import clean_photos
from members.validators import normalize_phone, phone_error
from organizations.models import StaffPost, Territory
from organizations.roles import Role

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


def _setting(name: str, default):
    return getattr(settings, "GRIEVANCES", {}).get(name, default)


def reopen_window() -> timedelta:
    return timedelta(days=_setting("REOPEN_WINDOW_DAYS", 7))


class IllegalTransition(ValidationError):
    """The case is not in a state that allows this action (perhaps someone else just acted)."""


# --- intake -----------------------------------------------------------------------------------


def next_ticket(now=None) -> str:
    """SQ20261123-00042: the local day and that day's counter.

    One upsert that returns the new value (PostgreSQL, and SQLite ≥ 3.35): the row stays locked
    until the surrounding transaction ends, so numbers are gapless and never handed out twice.
    """
    day = timezone.localdate(now)
    table = connection.ops.quote_name(TicketCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (day, last) VALUES (%s, 1) "
            f"ON CONFLICT (day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [connection.ops.adapt_datefield_value(day)],
        )
        (last,) = cursor.fetchone()
    return f"SQ{day:%Y%m%d}-{last:05d}"


def _event(grievance, kind, *, actor=None, actor_label="", note="", old="", new="", public=False, at=None):
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


def grievance_submit(
    *,
    channel: str,
    text: str,
    territory,
    category_code: str | None = None,
    station=None,
    person=None,
    contact_name: str = "",
    contact_phone: str = "",
    photos=(),
    actor=None,
    source_ref: str = "",
) -> Grievance:
    """Take in one case from any channel; triage runs in Celery after commit.

    ``source_ref`` (e.g. ``"points:photo:123"``) makes the call idempotent: the same reference
    returns the case already created. Raises ValidationError with Chinese messages per field.
    """
    return _grievance_create(
        channel=channel,
        text=text,
        territory=territory,
        category_code=category_code,
        station=station,
        person=person,
        contact_name=contact_name,
        contact_phone=contact_phone,
        photos=photos,
        actor=actor,
        source_ref=source_ref,
    )


def _grievance_create(
    *,
    channel: str,
    text: str,
    territory,
    category_code: str | None = None,
    station=None,
    person=None,
    contact_name: str = "",
    contact_phone: str = "",
    photos=(),
    actor=None,
    source_ref: str = "",
    campaign=None,
    is_anonymous: bool = False,
    priority: str | None = None,
    submitted_at=None,
    dispatch: bool = True,
    receipt_sms: bool = False,
) -> Grievance:
    source_ref = (source_ref or "").strip()
    if source_ref:
        existing = Grievance.objects.filter(source_ref=source_ref).first()
        if existing is not None:
            return existing
    errors: dict[str, str] = {}
    if channel not in Channel.values:
        errors["channel"] = f"未知渠道“{channel}”"
    text = clean_text(text or "")
    if not text:
        errors["text"] = "请填写诉求内容"
    elif len(text) > MAX_TEXT:
        errors["text"] = f"诉求内容不能超过 {MAX_TEXT} 字（当前 {len(text)} 字）"
    if station is not None and territory is None:
        territory = station.territory
    if territory is None:
        errors["territory"] = "请选择诉求所在区域"
    category = None
    if category_code:
        category = Category.objects.filter(code=category_code.strip(), is_active=True).first()
        if category is None:
            errors["category"] = f"诉求分类“{category_code}”不存在或已停用"
    contact_name = clean_text(contact_name or "")[:64]
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
            grievance = Grievance.objects.create(
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
            for content in cleaned_photos:
                photo = GrievancePhoto(grievance=grievance)
                photo.image.save(content.name, content, save=False)
                photo.save()
            _event(
                grievance,
                GrievanceEvent.Kind.SUBMITTED,
                actor=actor,
                actor_label=Channel(channel).label,
                new=S.SUBMITTED,
                public=True,
                at=grievance.submitted_at,
                note=f"通过“{Channel(channel).label}”提交",
            )
    except IntegrityError:
        if source_ref:
            existing = Grievance.objects.filter(source_ref=source_ref).first()
            if existing is not None:
                return existing
        raise
    if dispatch:
        from grievances.tasks import triage_grievance

        pk = grievance.pk
        transaction.on_commit(lambda: triage_grievance.delay(pk))
    if receipt_sms and phone:
        ticket = grievance.ticket
        transaction.on_commit(
            lambda: send_sms(phone=phone, text=f"您的诉求已受理，受理编号 {ticket}，可凭编号和手机尾号查询办理进度。")
        )
    return grievance


# --- triage: category, duplicates, routing, SLA ------------------------------------------------


def suggest_category(text: str) -> Category | None:
    """The active category whose keywords occur most often in ``text`` (ties: taxonomy order)."""
    best, best_hits = None, 0
    for category in Category.objects.filter(is_active=True).order_by("sort_order", "id"):
        hits = sum(text.count(k) for k in category.keyword_list())
        if hits > best_hits:
            best, best_hits = category, hits
    return best


_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def text_similarity(a: str, b: str) -> float:
    a, b = _NOISE.sub("", a), _NOISE.sub("", b)
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def find_duplicate(grievance: Grievance) -> Grievance | None:
    """A likely earlier copy: same station (or same street), similar text, within the window."""
    window = timedelta(days=_setting("DUPLICATE_WINDOW_DAYS", 14))
    threshold = _setting("DUPLICATE_SIMILARITY", 0.6)
    candidates = Grievance.objects.filter(
        submitted_at__gte=grievance.submitted_at - window,
        submitted_at__lte=grievance.submitted_at,
    ).exclude(pk=grievance.pk)
    candidates = candidates.exclude(state__in=[S.DUPLICATE, S.REJECTED])
    if grievance.station_id:
        candidates = candidates.filter(station_id=grievance.station_id)
    else:
        street = street_of(grievance.territory)
        candidates = candidates.filter(territory__path__startswith=street.path)
    best, best_score = None, threshold
    for other in candidates.order_by("-submitted_at")[:100]:
        score = text_similarity(grievance.text, other.text)
        if score >= best_score:
            best, best_score = other, score
    return best


def street_of(territory: Territory) -> Territory:
    """The street (or town) a territory lies in; a district or city node is its own owner."""
    if territory.level in (Territory.Level.CITY, Territory.Level.DISTRICT, Territory.Level.STREET):
        return territory
    return (
        Territory.objects.filter(level=Territory.Level.STREET, path__in=_ancestor_paths(territory)).first() or territory
    )


def _ancestor_paths(territory: Territory) -> list[str]:
    step = Territory.steplen
    return [territory.path[:i] for i in range(step, len(territory.path) + 1, step)]


@dataclass
class Route:
    body: object | None
    co_bodies: list = field(default_factory=list)
    owner_territory: Territory | None = None
    rule_territory: Territory | None = None


def route_for(*, category: Category | None, territory: Territory) -> Route:
    """Rules of ``category`` whose territory contains ``territory``; the deepest level wins."""
    owner = street_of(territory)
    if category is None:
        return Route(body=None, owner_territory=owner)
    rules = list(
        RoutingRule.objects.filter(
            category=category, is_active=True, territory__path__in=_ancestor_paths(territory)
        ).select_related("body", "territory")
    )
    if not rules:
        return Route(body=None, owner_territory=owner)
    deepest = max(len(r.territory.path) for r in rules)
    level = sorted((r for r in rules if len(r.territory.path) == deepest), key=lambda r: (not r.is_lead, r.pk))
    return Route(
        body=level[0].body,
        co_bodies=[r.body for r in level[1:]],
        owner_territory=owner,
        rule_territory=level[0].territory,
    )


def sla_for(category: Category | None, priority: str) -> SlaPolicy | None:
    return (
        SlaPolicy.objects.filter(category=category, priority=priority).first()
        or SlaPolicy.objects.filter(category__isnull=True, priority=priority).first()
    )


def assignee_for(route: Route):
    """The post that handles the case: the lead body's first member-unit post, else the street's."""
    posts = StaffPost.objects.filter(is_active=True).order_by("id")
    if route.body is not None:
        return posts.filter(role=Role.MEMBER_UNIT, body=route.body).first()
    owner = route.owner_territory
    return (
        posts.filter(role=Role.STREET, territory=owner).first()
        or posts.filter(role=Role.DISTRICT, territory__path__in=_ancestor_paths(owner)).first()
    )


def _apply_route(grievance: Grievance, route: Route, *, start=None) -> list[str]:
    """Set owner, assignee and the SLA snapshot on ``grievance`` (not saved); return field names."""
    grievance.body = route.body
    grievance.owner_territory = route.owner_territory
    grievance.assignee = assignee_for(route)
    policy = sla_for(grievance.category, grievance.priority)
    start = start or grievance.submitted_at
    if policy is not None:
        grievance.sla_respond_hours = policy.respond_hours
        grievance.sla_resolve_amount = policy.resolve_amount
        grievance.sla_resolve_unit = policy.resolve_unit
        grievance.respond_due_at = start + timedelta(hours=policy.respond_hours)
        grievance.resolve_due_at = add_sla(start, policy.resolve_amount, policy.resolve_unit)
    return [
        "body",
        "owner_territory",
        "assignee",
        "sla_respond_hours",
        "sla_resolve_amount",
        "sla_resolve_unit",
        "respond_due_at",
        "resolve_due_at",
    ]


def _route_note(grievance: Grievance, route: Route) -> str:
    owner = f"责任单位：{route.body}" if route.body else f"属地兜底：{route.owner_territory}"
    co = f"；协办：{'、'.join(str(b) for b in route.co_bodies)}" if route.co_bodies else ""
    due = f"；应办结：{timezone.localtime(grievance.resolve_due_at):%Y-%m-%d %H:%M}" if grievance.resolve_due_at else ""
    who = f"；承办：{grievance.assignee}" if grievance.assignee_id else ""
    return owner + co + who + due


def _notify(grievance: Grievance, users, key: str, text: str) -> None:
    for user in users:
        Notice.objects.get_or_create(recipient=user, grievance=grievance, key=key, defaults={"text": text[:200]})


def grievance_triage(*, grievance_id: int) -> bool:
    """Triage one submitted case; a second run (or a run after a worker restart) does nothing."""
    with transaction.atomic():
        grievance = Grievance.objects.select_for_update().filter(pk=grievance_id).first()
        if grievance is None or grievance.state != S.SUBMITTED:
            return False
        notes = []
        if grievance.category_id is None:
            suggestion = suggest_category(grievance.text)
            if suggestion is not None:
                grievance.category = suggestion
                grievance.category_suggested = True
                # Intake defaults to "normal"; a priority someone chose on intake is kept.
                if grievance.priority == Priority.NORMAL:
                    grievance.priority = suggestion.default_priority
                notes.append(f"按关键词建议分类：{suggestion}")
        duplicate = find_duplicate(grievance)
        if duplicate is not None:
            grievance.suspected_duplicate_of = duplicate
            notes.append(f"疑似与 {duplicate.ticket} 重复，请承办人确认")
        grievance.state = S.TRIAGED
        grievance.save(
            update_fields=[
                "category",
                "category_suggested",
                "priority",
                "suspected_duplicate_of",
                "state",
                "updated_at",
            ]
        )
        _event(grievance, GrievanceEvent.Kind.TRIAGE, old=S.SUBMITTED, new=S.TRIAGED, note="；".join(notes))
        route = route_for(category=grievance.category, territory=grievance.territory)
        fields = _apply_route(grievance, route)
        # Without a post at the owner (a body nobody has an account for yet) the case stays
        # triaged: it is in the owner's scope, and whoever there accepts it takes it.
        target = S.ASSIGNED if grievance.assignee_id else S.TRIAGED
        grievance.state = target
        grievance.save(update_fields=[*fields, "state", "updated_at"])
        grievance.co_bodies.set(route.co_bodies)
        note = _route_note(grievance, route) + ("" if grievance.assignee_id else "；暂无承办岗位，待责任单位认领")
        _event(grievance, GrievanceEvent.Kind.ROUTED, old=S.TRIAGED, new=target, note=note)
        if grievance.assignee_id:
            _notify(
                grievance,
                [grievance.assignee.user],
                "assigned",
                f"新诉求 {grievance.ticket} 已分派给您，请在 {grievance.sla_respond_hours or '-'} 小时内响应",
            )
    return True


# --- the state machine ------------------------------------------------------------------------


def _transition(grievance, to: str, *, actor=None, actor_label="", note="", expected=None, public=False, **updates):
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
        _event(
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


def grievance_accept(*, grievance, actor) -> Grievance:
    now = timezone.now()
    updates = {} if grievance.responded_at else {"responded_at": now}
    if grievance.assignee_id is None and actor is not None:
        # Accepting an unclaimed case claims it for the actor's post at the owner.
        mine = StaffPost.objects.filter(user=actor, is_active=True)
        owner = grievance.owner_territory or street_of(grievance.territory)
        claim = (
            mine.filter(body=grievance.body).first()
            if grievance.body_id
            else mine.filter(territory__path__in=_ancestor_paths(owner)).first()
        )
        if claim is not None:
            updates["assignee"] = claim
    return _transition(grievance, S.IN_PROGRESS, actor=actor, note="承办人已受理", public=True, **updates)


def grievance_reply(*, grievance, actor, text: str) -> GrievanceEvent:
    """A reply the submitter sees on the status page (and gets by SMS); counts as a response."""
    text = clean_text(text or "")
    if not text:
        raise ValidationError({"text": "请填写答复内容"})
    with transaction.atomic():
        locked = Grievance.objects.select_for_update().get(pk=grievance.pk)
        if locked.state in (S.CLOSED, S.DUPLICATE, S.REJECTED):
            raise IllegalTransition(f"诉求 {locked.ticket} 已{locked.get_state_display()}，不能再答复")
        if locked.responded_at is None:
            locked.responded_at = timezone.now()
            locked.save(update_fields=["responded_at", "updated_at"])
        event = _event(locked, GrievanceEvent.Kind.REPLY, actor=actor, note=text, public=True)
    _sms_submitter(locked, f"您的诉求 {locked.ticket} 有新答复：{text[:60]}")
    return event


def grievance_resolve(*, grievance, actor, resolution: str, expected=None) -> Grievance:
    resolution = clean_text(resolution or "")
    if not resolution:
        raise ValidationError({"resolution": "请填写办理结果"})
    now = timezone.now()
    updates = {"resolution": resolution, "resolved_at": now, "feedback_requested_at": None}
    if grievance.responded_at is None:
        updates["responded_at"] = now
    return _transition(grievance, S.RESOLVED, actor=actor, note=resolution, public=True, expected=expected, **updates)


def grievance_reject(*, grievance, actor, reason: str) -> Grievance:
    reason = clean_text(reason or "")
    if not reason:
        raise ValidationError({"reason": "请填写不予受理的原因"})
    result = _transition(grievance, S.REJECTED, actor=actor, note=reason, public=True, reject_reason=reason[:200])
    _sms_submitter(result, f"您的诉求 {result.ticket} 不予受理：{reason[:60]}")
    return result


def grievance_mark_duplicate(*, grievance, master, actor) -> Grievance:
    while master.duplicate_of_id:
        master = master.duplicate_of
    if master.pk == grievance.pk:
        raise ValidationError({"master": "不能把诉求标记为自身的重复件"})
    if master.state == S.REJECTED:
        raise ValidationError({"master": f"主件 {master.ticket} 已不予受理，不能作为主件"})
    return _transition(
        grievance,
        S.DUPLICATE,
        actor=actor,
        note=f"与 {master.ticket} 重复，合并办理",
        public=True,
        duplicate_of=master,
    )


def grievance_transfer(*, grievance, actor, body=None, note: str = "") -> Grievance:
    """Hand the case to another body (or back to the street when ``body`` is None).

    The deadline stays: a transfer does not buy time (that needs an approved extension).
    """
    route = Route(body=body, owner_territory=street_of(grievance.territory))
    assignee = assignee_for(route)
    target = str(body) if body else f"属地兜底：{route.owner_territory}"
    return _transition(
        grievance,
        S.ASSIGNED,
        actor=actor,
        note=f"转办至 {target}" + (f"：{note}" if note else ""),
        body=body,
        owner_territory=route.owner_territory,
        assignee=assignee,
    )


def grievance_recategorize(*, grievance, category: Category, actor) -> Grievance:
    """A new category re-routes the case and re-snapshots its SLA from the submission time."""
    with transaction.atomic():
        locked = Grievance.objects.select_for_update().get(pk=grievance.pk)
        if not locked.is_open or locked.state == S.SUBMITTED:
            raise IllegalTransition(f"诉求 {locked.ticket} 当前为“{locked.get_state_display()}”，不能改分类")
        old_category = locked.category
        # A priority that came from the old category's default follows the new category;
        # one a handler chose (staff intake) stays.
        if locked.priority == (old_category.default_priority if old_category else Priority.NORMAL):
            locked.priority = category.default_priority
        locked.category = category
        locked.category_suggested = False
        route = route_for(category=category, territory=locked.territory)
        fields = _apply_route(locked, route)
        locked.save(update_fields=["category", "category_suggested", "priority", *fields, "updated_at"])
        locked.co_bodies.set(route.co_bodies)
        _event(
            locked,
            GrievanceEvent.Kind.ROUTED,
            actor=actor,
            note=f"分类由“{old_category or '未分类'}”改为“{category}”，重新分办。" + _route_note(locked, route),
        )
        if locked.assignee_id:
            _notify(
                locked, [locked.assignee.user], f"assigned:{locked.assignee_id}", f"诉求 {locked.ticket} 已改派给您"
            )
    return locked


def _sms_submitter(grievance: Grievance, text: str) -> None:
    phone = grievance.submitter_phone
    # Demo cases carry invented numbers that may belong to real people: never text them.
    if phone and not grievance.source_ref.startswith("demo:"):
        transaction.on_commit(lambda: send_sms(phone=phone, text=text))


# --- extensions -------------------------------------------------------------------------------


def extension_request(*, grievance, actor, days: int, reason: str) -> ExtensionRequest:
    reason = clean_text(reason or "")
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
            _event(grievance, GrievanceEvent.Kind.EXTENSION, actor=actor, note=f"申请延期 {days} 个工作日：{reason}")
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
        _event(grievance, GrievanceEvent.Kind.EXTENSION, actor=actor, note=note)
    return locked


# --- feedback ---------------------------------------------------------------------------------


def grievance_rate(*, grievance, rating: int, comment: str = "") -> Grievance:
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": "满意度请选择 1–5 分"})
    with transaction.atomic():
        locked = Grievance.objects.select_for_update().get(pk=grievance.pk)
        if locked.state not in (S.RESOLVED, S.CLOSED):
            raise ValidationError({"rating": "诉求办结后才能评价"})
        if locked.rating is not None:
            raise ValidationError({"rating": "您已评价过该诉求"})
        locked.rating = rating
        locked.rating_comment = clean_text(comment or "")[:200]
        locked.save(update_fields=["rating", "rating_comment", "updated_at"])
        _event(
            locked,
            GrievanceEvent.Kind.FEEDBACK,
            actor_label="提交人",
            note=f"满意度 {rating} 分" + (f"：{locked.rating_comment}" if locked.rating_comment else ""),
            public=True,
        )
    return locked


def grievance_reopen(*, grievance, reason: str, actor=None) -> Grievance:
    """The submitter reopens within the window; the deadline restarts with the case's SLA."""
    reason = clean_text(reason or "")
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
    result = _transition(grievance, S.REOPENED, actor=actor, actor_label="提交人", note=reason, public=True, **updates)
    if result.assignee_id:
        _notify(
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
    _event(grievance, GrievanceEvent.Kind.FEEDBACK, note="已发送满意度回访短信")
    _sms_submitter(
        grievance,
        f"您的诉求 {grievance.ticket} 已办结，请凭编号和手机尾号登录查询页评价；"
        f"如不满意可在 {reopen_window().days} 天内申请重新办理。",
    )
    return True


def grievance_autoclose(*, grievance_id: int, now=None) -> bool:
    now = now or timezone.now()
    grievance = Grievance.objects.filter(pk=grievance_id).first()
    if grievance is None or grievance.state != S.RESOLVED or grievance.resolved_at is None:
        return False
    if now - grievance.resolved_at <= reopen_window():
        return False
    try:
        _transition(grievance, S.CLOSED, expected=S.RESOLVED, note="回访期满自动关闭", public=True, closed_at=now)
    except IllegalTransition:
        return False
    return True


# --- escalation -------------------------------------------------------------------------------


def _posts_above(grievance: Grievance, level: int):
    posts = StaffPost.objects.filter(is_active=True).select_related("user")
    if level == Grievance.Escalation.MUNICIPAL:
        return posts.filter(role=Role.MUNICIPAL)
    return posts.filter(role=Role.DISTRICT, territory__path__in=_ancestor_paths(grievance.territory))


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
    later = add_workdays(grievance.resolve_due_at, _setting("ESCALATE_MUNICIPAL_AFTER_WORKDAYS", 3))
    target = Grievance.Escalation.MUNICIPAL if now >= later else Grievance.Escalation.DISTRICT
    with transaction.atomic():
        claimed = Grievance.objects.filter(pk=grievance_id, escalation_level__lt=target, state__in=OPEN_STATES).update(
            escalation_level=target
        )
        if not claimed:
            return False
        label = Grievance.Escalation(target).label
        _event(
            grievance,
            GrievanceEvent.Kind.ESCALATED,
            note=f"超期未办结（应办结 {timezone.localtime(grievance.resolve_due_at):%Y-%m-%d %H:%M}），{label}督办",
        )
        users = {p.user for p in _posts_above(grievance, target)}
        _notify(grievance, users, f"escalated:{target}", f"诉求 {grievance.ticket} 超期未办结，{label}督办")
    return True


# --- governance projects ----------------------------------------------------------------------


def cluster_propose(*, now=None) -> list[GovernanceProject]:
    """Weekly: recurring (category × street) clusters without a project become proposals.

    A cluster already covered by a proposed or active project only gets its new cases linked.
    The proposal's key carries the ISO week, so running the job twice in a week adds nothing.
    """
    now = now or timezone.now()
    since = now - timedelta(days=_setting("CLUSTER_WINDOW_DAYS", 90))
    minimum = _setting("CLUSTER_MIN_CASES", 5)
    rows = (
        Grievance.objects.filter(submitted_at__gte=since, category__isnull=False, owner_territory__isnull=False)
        .exclude(state__in=[S.DUPLICATE, S.REJECTED])
        .values_list("pk", "category_id", "owner_territory_id", "project_id")
    )
    clusters: dict[tuple[int, int], list[tuple[int, int | None]]] = {}
    for pk, category_id, territory_id, project_id in rows:
        clusters.setdefault((category_id, territory_id), []).append((pk, project_id))
    created = []
    year, week, _ = timezone.localtime(now).isocalendar()
    for (category_id, territory_id), members in sorted(clusters.items()):
        if len(members) < minimum:
            continue
        unlinked = [pk for pk, project_id in members if project_id is None]
        if not unlinked:
            continue
        with transaction.atomic():
            project = GovernanceProject.objects.filter(
                category_id=category_id,
                territory_id=territory_id,
                status__in=[GovernanceProject.Status.PROPOSED, GovernanceProject.Status.ACTIVE],
            ).first()
            if project is None:
                category = Category.objects.get(pk=category_id)
                territory = Territory.objects.get(pk=territory_id)
                project, was_created = GovernanceProject.objects.get_or_create(
                    cluster_key=f"{category.code}:{territory.code}:{year}W{week:02d}",
                    defaults={
                        "title": f"{territory.name}{category.name}问题集中治理",
                        "category": category,
                        "territory": territory,
                        "summary": f"近期同类诉求 {len(members)} 件，系统建议立项",
                    },
                )
                if was_created:
                    created.append(project)
            linked = list(Grievance.objects.filter(pk__in=unlinked, project__isnull=True))
            Grievance.objects.filter(pk__in=[g.pk for g in linked]).update(project=project)
            for grievance in linked:
                _event(grievance, GrievanceEvent.Kind.PROJECT, note=f"归入治理项目“{project.title}”")
    return created


def project_close(*, project: GovernanceProject, actor, explanation: str) -> int:
    """Finish a project and resolve its open cases with one explanation; returns how many."""
    explanation = clean_text(explanation or "")
    if not explanation:
        raise ValidationError({"explanation": "请填写统一答复提交人的办结说明"})
    with transaction.atomic():
        locked = GovernanceProject.objects.select_for_update().get(pk=project.pk)
        if locked.status in (GovernanceProject.Status.DONE, GovernanceProject.Status.DISMISSED):
            raise ValidationError(f"项目“{locked.title}”已{locked.get_status_display()}")
        locked.status = GovernanceProject.Status.DONE
        locked.progress = 100
        locked.explanation = explanation
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "progress", "explanation", "closed_at"])
        count = 0
        for grievance in locked.grievances.filter(state__in=OPEN_STATES).order_by("pk"):
            if S.RESOLVED in ALLOWED[grievance.state]:
                grievance_resolve(grievance=grievance, actor=actor, resolution=f"【治理项目】{explanation}")
            else:
                # submitted/triaged cases still need an owner before they can be resolved
                grievance_triage(grievance_id=grievance.pk)
                grievance.refresh_from_db()
                grievance_resolve(grievance=grievance, actor=actor, resolution=f"【治理项目】{explanation}")
            count += 1
    return count
