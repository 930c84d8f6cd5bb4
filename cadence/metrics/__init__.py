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

from organizations.models import Territory
from organizations.scope import UserScope, scope_q


class LensPrincipal:
    """A stand-in user whose scope is a lens's scope, so the apps' selectors — which take a
    ``user`` and read through ``restrict`` — compute a node's figures exactly as they compute a
    signed-in user's. ``scope_for`` returns the scope cached on the object."""

    is_authenticated = True
    is_active = True
    is_superuser = False
    is_anonymous = False
    is_staff = True
    pk = id = None

    def __init__(self, scope: UserScope):
        self._portal_scope = scope

    def has_perm(self, perm: str, obj=None) -> bool:
        # Only handed to selectors that aggregate (counts and rates); rows shown to a person are
        # always read with the real user, whose permissions the views check.
        return True


@dataclass(frozen=True)
class Lens:
    """What a figure counts: records inside ``scope`` and, if given, under territory ``within``."""

    scope: UserScope
    within: Territory | None = None

    def apply(self, queryset: models.QuerySet) -> models.QuerySet:
        for scope in self._scopes():
            q = scope_q(queryset.model, scope)
            if q is not None:
                queryset = queryset.filter(q)
        return queryset

    def _scopes(self) -> list[UserScope]:
        scopes = [self.scope]
        if self.within is not None and self.within.depth > 1:
            scopes.append(UserScope(territory_paths=frozenset({self.within.path})))
        return scopes

    def narrowed(self, territory: Territory) -> Lens:
        return Lens(self.scope, territory)

    @property
    def principal(self) -> LensPrincipal:
        return LensPrincipal(self.scope)

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


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[models.Model], object]


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


def autodiscover() -> None:
    for module in MODULES:
        name = f"cadence.metrics.{module}"
        if find_spec(name) is not None:
            import_module(name)


def providers() -> list[Provider]:
    return sorted(PROVIDERS.values(), key=lambda p: (p.order, p.name))


def compute_all(lens: Lens, day: date, only: list[str] | None = None) -> dict[str, dict]:
    return {p.name: p.compute(lens, day) for p in providers() if only is None or p.name in only}


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
