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

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from importlib import import_module
from importlib.util import find_spec

from django.db import connections, models, router
from django.db.models.functions import Substr
from django.utils import timezone

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
    # Whether the SQL of ``grouped`` is a function of (lens, children, day, ``now()``) and of
    # ``salt()`` alone, so its compiled statements may be kept per process (``_statements``).
    keep_sql: bool = False
    salt: Callable[[], object] | None = None

    def figure(self, key: str) -> Figure | None:
        return next((f for f in self.figures if f.key == key), None)


PROVIDERS: dict[str, Provider] = {}

# What a provider's ``salt()`` returns when its statements may not be kept this time.
NOT_KEPT = object()

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


def grouped(name: str, *, keep_sql: bool = False, salt: Callable[[], object] | None = None):
    """Register the grouped form of provider ``name`` (defined just above it).

    ``keep_sql``: the form's statements depend on nothing but the lens, the children, the day
    (its window and as-of day), ``now()`` and what ``salt()`` returns (a setting, the branch
    rules; ``NOT_KEPT`` when it cannot tell without a query), and it
    passes each ``by_child`` its queryset as a callable: the statements are then compiled once
    per process for each such key and re-run with the request's ``now()``
    (``_statements``). Figures are never kept, only SQL."""

    def decorate(func):
        PROVIDERS[name].grouped = func
        PROVIDERS[name].keep_sql = keep_sql
        PROVIDERS[name].salt = salt
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


def by_child(queryset, path: str, children: list[Territory], aggregates) -> dict[int, dict]:
    """``aggregates`` of ``queryset`` per child territory, in one ``GROUP BY`` the first
    ``len(child.path)`` characters of ``path`` (a record's territory path). Siblings share a
    depth, so one prefix length serves them all; a child without rows gets ``None`` for every
    aggregate, as ``aggregate()`` gives over nothing (callers map that as they map the total).
    ``children=[WHOLE]`` gives the total of ``queryset`` in one plain aggregate.

    ``queryset`` and ``aggregates`` may be callables returning them: a grouped form kept per
    process (``keep_sql``) then neither builds nor compiles them when its statement is already
    kept."""
    if not children:
        return {}
    whole = len(children) == 1 and children[0] is WHOLE
    if not whole:
        by_path = {c.path: c.pk for c in children}
        length = len(children[0].path)
        if any(len(p) != length for p in by_path):
            raise ValueError("by_child groups siblings of one depth")
    session = _SESSION.get()
    replayed = session.replay() if session is not None else None
    if replayed is not None:
        rows, empty = replayed
    else:
        aggregates = aggregates() if callable(aggregates) else aggregates
        empty = {key: 0 if isinstance(agg, models.Count) else None for key, agg in aggregates.items()}
        qs = queryset() if callable(queryset) else queryset
        with session.recording(qs, aggregates, whole, empty) if session is not None else nullcontext():
            if whole:
                rows = [qs.order_by().aggregate(**aggregates)]
            else:
                rows = list(
                    qs.order_by()
                    .annotate(_child=Substr(path, 1, length))
                    .filter(_child__in=list(by_path))
                    .values("_child")
                    .annotate(**aggregates)
                )
    if whole:
        return {WHOLE.pk: rows[0]}
    result = {pk: dict(empty) for pk in by_path.values()}
    for row in rows:
        result[by_path[row.pop("_child")]] = row
    return result


def now() -> datetime:
    """The current time as grouped forms kept per process (``keep_sql``) must read it: the one
    instant their statements are re-run with."""
    session = _SESSION.get()
    return session.now if session is not None else timezone.now()


# The statements of grouped forms kept per process (``keep_sql``), keyed by what determines them
# (``_statement_key``): SQL text and parameters, never results. Least recently used go first.
_STATEMENTS: OrderedDict[tuple, list[_Statement]] = OrderedDict()
STATEMENTS_KEPT = 2048
_STATEMENTS_LOCK = threading.Lock()
_SESSION: ContextVar[_Session | None] = ContextVar("cadence_metrics_statements", default=None)
_KEEPING: ContextVar[bool] = ContextVar("cadence_metrics_keeping", default=False)


@contextmanager
def keeping_statements():
    """Inside, grouped forms that allow it (``keep_sql``) keep their statements per process: pages
    that are viewed again and again (the dashboards). Batches (the daily inventory, the monthly
    job) compute each node once and stay outside: recording would cost them and keep nothing
    they read again."""
    token = _KEEPING.set(True)
    try:
        yield
    finally:
        _KEEPING.reset(token)


@dataclass(frozen=True)
class _Statement:
    sql: str
    params: tuple
    now_at: tuple[int, ...]  # positions of ``now()`` in ``params``, re-bound on every run
    model: type[models.Model]
    vendor: str
    # ``sql`` with every parameter but ``now()`` written in as the driver writes it (``%s`` where
    # ``now()`` goes, other ``%`` doubled): the driver then adapts one value, not dozens, and
    # splits a short query (it re-splits a long one, over 4 kB, on every run).
    bound: str | None = None
    empty: tuple = ()  # ``(aggregate, value over no rows)``: what a child without rows gets


class _Session:
    """One run of a kept grouped form: records its statements (``recording``) the first time,
    replays them (``replay``) after, in the order the form runs ``by_child``."""

    def __init__(self, kept: list[_Statement] | None, now: datetime):
        self.kept = kept
        self.now = now
        self.recorded: list[_Statement] = []
        self.complete = True
        self.index = 0

    def replay(self) -> tuple[list[dict], dict] | None:
        """The next kept statement's rows, and what a child without rows gets."""
        if self.kept is None or self.index >= len(self.kept):
            return None
        statement = self.kept[self.index]
        self.index += 1
        alias = router.db_for_read(statement.model)
        connection = connections[alias]
        if connection.vendor != statement.vendor:
            return None
        if statement.bound is not None:
            sql, params = statement.bound, [self.now] * len(statement.now_at) or None
        else:
            sql, params = statement.sql, list(statement.params)
            for i in statement.now_at:
                params[i] = self.now
        with connection.cursor() as cursor:
            cursor.execute(sql, params)  # through Django: its wrappers see (and count) it
            # The driver's cursor holds the whole result once ``execute`` returns (client-side).
            driver = cursor.cursor
            names = [column.name for column in driver.description]
            rows = [dict(zip(names, row, strict=True)) for row in driver.fetchall()]
        for row in rows:  # every aggregate is an integer (``_plain_columns``), converted as the ORM does
            for name, value in row.items():
                if value is not None and name != "_child":
                    row[name] = int(value)
        return rows, dict(statement.empty)

    def recording(self, queryset: models.QuerySet, aggregates: dict, whole: bool, empty: dict):
        """Record the one statement the ORM runs for ``by_child``; a statement that is not one
        plain SELECT whose columns come back as the database gives them (no converters), or
        that holds ``now()`` where it cannot be re-bound, leaves the form unkept."""
        connection = connections[queryset.db]
        if connection.vendor != "postgresql" or not _plain_columns(queryset, aggregates, whole, connection):
            self.complete = False
            return nullcontext()
        return self._recorded(connection, queryset.model, empty)

    @contextmanager
    def _recorded(self, connection, model, empty: dict):
        seen = []

        def record(execute, sql, params, many, context):
            seen.append((sql, params, many))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            yield
        self._keep(seen, model, connection, empty)

    def _keep(self, seen: list, model, connection, empty: dict) -> None:
        if len(seen) != 1 or seen[0][2]:
            self.complete = False
            return
        sql, params, _ = seen[0]
        params = tuple(params or ())
        if any(isinstance(p, (list, tuple, dict)) for p in params):
            self.complete = False
            return
        now_at = tuple(i for i, p in enumerate(params) if isinstance(p, datetime) and p == self.now)
        bound = _bound(connection, sql, params, now_at)
        self.recorded.append(_Statement(sql, params, now_at, model, connection.vendor, bound, tuple(empty.items())))


def _bound(connection, sql: str, params: tuple, now_at: tuple[int, ...]) -> str | None:
    """``sql`` with ``params`` written in by the driver (``compose_sql``, the connection's own
    adapters: what it sends when executing them), but ``%s`` at the ``now_at`` positions; None
    when that cannot be done unambiguously."""
    if not hasattr(connection.ops, "compose_sql"):
        return None
    marker = f"cadence-now-{uuid.uuid4().hex}"
    marked = list(params)
    for i in now_at:
        marked[i] = marker
    try:
        written = connection.ops.compose_sql(sql, marked)
        quoted = connection.ops.compose_sql("%s", [marker])
    except Exception:  # a statement the driver cannot write in is run as recorded
        return None
    parts = written.split(quoted)
    if len(parts) != len(now_at) + 1:
        return None
    if not now_at:
        return written  # run without parameters: the driver reads no ``%`` in it
    return "%s".join(part.replace("%", "%%") for part in parts)


def _plain_columns(queryset, aggregates: dict, whole: bool, connection) -> bool:
    """Whether the ORM hands back the selected columns as the cursor gives them but for the one
    conversion every integer expression applies (``int()`` of what is not ``None``, which
    ``_Session.replay`` applies too): integer aggregates (counts, sums of integers) and the
    child's path prefix."""
    query = queryset.query.clone()
    for aggregate in aggregates.values():
        resolved = aggregate.resolve_expression(query, allow_joins=True, reuse=None, summarize=whole)
        if not resolved.output_field.get_internal_type().endswith("IntegerField"):
            return False
        if connection.ops.get_db_converters(resolved) or resolved.get_db_converters(connection) != [
            resolved.convert_value
        ]:
            return False
    return True


def _statement_key(prov: Provider, lens: Lens, children: list, day, now: datetime, salt) -> tuple | None:
    since, until = window(day)
    if now in (since, until):
        return None  # ``now()`` would be indistinguishable from a bound of the window
    within = lens.within
    return (
        prov.name,
        lens.scope,
        (within.path, within.depth) if within is not None else None,
        "WHOLE" if len(children) == 1 and children[0] is WHOLE else tuple(c.path for c in children),
        since,
        until,
        as_of(day),
        now < until,
        timezone.get_current_timezone_name(),
        salt,
    )


def run_grouped(prov: Provider, lens: Lens, children: list, day) -> dict:
    """``prov.grouped(lens, children, day)``, its statements kept per process when it allows and
    the caller is inside ``keeping_statements()``."""
    if not prov.keep_sql or not _KEEPING.get():
        return prov.grouped(lens, children, day)
    salt = prov.salt() if prov.salt is not None else None
    if salt is NOT_KEPT:
        return prov.grouped(lens, children, day)
    current = timezone.now()
    key = _statement_key(prov, lens, children, day, current, salt)
    if key is None:
        return prov.grouped(lens, children, day)
    with _STATEMENTS_LOCK:
        kept = _STATEMENTS.get(key)
        if kept is not None:
            _STATEMENTS.move_to_end(key)
    session = _Session(kept, current)
    token = _SESSION.set(session)
    try:
        result = prov.grouped(lens, children, day)
    finally:
        _SESSION.reset(token)
    if kept is None and session.complete:
        with _STATEMENTS_LOCK:
            _STATEMENTS[key] = session.recorded
            while len(_STATEMENTS) > STATEMENTS_KEPT:
                _STATEMENTS.popitem(last=False)
    return result


def forget_statements() -> None:
    with _STATEMENTS_LOCK:
        _STATEMENTS.clear()


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
            for pk, figures in run_grouped(prov, lens, children, day).items():
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
            result[prov.name] = run_grouped(prov, lens, [WHOLE], day)[WHOLE.pk]
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
