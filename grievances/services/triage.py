"""Triage: keyword category, suspected duplicate, routing to the owner and the SLA snapshot."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from difflib import SequenceMatcher

from django.db import transaction
from django.utils import timezone

from core.calendar import add_sla
from grievances.models import Category, Grievance, GrievanceEvent, Priority, RoutingRule, SlaPolicy
from grievances.services.base import S, notify, record_event, setting
from organizations.models import StaffPost, Territory
from organizations.roles import Role


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
    window = timedelta(days=setting("DUPLICATE_WINDOW_DAYS", 14))
    threshold = setting("DUPLICATE_SIMILARITY", 0.6)
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
        Territory.objects.filter(level=Territory.Level.STREET, path__in=ancestor_paths(territory)).first() or territory
    )


def ancestor_paths(territory: Territory) -> list[str]:
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
            category=category, is_active=True, territory__path__in=ancestor_paths(territory)
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
    """The post that handles the case: the lead body's first member-unit post; when the body has
    no account yet (or no body owns the case), the street's post (属地兜底), else a post of the
    street's district — so a routed case always has an owner who is told about it."""
    posts = StaffPost.objects.filter(is_active=True, user__is_active=True).order_by("id")
    if route.body is not None:
        found = posts.filter(role=Role.MEMBER_UNIT, body=route.body).first()
        if found is not None:
            return found
    owner = route.owner_territory
    if owner is None:
        return None
    return (
        posts.filter(role=Role.STREET, territory=owner).first()
        or posts.filter(role=Role.DISTRICT, territory__path__in=ancestor_paths(owner)).first()
    )


def is_fallback(grievance: Grievance) -> bool:
    """A body owns the case but someone outside it (the street or district) was given it."""
    return bool(grievance.body_id and grievance.assignee_id and grievance.assignee.body_id != grievance.body_id)


def apply_route(grievance: Grievance, route: Route, *, start=None) -> list[str]:
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


def route_note(grievance: Grievance, route: Route) -> str:
    owner = f"责任单位：{route.body}" if route.body else f"属地兜底：{route.owner_territory}"
    co = f"；协办：{'、'.join(str(b) for b in route.co_bodies)}" if route.co_bodies else ""
    due = f"；应办结：{timezone.localtime(grievance.resolve_due_at):%Y-%m-%d %H:%M}" if grievance.resolve_due_at else ""
    who = f"；承办：{grievance.assignee}" if grievance.assignee_id else "；暂无承办岗位，待认领"
    if is_fallback(grievance):
        who = f"；{route.body} 暂无平台账号，由 {grievance.assignee} 兜底承办并联系责任单位"
    return owner + co + who + due


def notify_assignee(grievance: Grievance, key: str, text: str) -> None:
    """Tell the post the case was given to (the fallback post is told why it got it)."""
    if not grievance.assignee_id:
        return
    if is_fallback(grievance):
        text += f"（{grievance.body} 暂无平台账号，请属地兜底办理并联系该单位）"
    notify(grievance, [grievance.assignee.user], key, text)


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
        record_event(grievance, GrievanceEvent.Kind.TRIAGE, old=S.SUBMITTED, new=S.TRIAGED, note="；".join(notes))
        route = route_for(category=grievance.category, territory=grievance.territory)
        fields = apply_route(grievance, route)
        # Every routed case gets an owner: a body without an account falls back to the street or
        # district (assignee_for). Only a place with no post at all leaves it triaged, unassigned.
        target = S.ASSIGNED if grievance.assignee_id else S.TRIAGED
        grievance.state = target
        grievance.save(update_fields=[*fields, "state", "updated_at"])
        grievance.co_bodies.set(route.co_bodies)
        record_event(
            grievance, GrievanceEvent.Kind.ROUTED, old=S.TRIAGED, new=target, note=route_note(grievance, route)
        )
        notify_assignee(
            grievance,
            "assigned",
            f"新诉求 {grievance.ticket} 已分派给您，请在 {grievance.sla_respond_hours or '-'} 小时内响应",
        )
    return True
