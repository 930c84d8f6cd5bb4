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


def _sources(day: date) -> list[tuple[QuerySet, str, dict]]:
    """(queryset, the territory path it is grouped by, aggregates) per source of the figures."""
    from cadence.models import WeeklyReport
    from grievances.models import OPEN_STATES, Grievance
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
    return [
        (
            Unit.objects.all(),
            "territory__path",
            {
                "units": Count("pk"),
                "own": Count("pk", filter=OWN_Q),
                "joint": Count("pk", filter=JOINT_Q),
                "uncovered": Count("pk", filter=NONE_Q),
                "work": Count("pk", filter=WORK_Q),
                "should_build": Count("pk", filter=should_build_q()),
            },
        ),
        (
            PartyOrganization.objects.filter(status=PartyOrganization.Status.ACTIVE).exclude(kind__in=leadership),
            "territory__path",
            {"orgs": Count("pk")},
        ),
        (
            R.with_rule_figures(PartyOrganization.objects.all()).filter(R.any_violation_q(R.rules())),
            "territory__path",
            {"violations": Count("pk")},
        ),
        (
            PartyMembership.objects.all(),
            "person__territory__path",
            {
                "members": Count("pk"),
                "full": Count("pk", filter=Q(status=ms.FULL)),
                "probationary": Count("pk", filter=Q(status=ms.PROBATIONARY)),
                "mobile": Count("pk", filter=Q(is_mobile=True)),
                "invisible": Count("pk", filter=Q(is_invisible=True)),
                "lost_contact": Count("pk", filter=Q(lost_contact=True)),
                "new_employment": Count("pk", filter=Q(is_new_employment=True)),
            },
        ),
        (
            Person.objects.filter(occupation__in=list(NEW_EMPLOYMENT_OCCUPATIONS)),
            "territory__path",
            {"workers": Count("pk")},
        ),
        (
            Station.objects.all(),
            "territory__path",
            {
                "stations": Count("pk"),
                "open": Count("pk", filter=Q(status=Station.Status.OPEN)),
                "compliant": Count("pk", filter=Q(status=Station.Status.OPEN, compliant=True)),
                "inspection_overdue": Count("pk", filter=overdue_q(day)),
                "closed": Count("pk", filter=Q(status__in=closed)),
                "flagship_or_key": Count("pk", filter=Q(tier__in=[Station.Tier.FLAGSHIP, Station.Tier.KEY])),
            },
        ),
        (
            Grievance.objects.all(),
            "territory__path",
            {
                "received": Count("pk", filter=month),
                "response_due": Count("pk", filter=month & Q(respond_due_at__isnull=False)),
                "responded": Count("pk", filter=month & on_time),
                "resolved": Count("pk", filter=month & Q(state__in=SOLVED_STATES)),
                "rated": Count("pk", filter=month & Q(rating__isnull=False)),
                "satisfied": Count("pk", filter=month & Q(rating__gte=4)),
                "open": Count("pk", filter=Q(state__in=OPEN_STATES)),
                "overdue": Count("pk", filter=Q(state__in=OPEN_STATES, resolve_due_at__lt=now)),
            },
        ),
        (
            PointEntry.objects.filter(created_at__gte=start, created_at__lt=end),
            "territory__path",
            {
                "issued": Sum("delta", filter=Q(kind__in=PointEntry.EARNING_KINDS)),
                "earners": Count("account", distinct=True, filter=Q(kind__in=PointEntry.EARNING_KINDS)),
                "redeemed": Sum("delta", filter=Q(kind=PointEntry.Kind.REDEMPTION)),
            },
        ),
        (PointAccount.objects.all(), "person__territory__path", {"registered": Count("pk")}),
        (
            WeeklyReport.objects.filter(due_at__gte=start, due_at__lt=end),
            "street__path",
            {
                "due": Count("pk"),
                "on_time": Count("pk", filter=Q(submitted_at__isnull=False, submitted_at__lte=F("due_at"))),
            },
        ),
    ]


def grouped_figures_sql(territory: Territory, day: date, *, depths: tuple[int, ...] | None = None) -> list[str]:
    """The statements of the cheapest pass: per source, the node's totals and one ``GROUP BY``
    path prefix per depth in ``depths`` (by default the children's). Captured from one execution
    (parameters inlined, as Django logs them), so the floor replays exactly that SQL."""
    prefix = territory.path
    depths = depths if depths is not None else (territory.depth + 1,)
    with CaptureQueriesContext(connection) as ctx:
        for queryset, path, aggregates in _sources(day):
            qs = queryset.order_by()
            if territory.depth > 1:
                qs = qs.filter(**{f"{path}__startswith": prefix})
            qs.aggregate(**aggregates)
            for depth in depths:
                grouped = qs.annotate(child=Substr(path, 1, depth * Territory.steplen)).values("child")
                list(grouped.annotate(**aggregates))
    return [q["sql"] for q in ctx.captured_queries]


def run_statements(statements: list[str]) -> Callable[[], None]:
    def floor():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                cursor.fetchall()

    return floor


def dashboard_floor(territory: Territory, day: date) -> Callable[[], None]:
    """A dashboard shows the focus node's figures and a table of its children's."""
    return run_statements(grouped_figures_sql(territory, day))


def dispatch_floor(day: date) -> Callable[[], None]:
    """The whole monthly job compares the districts of the city and the streets of every district
    at the month's end: the city's totals and one grouped pass per level."""
    from cadence.services.dispatch import period_of

    city = Territory.objects.get_root_nodes().first()
    month_end = period_of(day)[1]
    return run_statements(grouped_figures_sql(city, month_end, depths=(2, 3)))
