"""THE scope rule: who may see what.

A user may see a record when it lies

* in the territorial subtree (块) of one of their posts (a district or street post), or
* in the organizational subtree (条) of one of their posts (an industry-committee post sees the
  Party organizations under it *and* those it co-manages through 双纳管), or
* under the leadership body of their post (a member unit sees what is routed to it), or
* at the station they manage (a station post).

A municipal post (at the city root) and superusers see everything. Users without posts see
nothing. Every admin changelist, form choice, API viewset, export, dashboard and report asks
this module through ``restrict(queryset, user)`` (or ``Model.objects.visible_to(user)``),
so the rule is written once. A model says how it is placed through a ``ScopeSpec``.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field, replace
from functools import reduce

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404

import core.lookups  # noqa: F401  (registers ``any_of``, used below)

SELF = "__self__"

# Stored on the user object so one request computes a user's scope once.
_CACHE_ATTR = "_portal_scope"

# Across requests the scope is kept in the shared cache (``core.user_cache``), under the user's
# id and version tokens changed whenever one of the user's posts is saved or deleted, and for
# everybody when a node's path or placement changes (``organizations.apps``).
CACHE_NAME = "scope"


@dataclass(frozen=True)
class ScopeSpec:
    """How records of a model are placed in the hierarchy: ORM paths to the placing FKs.

    ``territory``: path to a Territory FK (``"territory"``, ``"station__territory"``) or SELF.
    ``organization``: path to a PartyOrganization FK, or SELF.
    ``body``: path to a Body FK (member units see what is routed to them), or SELF.
    ``station_post``: path to the StaffPost FK of a station manager (``"station__manager_post"``).
    ``territory`` and ``organization`` may name several paths (a tuple): a record placed in two
    ways (a member living in one street and registered in an organization of another) is seen
    from each place.
    ``reference_data``: the table is shared reference data (territory names); every post
    holder may pick from it, but territorial posts still only get their own subtree.
    """

    territory: str | tuple[str, ...] | None = None
    organization: str | tuple[str, ...] | None = None
    body: str | None = None
    station_post: str | None = None
    reference_data: bool = False


@dataclass(frozen=True)
class UserScope:
    everything: bool = False
    territory_paths: frozenset[str] = field(default_factory=frozenset)
    organization_paths: frozenset[str] = field(default_factory=frozenset)
    body_ids: frozenset[int] = field(default_factory=frozenset)
    station_post_ids: frozenset[int] = field(default_factory=frozenset)
    # Where a line post (station, industry committee, member unit) sits on the territorial tree:
    # the only territories it may *place* records in. Reading territory names stays shared.
    anchor_territory_paths: frozenset[str] = field(default_factory=frozenset)
    # The roles of the posts it was read from (a station manager's dashboard shows their few
    # tiles), kept here so a page need not read the posts again. Not part of what is visible.
    roles: frozenset[str] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not (
            self.everything or self.territory_paths or self.organization_paths or self.body_ids or self.station_post_ids
        )

    @property
    def has_line_posts(self) -> bool:
        return bool(self.organization_paths or self.body_ids or self.station_post_ids)


EMPTY_SCOPE = UserScope()
EVERYTHING = UserScope(everything=True)


def _minimal_prefixes(paths: set[str]) -> frozenset[str]:
    """Drop paths already covered by a shorter prefix, so the SQL has fewer OR branches."""
    kept: list[str] = []
    for path in sorted(paths, key=len):
        if not any(path.startswith(prefix) for prefix in kept):
            kept.append(path)
    return frozenset(kept)


def scope_for(user) -> UserScope:
    """The union of a user's active posts, computed once per user object.

    System code (the daily inventory, a node's snapshot) has no user: it passes the ``UserScope``
    it reads for, and every selector goes through the same door with it. A scope object has no
    permissions, so code handed one cannot pretend to be somebody allowed to do anything."""
    if isinstance(user, UserScope):
        return user
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return EMPTY_SCOPE
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    scope = _shared_scope(user)
    setattr(user, _CACHE_ATTR, scope)
    return scope


def forget_scope(user) -> None:
    """Call after changing a user's posts within the same request or test: the scope is computed
    afresh by this user object and by every later request."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
    if getattr(user, "pk", None) is not None:
        scope_changed(user_id=user.pk)


def _shared_scope(user) -> UserScope:
    from core.user_cache import cached_for_user

    # The superuser flag comes from the user row this request read, not from the cache.
    return cached_for_user(CACHE_NAME, user.pk, (user.is_superuser,), lambda: _compute_scope(user))


def forget_all_scopes() -> None:
    """Every stored scope stops matching (tests whose database is refilled without signals)."""
    from core.user_cache import forget_all

    forget_all(CACHE_NAME)


def scope_changed(*, user_id: int | None = None) -> None:
    """A user's posts (``user_id``) or the tree every scope is read from (no argument) changed."""
    from core.user_cache import changed

    changed(CACHE_NAME, user_id=user_id)


def _compute_scope(user) -> UserScope:
    if user.is_superuser:
        return EVERYTHING
    from organizations.models import StaffPost

    territory_paths: set[str] = set()
    organization_paths: set[str] = set()
    body_ids: set[int] = set()
    station_post_ids: set[int] = set()
    anchors: set[str] = set()
    posts = StaffPost.objects.filter(user=user, is_active=True).select_related(
        "territory", "organization__territory", "body__territory"
    )
    posts = list(posts)
    roles = frozenset(post.role for post in posts)
    for post in posts:
        role = post.role
        if role == StaffPost.Role.STATION:
            station_post_ids.add(post.pk)
            if post.territory_id:
                anchors.add(post.territory.path)
        elif role == StaffPost.Role.MUNICIPAL:
            return EVERYTHING
        elif role == StaffPost.Role.INDUSTRY and post.organization_id:
            organization_paths.add(post.organization.path)
            if post.organization.territory_id:
                anchors.add(post.organization.territory.path)
        elif role == StaffPost.Role.MEMBER_UNIT and post.body_id:
            body_ids.add(post.body_id)
            if post.body.territory_id:
                anchors.add(post.body.territory.path)
        elif post.territory_id:
            if post.territory.depth == 1:  # a territorial post at the city root
                return EVERYTHING
            territory_paths.add(post.territory.path)
    return UserScope(
        territory_paths=_minimal_prefixes(territory_paths),
        organization_paths=_minimal_prefixes(organization_paths),
        body_ids=frozenset(body_ids),
        station_post_ids=frozenset(station_post_ids),
        anchor_territory_paths=_minimal_prefixes(anchors | territory_paths),
        roles=roles,
    )


def _any_prefix(field_name: str, prefixes: frozenset[str]) -> Q:
    return reduce(operator.or_, (Q(**{f"{field_name}__startswith": p}) for p in sorted(prefixes)))


def territory_subtree(prefixes: frozenset[str]) -> models.QuerySet:
    from organizations.models import Territory

    return Territory.objects.filter(_any_prefix("path", prefixes)).values("pk")


def organization_subtree(prefixes: frozenset[str]) -> models.QuerySet:
    """Organizations under the given ones by subordination, plus those they co-manage (双纳管)."""
    from organizations.models import PartyOrganization

    return PartyOrganization.objects.filter(
        _any_prefix("path", prefixes) | _any_prefix("industry_committee__path", prefixes)
    ).values("pk")


def place_under(model: type[models.Model], **paths: str) -> None:
    """Add placing paths to ``model``'s ScopeSpec from an app on a higher floor.

    A link between two apps of one floor lives on the floor above (a person's home station is
    ``points.HomeStation``); the lower model cannot name it, so the app owning the link adds the
    path when it is ready, e.g. ``place_under(Person, station_post="home_station_link__station__manager_post")``.
    Only paths the model does not place by already may be added.
    """
    spec: ScopeSpec = model.scope
    taken = [name for name in paths if getattr(spec, name) not in (None, paths[name])]
    if taken:
        raise ValueError(f"{model.__name__} is already placed by {taken}")
    model.scope = replace(spec, **paths)


def _paths(spec_value: str | tuple[str, ...]) -> tuple[str, ...]:
    return (spec_value,) if isinstance(spec_value, str) else tuple(spec_value)


def scope_q(model: type[models.Model], scope: UserScope, *, for_write: bool = False) -> Q | None:
    """The filter for ``model`` under ``scope``; ``None`` means no restriction.

    ``for_write``: shared reference data is no longer shared — a record may be written (and a
    reference row offered as a placement) only where the writer's own posts reach.
    """
    if scope.everything:
        return None
    spec: ScopeSpec | None = getattr(model, "scope", None)
    if spec is None:
        raise TypeError(f"{model.__name__} has no ScopeSpec; it cannot be shown through a door")
    if spec.reference_data and scope.has_line_posts and not scope.territory_paths and not for_write:
        return None
    # Each branch: (the column or path a record is placed by, the values that place it here).
    branches: list[tuple[str, object]] = []
    prefix_branches: list[Q] = []
    if spec.territory and scope.territory_paths:
        for path in _paths(spec.territory):
            if path == SELF:
                prefix_branches.append(_any_prefix("path", scope.territory_paths))
            else:
                branches.append((path, territory_subtree(scope.territory_paths)))
    if spec.organization and scope.organization_paths:
        for path in _paths(spec.organization):
            branches.append(("pk" if path == SELF else path, organization_subtree(scope.organization_paths)))
    if spec.body and scope.body_ids:
        branches.append(("pk" if spec.body == SELF else spec.body, sorted(scope.body_ids)))
    if spec.station_post and scope.station_post_ids:
        branches.append((spec.station_post, sorted(scope.station_post_ids)))
    if not branches and not prefix_branches:
        return Q(pk__in=[])
    if len(branches) + len(prefix_branches) == 1:
        # One way in: the plain lookup, which the database joins or semi-joins with its indexes.
        return prefix_branches[0] if prefix_branches else Q(**{f"{branches[0][0]}__in": branches[0][1]})
    return _any_branch(model, branches, prefix_branches)


def _any_branch(model: type[models.Model], branches: list[tuple[str, object]], prefix_branches: list[Q]) -> Q:
    """A record placed any one of several ways, written so each way is an index condition.

    ORing conditions on joined tables (a person placed where they live *or* where their
    organization sits) makes the database join the whole table before it can filter, and an
    ``IN (SELECT …)`` under an ``OR`` is probed row by row over the whole table: no index serves
    either. So every branch becomes an ``= ANY(ARRAY(…))`` on one of the model's own columns
    (``core.lookups.AnyOf``): a branch through a foreign key, the keys of the related rows that
    place the record (the people living in the subtree, for a membership); the branches through
    reverse relations, the model's own keys they reach, in one ``UNION ALL`` of small
    index-served queries (the organizations of the subtree, their memberships, their people).
    The ``OR`` becomes a ``BitmapOr`` of index scans. The records are
    the same as the plain ``OR`` of lookups gives (``tests/organizations/test_scope_forms.py``).
    """
    conditions = list(prefix_branches)
    joined = []
    for column, values in branches:
        condition = _on_own_column(model, column, values)
        if condition is not None:
            conditions.append(condition)
        else:
            # Through a reverse relation (a person's membership): the model's own keys.
            joined.append(model._base_manager.filter(**{f"{column}__in": values}).order_by().values("pk"))
    if joined:
        conditions.append(Q(pk__any_of=joined[0].union(*joined[1:], all=True) if len(joined) > 1 else joined[0]))
    return reduce(operator.or_, conditions)


def _on_own_column(model: type[models.Model], column: str, values) -> Q | None:
    """``column__in=values`` as an ``any_of`` condition on one of ``model``'s own columns: a path
    through foreign keys becomes the keys of the related rows, hop by hop (a membership placed by
    its person's territory: ``person_id = ANY(ARRAY(SELECT id FROM person WHERE territory_id =
    ANY(ARRAY(…))))``). ``None`` when the first hop is a reverse relation."""
    first, _, rest = column.partition("__")
    if not rest:
        return Q(**{f"{first}__any_of": values})
    field = model._meta.get_field(first)
    if not (field.concrete and (field.many_to_one or field.one_to_one)):
        return None
    related = field.related_model
    inner = _on_own_column(related, rest, values)
    rows = related._base_manager.filter(inner if inner is not None else Q(**{f"{rest}__in": values}))
    return Q(**{f"{first}__any_of": rows.order_by().values(field.target_field.attname)})


def restrict(queryset: models.QuerySet, user) -> models.QuerySet:
    """THE door: ``queryset`` narrowed to what ``user`` may see."""
    q = scope_q(queryset.model, scope_for(user))
    return queryset if q is None else queryset.filter(q)


def placeable(queryset: models.QuerySet, user) -> models.QuerySet:
    """THE write door for pickers: the rows a user may place a record under.

    Like ``restrict``, but territory is not shared reference data for writers: a line post
    (station, industry committee, member unit) is offered the subtree its post sits in, a
    territorial post its own subtree, nobody the whole city but the city."""
    model = queryset.model
    scope = scope_for(user)
    spec: ScopeSpec | None = getattr(model, "scope", None)
    if scope.everything:
        return queryset
    if spec is not None and spec.territory == SELF and spec.reference_data:
        if not scope.anchor_territory_paths:
            return queryset.none()
        return queryset.filter(_any_prefix("path", scope.anchor_territory_paths))
    q = scope_q(model, scope, for_write=True)
    return queryset if q is None else queryset.filter(q)


class OutOfScope(PermissionDenied):
    """A write would leave (or reach) a record outside the writer's scope."""

    def __init__(self, message: str = "保存后的记录不在您的管辖范围内，未保存"):
        super().__init__(message)
        self.message = message


def can_place(user, obj: models.Model) -> bool:
    """After a write (inside its transaction): does the record still lie in the writer's scope?"""
    model = type(obj)
    q = scope_q(model, scope_for(user), for_write=True)
    if q is None:
        return True
    return model._default_manager.filter(q, pk=obj.pk).exists()


def assert_placed(user, obj: models.Model) -> None:
    """THE write rule, called after the save and before the commit: raising rolls it back."""
    if obj is None or obj.pk is None:
        return
    if not can_place(user, obj):
        raise OutOfScope(f"保存后的{obj._meta.verbose_name}不在您的管辖范围内，未保存")


def get_visible_or_404(queryset_or_model, user, **lookup):
    """Fetch one record through the door; an outsider gets 404, exactly like a missing one."""
    queryset = queryset_or_model._default_manager.all() if isinstance(queryset_or_model, type) else queryset_or_model
    try:
        return restrict(queryset, user).get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404 from exc


def can_see(user, obj: models.Model) -> bool:
    return restrict(type(obj)._default_manager.filter(pk=obj.pk), user).exists()


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user) -> models.QuerySet:
        return restrict(self, user)


def scope_label(user) -> str:
    """Where an export's rows come from, for its subtitle: 全市, or the nodes of the user's posts."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    scope = scope_for(user)
    if scope.everything:
        return "全市"
    from organizations.models import StaffPost

    posts = StaffPost.objects.filter(user=user, is_active=True).select_related("territory", "organization", "body")
    return "、".join(dict.fromkeys(str(post.node) for post in posts if post.node is not None)) or "无管辖范围"
