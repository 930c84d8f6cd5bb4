"""Reads of the grievance loop that carry rules: scope, who handles a case, masking, metrics."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from django.db import connection
from django.db.models import Count, F, Q
from django.utils import timezone

from core.db import ModelColumns
from core.masking import mask_phone
from core.text import clean_code, to_halfwidth
from grievances import abuse
from grievances.models import OPEN_STATES, Category, GovernanceProject, Grievance
from organizations.models import Territory
from organizations.scope import restrict, scope_for
from stations.models import Station

S = Grievance.State
SOLVED_STATES = (S.RESOLVED, S.CLOSED)
MIN_SAMPLE = 10


def grievances_for(user):
    return restrict(Grievance.objects.all(), user).select_related(
        "category", "territory", "station", "body", "assignee__user", "owner_territory"
    )


def is_handler(user, grievance: Grievance) -> bool:
    """Handlers see the submitter: the routed body, the territory's street/district, the city.

    A station manager sees the cases from their station but does not handle them, so to them
    (and to anyone else who only sees a case) the submitter is masked.
    """
    scope = scope_for(user)
    if scope.everything:
        return True
    if grievance.body_id and grievance.body_id in scope.body_ids:
        return True
    path = grievance.territory.path
    return any(path.startswith(prefix) for prefix in scope.territory_paths)


def submitter_for(user, grievance: Grievance) -> dict:
    if is_handler(user, grievance):
        return {"name": grievance.submitter_label, "phone": grievance.submitter_phone, "masked": False}
    name = grievance.submitter_label
    return {
        "name": (name[:1] + "*" * (len(name) - 1)) if name else "",
        "phone": mask_phone(grievance.submitter_phone),
        "masked": True,
    }


def public_status(*, ticket: str, phone_tail: str) -> Grievance | None:
    """A case by ticket whose submitter phone ends with ``phone_tail`` (4 digits), else None."""
    phone_tail = to_halfwidth(phone_tail)
    if len(phone_tail) != 4 or not phone_tail.isascii() or not phone_tail.isdigit():
        return None
    grievance = Grievance.objects.filter(ticket=clean_code(ticket)).select_related("category", "person").first()
    if grievance is None or not grievance.submitter_phone.endswith(phone_tail):
        return None
    return grievance


def inbox(user, *, tab: str = "mine", now: datetime | None = None):
    """The handler inbox: ``mine`` (assigned to one of my posts), ``due`` (open, due within 24 h),
    ``overdue`` (open, past due) and ``all`` (everything in scope), most urgent first."""
    now = now or timezone.now()
    qs = grievances_for(user)
    if tab == "mine":
        qs = qs.filter(assignee__user=user, state__in=OPEN_STATES)
    elif tab == "due":
        qs = qs.filter(state__in=OPEN_STATES, resolve_due_at__gte=now, resolve_due_at__lt=now + timedelta(hours=24))
    elif tab == "overdue":
        qs = qs.filter(state__in=OPEN_STATES, resolve_due_at__lt=now)
    return qs.order_by("resolve_due_at", "-submitted_at") if tab != "all" else qs.order_by("-submitted_at")


@dataclass
class BodyRate:
    key: str
    label: str
    total: int
    responded_on_time: int
    response_due: int
    solved: int
    rated: int
    satisfied: int

    @property
    def response_rate(self) -> float | None:
        return self.responded_on_time / self.response_due if self.response_due else None

    @property
    def resolution_rate(self) -> float | None:
        return self.solved / self.total if self.total else None

    @property
    def satisfaction_rate(self) -> float | None:
        return self.satisfied / self.rated if self.rated else None

    @property
    def ranked(self) -> bool:
        return self.total >= self.min_sample

    min_sample: int = MIN_SAMPLE


def grievance_metrics(
    *,
    user,
    since: datetime | None = None,
    until: datetime | None = None,
    territory=None,
    min_sample: int = MIN_SAMPLE,
) -> dict:
    """Collect–solve figures and per-owner rates, through the scope rule. THE metrics selector.

    Arguments: ``user`` (scope), ``since``/``until`` (submission time, aware datetimes, either may
    be None), ``territory`` (a Territory node: keep its subtree), ``min_sample`` (owners with fewer
    cases are listed but not ranked).

    Returns a dict::

        collected   cases received (duplicates of another case and rejected ones excluded)
        solved      of those, resolved or closed
        projects    governance projects in scope (any status but dismissed)
        duplicates  cases merged into another
        rows        [BodyRate] per owner — the lead body, or the street when no body owns it —
                    ranked rows first (by satisfaction, then resolution, then response rate),
                    then rows below the minimum sample ("样本不足")

    Definitions: 响应率 = cases first answered (accepted, replied or resolved) by their respond-by
    time ÷ cases with a respond-by time; 解决率 = solved ÷ collected; 满意率 = ratings of 4 or 5 ÷
    rated cases.
    """
    qs = restrict(Grievance.objects.all(), user)
    if since:
        qs = qs.filter(submitted_at__gte=since)
    if until:
        qs = qs.filter(submitted_at__lt=until)
    if territory is not None:
        qs = qs.filter(territory__path__startswith=territory.path)
    duplicates = qs.filter(state=S.DUPLICATE).count()
    counted = qs.exclude(state__in=[S.DUPLICATE, S.REJECTED])
    on_time = Q(responded_at__isnull=False, respond_due_at__isnull=False, responded_at__lte=F("respond_due_at"))
    grouped = counted.values("body_id", "body__name", "body__short_name", "owner_territory_id", "owner_territory__name")
    grouped = grouped.annotate(
        total=Count("id"),
        response_due=Count("id", filter=Q(respond_due_at__isnull=False)),
        responded_on_time=Count("id", filter=on_time),
        solved=Count("id", filter=Q(state__in=SOLVED_STATES)),
        rated=Count("id", filter=Q(rating__isnull=False)),
        satisfied=Count("id", filter=Q(rating__gte=4)),
    ).order_by()
    merged: dict[str, BodyRate] = {}
    for row in grouped:
        if row["body_id"]:
            key, label = f"body:{row['body_id']}", row["body__short_name"] or row["body__name"]
        elif row["owner_territory_id"]:
            key, label = f"territory:{row['owner_territory_id']}", f"{row['owner_territory__name']}（属地）"
        else:
            key, label = "unrouted", "待分办"
        rate = merged.get(key) or BodyRate(key, label, 0, 0, 0, 0, 0, 0)
        rate.total += row["total"]
        rate.response_due += row["response_due"]
        rate.responded_on_time += row["responded_on_time"]
        rate.solved += row["solved"]
        rate.rated += row["rated"]
        rate.satisfied += row["satisfied"]
        rate.min_sample = min_sample
        merged[key] = rate
    rows = sorted(
        merged.values(),
        key=lambda r: (
            not r.ranked,
            -(r.satisfaction_rate or 0),
            -(r.resolution_rate or 0),
            -(r.response_rate or 0),
            r.label,
        ),
    )
    totals = counted.aggregate(collected=Count("id"), solved=Count("id", filter=Q(state__in=SOLVED_STATES)))
    projects = restrict(GovernanceProject.objects.exclude(status=GovernanceProject.Status.DISMISSED), user)
    if territory is not None:
        projects = projects.filter(territory__path__startswith=territory.path)
    return {
        "collected": totals["collected"],
        "solved": totals["solved"],
        "projects": projects.count(),
        "duplicates": duplicates,
        "rows": rows,
        "min_sample": min_sample,
    }


# --- intake: reference rows read in the query a door makes anyway --------------------------------


@dataclass
class IntakeStation:
    """What a public door reads before an intake, in one statement: the station (with its
    territory), the blocklist's answer for this address and phone, and the chosen category
    (None when none was chosen or no active category has that key)."""

    station: Station
    blocked: bool
    category: Category | None


_STATION = ModelColumns(Station, "s")
_TERRITORY = ModelColumns(Territory, "t")
_CATEGORY = ModelColumns(Category, "c")


@cache
def _intake_station_sql(vendor: str, category_by: str | None) -> str:
    """The statement's SQL without the blocklist's expression, written once per process and
    shape (what the ORM compiled on every request before: ~1.5 ms of the intake's Python)."""
    qn = connection.ops.quote_name
    station, territory = Station._meta, Territory._meta
    columns = [_STATION.select(connection), _TERRITORY.select(connection)]
    joins = [
        f"INNER JOIN {qn(territory.db_table)} t "
        f"ON t.{qn(territory.pk.column)} = s.{qn(station.get_field('territory').column)}"
    ]
    if category_by is not None:
        category = Category._meta
        columns.append(_CATEGORY.select(connection))
        joins.append(
            f"LEFT JOIN {qn(category.db_table)} c ON c.{qn(category.get_field('is_active').column)} "
            f"AND c.{qn(category.get_field(category_by).column)} = %s"
        )
    return (
        f"SELECT {', '.join(columns)}, {{blocked}} FROM {qn(station.db_table)} s {' '.join(joins)} "
        f"WHERE s.{qn(station.get_field('code').column)} = %s"
    )


def intake_station(
    code: str, *, ip: str, phone: str, category_pk: int | None = None, category_code: str | None = None
) -> IntakeStation | None:
    """The station with ``code`` (as typed: upper-cased here, as its codes are) for a public
    intake, or None; with the blocklist's answer for ``ip`` and ``phone`` (normalised) and the
    active category with ``category_pk`` or ``category_code`` when one is given. One statement,
    its SQL written once per process (``abuse.blocked_exists`` is the blocklist's rule)."""
    category_by, key = None, None
    if category_pk is not None:
        low, high = connection.ops.integer_field_range(Category._meta.pk.get_internal_type())
        category_by, key = "id", category_pk if low <= category_pk <= high else None
    elif category_code:
        category_by, key = "code", category_code
    blocked_sql, blocked_params = abuse.blocked_exists(connection, ip=ip, phone=phone)
    sql = _intake_station_sql(connection.vendor, category_by).replace("{blocked}", blocked_sql, 1)
    params = [*blocked_params, *([key] if category_by else []), code.upper()]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    station = _STATION.build(row[: len(_STATION)], connection)
    row = row[len(_STATION) :]
    Station._meta.get_field("territory").set_cached_value(station, _TERRITORY.build(row[: len(_TERRITORY)], connection))
    row = row[len(_TERRITORY) :]
    category = None
    if category_by is not None:
        if row[0] is not None:  # the category's id: NULL when the LEFT JOIN found none
            category = _CATEGORY.build(row[: len(_CATEGORY)], connection)
        row = row[len(_CATEGORY) :]
    return IntakeStation(station=station, blocked=bool(row[0]), category=category)
