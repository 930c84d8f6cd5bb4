"""The metrics-provider registry: each figure group is computed by one provider for a *lens*.

A lens is the set of records a figure may count: the intersection of one or more scopes
(``organizations.scope.UserScope``). The daily inventory computes every provider for the lens of
a node (what a post at that node would see); the dashboard computes the same providers for the
lens of the signed-in user, narrowed to the node being looked at. Because both go through
``scope_q``, a snapshot of a node equals what that node's officer sees live, and a dashboard tile
can never count a record its viewer could not open.

Providers live in modules of this package, one per source app, and register themselves with
``@provider``. A module whose source app lacks what it needs simply registers nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from importlib import import_module
from importlib.util import find_spec

from django.db import models
from django.db.models.functions import Substr

from cadence.periods import Period, as_period
from core.excel import Column
from organizations.models import Territory
from organizations.scope import UserScope, scope_q


@dataclass(frozen=True)
class Lens:
    """What a figure counts: records inside ``scope`` and, if given, under territory ``within``;
    ``period`` is the time the drill-down lists of flow figures cover (this month so far when
    not given, as the daily inventory counts)."""

    scope: UserScope
    within: Territory | None = None
    period: Period | None = None

    def apply(self, queryset: models.QuerySet) -> models.QuerySet:
        for scope in self._scopes():
            q = scope_q(queryset.model, scope)
            if q is not None:
                queryset = queryset.filter(q)
        return queryset

    def _scopes(self) -> list[UserScope]:
        scopes = [self.scope]
        if self.within is not None and self.within.depth > 1 and not self._scope_inside(self.within.path):
            scopes.append(UserScope(territory_paths=frozenset({self.within.path})))
        return scopes

    def _scope_inside(self, path: str) -> bool:
        """Whether the scope already lies under territory ``path`` (a street officer looking at
        their own street), so narrowing to it again would only repeat the same filter: a purely
        territorial scope whose every node is ``path`` or below it."""
        s = self.scope
        return (
            not s.everything
            and bool(s.territory_paths)
            and not (s.organization_paths or s.body_ids or s.station_post_ids)
            and all(p.startswith(path) for p in s.territory_paths)
        )

    def narrowed(self, territory: Territory) -> Lens:
        return Lens(self.scope, territory, self.period)

    def during(self, period: Period | None) -> Lens:
        return Lens(self.scope, self.within, period)

    @property
    def span(self) -> Period:
        from django.utils import timezone

        return self.period or as_period(timezone.localdate())

    @property
    def principal(self) -> UserScope:
        """What selectors that take a ``user`` get: the lens's scope itself (``scope_for`` accepts a
        scope), never a stand-in user whose permission checks would all say yes."""
        return self.scope

    @property
    def within_node(self) -> Territory | None:
        """``within`` for selectors that take a ``territory``; the city root narrows nothing."""
        return self.within if self.within is not None and self.within.depth > 1 else None


@dataclass(frozen=True)
class Figure:
    """One number of a provider. ``drill`` gives the scoped rows behind it (for the drill-down
    list and its Excel export); ``watch="up"`` marks a figure whose rise is an exception worth
    attention in the daily inventory; ``rate`` figures are percentages derived from others."""

    key: str
    label: str
    unit: str = "个"
    drill: Callable[[Lens], models.QuerySet] | None = None
    watch: str | None = None
    rate: bool = False


@dataclass
class Provider:
    name: str
    label: str
    compute: Callable[[Lens, date], dict]
    figures: list[Figure]
    # Columns of the drill-down lists of this provider's figures.
    columns: list[Column] = field(default_factory=list)
    order: int = 100
    # A model permission the viewer needs to open the drill-down lists (sensitive rows).
    perm: str | None = None
    # The same figures for many territories at once (``{territory pk: figures}``), one grouped
    # pass instead of one pass per child; registered with ``@grouped``. Must equal ``compute``
    # of each child's narrowed lens (tests/cadence/test_grouped.py holds them to it).
    grouped: Callable[[Lens, list[Territory], date], dict[int, dict]] | None = None

    def figure(self, key: str) -> Figure | None:
        return next((f for f in self.figures if f.key == key), None)


PROVIDERS: dict[str, Provider] = {}

# Provider modules, one per source app; each registers what its app can supply today.
MODULES = ("organizations", "members", "stations", "grievances", "mediation", "points", "cadence")


def provider(
    name: str,
    label: str,
    *,
    figures: list[Figure],
    columns: list[Column] | None = None,
    order: int = 100,
    perm: str | None = None,
):
    def decorate(func: Callable[[Lens, date], dict]):
        PROVIDERS[name] = Provider(name, label, func, figures, columns or [], order, perm)
        return func

    return decorate


def grouped(name: str):
    """Register the grouped form of provider ``name`` (defined just above it)."""

    def decorate(func):
        PROVIDERS[name].grouped = func
        return func

    return decorate


class _Whole:
    """The lens's whole set of records as the one "child" of a grouped pass: its total. A grouped
    form asked for ``[WHOLE]`` gives ``{WHOLE.pk: figures}`` from the same aggregates run once
    over the lens without a ``GROUP BY`` (records placed nowhere, or several ways, count once,
    as ``compute`` counts them)."""

    pk = None
    path = ""

    def __repr__(self) -> str:
        return "WHOLE"


WHOLE = _Whole()


def by_child(queryset: models.QuerySet, path: str, children: list[Territory], aggregates: dict) -> dict[int, dict]:
    """``aggregates`` of ``queryset`` per child territory, in one ``GROUP BY`` the first
    ``len(child.path)`` characters of ``path`` (a record's territory path). Siblings share a
    depth, so one prefix length serves them all; a child without rows gets ``None`` for every
    aggregate, as ``aggregate()`` gives over nothing (callers map that as they map the total).
    ``children=[WHOLE]`` gives the total of ``queryset`` in one plain aggregate."""
    if not children:
        return {}
    if len(children) == 1 and children[0] is WHOLE:
        return {WHOLE.pk: queryset.order_by().aggregate(**aggregates)}
    by_path = {c.path: c.pk for c in children}
    length = len(children[0].path)
    if any(len(p) != length for p in by_path):
        raise ValueError("by_child groups siblings of one depth")
    rows = (
        queryset.order_by()
        .annotate(_child=Substr(path, 1, length))
        .filter(_child__in=list(by_path))
        .values("_child")
        .annotate(**aggregates)
    )
    empty = {key: 0 if isinstance(agg, models.Count) else None for key, agg in aggregates.items()}
    result = {pk: dict(empty) for pk in by_path.values()}
    for row in rows:
        result[by_path[row.pop("_child")]] = row
    return result


def scope_path(model: type[models.Model]) -> str:
    """The territory path a record of ``model`` is placed by, as the scope rule reads it. A record
    placed several ways (a member where they live and where their organization is) is counted
    under its first, own place, so each record lands in exactly one child."""
    from organizations.scope import SELF

    field = model.scope.territory
    if isinstance(field, tuple):
        field = field[0]
    return "path" if field == SELF else f"{field}__path"


def compute_children(
    lens: Lens, children: list[Territory], day: date, only: list[str] | None = None
) -> dict[int, dict]:
    """Every provider's figures for each child territory (``{pk: {provider: figures}}``), as
    ``compute_all(lens.narrowed(child))`` would give them: one grouped pass per provider that
    has one."""
    result: dict[int, dict] = {c.pk: {} for c in children}
    for prov in providers():
        if only is not None and prov.name not in only:
            continue
        if prov.grouped is not None and children:
            for pk, figures in prov.grouped(lens, children, day).items():
                result[pk][prov.name] = figures
        else:
            for child in children:
                result[child.pk][prov.name] = prov.compute(lens.narrowed(child), day)
    return result


def autodiscover() -> None:
    for module in MODULES:
        name = f"cadence.metrics.{module}"
        if find_spec(name) is not None:
            import_module(name)


def providers() -> list[Provider]:
    return sorted(PROVIDERS.values(), key=lambda p: (p.order, p.name))


def compute_all(lens: Lens, day: date, only: list[str] | None = None) -> dict[str, dict]:
    """Every provider's figures for ``lens``: a provider with a grouped form gives its total in
    the same few aggregates (``[WHOLE]``), not through its selectors' several queries.
    ``tests/cadence/test_grouped.py`` holds this equal to ``compute_each``."""
    result = {}
    for prov in providers():
        if only is not None and prov.name not in only:
            continue
        if prov.grouped is not None:
            result[prov.name] = prov.grouped(lens, [WHOLE], day)[WHOLE.pk]
        else:
            result[prov.name] = prov.compute(lens, day)
    return result


def compute_each(lens: Lens, day: date, only: list[str] | None = None) -> dict[str, dict]:
    """Every provider's figures through its own selectors (``compute``): the definition the
    grouped forms are held to."""
    return {p.name: p.compute(lens, day) for p in providers() if only is None or p.name in only}


def window(span: Period | date):
    """``[since, until)`` of a provider's ``day`` argument: a period, or a day's month so far."""
    return as_period(span).window()


def as_of(span: Period | date) -> date:
    """The day a stock figure is read on for a provider's ``day`` argument."""
    return span.as_of if isinstance(span, Period) else span


def percent(part: int, whole: int) -> float | None:
    """A rate in percent with one decimal; ``None`` when there is nothing to divide by."""
    if not whole:
        return None
    return round(part * 100 / whole, 1)


def drill_queryset(provider_name: str, figure_key: str, lens: Lens) -> models.QuerySet | None:
    prov = PROVIDERS.get(provider_name)
    fig = prov.figure(figure_key) if prov else None
    if fig is None or fig.drill is None:
        return None
    return fig.drill(lens)
