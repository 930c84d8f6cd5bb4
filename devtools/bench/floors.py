"""Floors computed the cheapest correct way, for pages whose work is many aggregates.

Replaying a dashboard's own statements as its floor hides the worst cost a dashboard can have:
running every aggregate once per child node. These floors compute the same figures as the
providers (the same definitions: the projects' own ``Q`` objects) the cheap way instead: per
source table, one aggregate for the focus node's totals and one ``GROUP BY`` the child's path
prefix for every child at once. The SQL is compiled once; the floor only runs it through the bare
cursor, so it is what the database must do and nothing more.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from organizations.models import Territory


def _month(day: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day.replace(day=1), time.min), tz)
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), tz)


# What the dashboard's child table shows (``cadence.views.dashboard.CHILD_PROVIDERS``); the
# totals show every provider.
CHILD_TABLE = ("organizations", "members", "stations", "grievances", "points")


def _sources(day: date) -> list[tuple[QuerySet, str, dict[str, tuple[str, object]]]]:
    """(queryset, the territory path it is grouped by, ``{alias: (provider, aggregate)}``) per
    source table of the figures. An alias is the provider's own figure key where the figure is
    the aggregate itself (``tests/cadence/test_floor_figures.py`` holds those equal to the
    page's); rates and sums shown rounded are derived from these in Python, as the page does."""
    from cadence.metrics import scope_path
    from cadence.models import KeyTask, WeeklyReport
    from grievances.mediation import LABOUR_CATEGORY
    from grievances.models import OPEN_STATES, Grievance, Mediation, MediationSession
    from grievances.selectors import SOLVED_STATES
    from members.models import PartyMembership, Person
    from members.models.people import NEW_EMPLOYMENT_OCCUPATIONS
    from organizations import rules as R
    from organizations.models import PartyOrganization, Unit
    from organizations.selectors import JOINT_Q, NONE_Q, OWN_Q, WORK_Q, should_build_q
    from points.models import PointAccount, PointEntry
    from stations.models import Station
    from stations.selectors import overdue_q

    start, end = _month(day)
    now = timezone.now()
    ms = PartyMembership.Status
    gs = Grievance.State
    leadership = (
        PartyOrganization.Kind.WORKING_COMMITTEE,
        PartyOrganization.Kind.COMPREHENSIVE_COMMITTEE,
        PartyOrganization.Kind.INDUSTRY_COMMITTEE,
    )
    month = Q(submitted_at__gte=start, submitted_at__lt=end) & ~Q(state__in=[gs.DUPLICATE, gs.REJECTED])
    on_time = Q(responded_at__isnull=False, respond_due_at__isnull=False, responded_at__lte=F("respond_due_at"))
    closed = [Station.Status.SUSPENDED, Station.Status.CLOSED]
    labour = month & Q(category__code=LABOUR_CATEGORY)
    med = Mediation.Status
    in_period = Q(closed_at__gte=start, closed_at__lt=end)
    late_until = min(now, end)
    kt = KeyTask.Status
    year = day.year

    def of(provider: str, **aggregates) -> dict[str, tuple[str, object]]:
        return {alias: (provider, agg) for alias, agg in aggregates.items()}

    return [
        (
            Unit.objects.all(),
            "territory__path",
            of(
                "organizations",
                units=Count("pk"),
                units_own=Count("pk", filter=OWN_Q),
                joint=Count("pk", filter=JOINT_Q),
                units_uncovered=Count("pk", filter=NONE_Q),
                work_covered=Count("pk", filter=WORK_Q),
                should_build=Count("pk", filter=should_build_q()),
            ),
        ),
        (
            PartyOrganization.objects.filter(status=PartyOrganization.Status.ACTIVE).exclude(kind__in=leadership),
            "territory__path",
            of("organizations", orgs=Count("pk")),
        ),
        (
            R.with_rule_figures(PartyOrganization.objects.all()).filter(R.any_violation_q(R.rules())),
            "territory__path",
            of("organizations", violations=Count("pk")),
        ),
        (
            PartyMembership.objects.all(),
            "person__territory__path",
            of(
                "members",
                members=Count("pk"),
                full=Count("pk", filter=Q(status=ms.FULL)),
                probationary=Count("pk", filter=Q(status=ms.PROBATIONARY)),
                mobile=Count("pk", filter=Q(is_mobile=True)),
                invisible=Count("pk", filter=Q(is_invisible=True)),
                lost_contact=Count("pk", filter=Q(lost_contact=True)),
                new_employment=Count("pk", filter=Q(is_new_employment=True)),
            ),
        ),
        (
            Person.objects.filter(occupation__in=list(NEW_EMPLOYMENT_OCCUPATIONS)),
            "territory__path",
            of("members", workers=Count("pk")),
        ),
        (
            Station.objects.all(),
            "territory__path",
            of(
                "stations",
                stations=Count("pk"),
                open=Count("pk", filter=Q(status=Station.Status.OPEN)),
                compliant=Count("pk", filter=Q(status=Station.Status.OPEN, compliant=True)),
                inspection_overdue=Count("pk", filter=overdue_q(day)),
                closed=Count("pk", filter=Q(status__in=closed)),
                flagship_or_key=Count("pk", filter=Q(tier__in=[Station.Tier.FLAGSHIP, Station.Tier.KEY])),
            ),
        ),
        (
            Grievance.objects.all(),
            "territory__path",
            {
                **of(
                    "grievances",
                    received=Count("pk", filter=month),
                    response_due=Count("pk", filter=month & Q(respond_due_at__isnull=False)),
                    responded=Count("pk", filter=month & on_time),
                    resolved=Count("pk", filter=month & Q(state__in=SOLVED_STATES)),
                    rated=Count("pk", filter=month & Q(rating__isnull=False)),
                    satisfied=Count("pk", filter=month & Q(rating__gte=4)),
                    open=Count("pk", filter=Q(state__in=OPEN_STATES)),
                    overdue=Count("pk", filter=Q(state__in=OPEN_STATES, resolve_due_at__lt=now)),
                ),
                # 劳动争议调解: the month's labour cases are rows of the same table.
                **of(
                    "mediation",
                    labour_cases=Count("pk", filter=labour),
                    mediated=Count("pk", filter=labour & Q(mediation__isnull=False)),
                ),
            },
        ),
        (
            Mediation.objects.all(),
            scope_path(Mediation),
            of(
                "mediation",
                opened=Count("pk", filter=Q(opened_at__gte=start, opened_at__lt=end)),
                open_now=Count("pk", filter=Q(status=med.OPEN)),
                closed=Count("pk", filter=in_period),
                agreed=Count("pk", filter=in_period & Q(status=med.AGREED)),
                referred=Count("pk", filter=in_period & Q(status=med.REFERRED)),
                amount_fen=Sum("amount_fen", filter=in_period & Q(status=med.AGREED)),
            ),
        ),
        (
            MediationSession.objects.filter(
                held_on__gte=timezone.localtime(start).date(), held_on__lt=timezone.localtime(end).date()
            ),
            f"mediation__{scope_path(Mediation)}",
            of("mediation", sessions=Count("pk")),
        ),
        (
            PointEntry.objects.filter(created_at__gte=start, created_at__lt=end),
            "territory__path",
            of(
                "points",
                issued=Sum("delta", filter=Q(kind__in=PointEntry.EARNING_KINDS)),
                active_earners=Count("account", distinct=True, filter=Q(kind__in=PointEntry.EARNING_KINDS)),
                redeemed_delta=Sum("delta", filter=Q(kind=PointEntry.Kind.REDEMPTION)),
            ),
        ),
        (PointAccount.objects.all(), "person__territory__path", of("points", registered=Count("pk"))),
        (
            WeeklyReport.objects.filter(due_at__gte=start, due_at__lt=end),
            scope_path(WeeklyReport),
            of(
                "weekly",
                due=Count("pk"),
                on_time=Count("pk", filter=Q(submitted_at__isnull=False, submitted_at__lte=F("due_at"))),
                late=Count(
                    "pk",
                    filter=~Q(status__in=[WeeklyReport.Status.SUBMITTED, WeeklyReport.Status.REVIEWED])
                    & Q(due_at__lt=late_until),
                ),
            ),
        ),
        (
            KeyTask.objects.filter(plan__year_start__lte=year, plan__year_end__gte=year),
            scope_path(KeyTask),
            of(
                "key_tasks",
                tasks=Count("pk"),
                done=Count("pk", filter=Q(status=kt.DONE)),
                at_risk=Count("pk", filter=Q(status=kt.AT_RISK)),
                overdue=Count("pk", filter=Q(due_date__lt=day) & ~Q(status=kt.DONE)),
                progress_sum=Sum("progress"),
            ),
        ),
    ]


def grouped_figures(
    territory: Territory,
    day: date,
    *,
    depths: tuple[int, ...] | None = None,
    child_providers: tuple[str, ...] | None = CHILD_TABLE,
) -> dict:
    """The figures the cheapest way: per source table, one aggregate for the node's totals (every
    provider) and, per depth in ``depths`` (by default the children's), one ``GROUP BY`` the path
    prefix with the aggregates of ``child_providers`` only (None: every provider), a source
    without any left out. Returns ``{"total": {(provider, alias): value}, depth: {prefix:
    {(provider, alias): value}}}``."""
    prefix = territory.path
    depths = depths if depths is not None else (territory.depth + 1,)
    result: dict = {"total": {}, **{depth: {} for depth in depths}}
    for queryset, path, aggregates in _sources(day):
        qs = queryset.order_by()
        if territory.depth > 1:
            qs = qs.filter(**{f"{path}__startswith": prefix})
        total = qs.aggregate(**{alias: agg for alias, (_, agg) in aggregates.items()})
        result["total"].update({(aggregates[alias][0], alias): value for alias, value in total.items()})
        wanted = {
            alias: agg
            for alias, (prov, agg) in aggregates.items()
            if child_providers is None or prov in child_providers
        }
        if not wanted:
            continue
        for depth in depths:
            grouped = qs.annotate(child=Substr(path, 1, depth * Territory.steplen)).values("child")
            for row in grouped.annotate(**wanted):
                child = result[depth].setdefault(row.pop("child"), {})
                child.update({(aggregates[alias][0], alias): value for alias, value in row.items()})
    return result


def grouped_figures_sql(
    territory: Territory,
    day: date,
    *,
    depths: tuple[int, ...] | None = None,
    child_providers: tuple[str, ...] | None = CHILD_TABLE,
) -> list[str]:
    """The statements of the cheapest pass (``grouped_figures``), captured from one execution
    (parameters inlined, as Django logs them), so the floor replays exactly that SQL."""
    with CaptureQueriesContext(connection) as ctx:
        grouped_figures(territory, day, depths=depths, child_providers=child_providers)
    return [q["sql"] for q in ctx.captured_queries]


def run_statements(statements: list[str]) -> Callable[[], None]:
    def floor():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    return floor


def dashboard_floor(territory: Territory, day: date) -> Callable[[], None]:
    """A dashboard shows the focus node's figures (every provider) and a table of its children's
    (the child-table providers)."""
    return run_statements(grouped_figures_sql(territory, day))


def dispatch_floor(day: date) -> Callable[[], None]:
    """The whole monthly job compares the districts of the city and the streets of every district
    at the month's end: the city's totals and one grouped pass per level."""
    from cadence.services.dispatch import period_of

    city = Territory.objects.get_root_nodes().first()
    month_end = period_of(day)[1]
    return run_statements(grouped_figures_sql(city, month_end, depths=(2, 3), child_providers=None))
