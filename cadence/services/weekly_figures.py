"""The figures a street's weekly report carries: the week's own flows, month-to-date beside them.

The metrics providers count flows (cases received, points issued…) over the month of a day — what
the daily inventory and the monthly dispatch need. A weekly report needs the week: so the flow
figures are recomputed here over the ISO week (Monday 00:00 up to the end of Sunday, or now for
the running week) through the same selectors the providers read (``grievance_metrics``,
``earned_entries``) and the providers' own derivations (rates), while stocks (units, members,
stations, open cases, accounts) stay as the providers give them on the last day of the week.
"""

from __future__ import annotations

import copy
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Sum
from django.utils import timezone

from cadence.metrics import Lens, compute_all, keeping_statements
from cadence.metrics import grievances as grievance_metrics_module
from cadence.metrics import points as points_metrics_module
from cadence.nodes import Node
from grievances.selectors import grievance_metrics
from organizations.models import Territory
from organizations.rules import rules_held
from points.models import PointEntry
from points.selectors import earned_entries

# Figures a street's weekly report carries; the rest of the inventory stays on the dashboard.
WEEKLY_PROVIDERS = ["organizations", "members", "stations", "grievances", "points"]
# The figures that are counts over a period (shown for the week, with month-to-date beside them).
FLOWS = {
    "grievances": [
        "received",
        "response_due",
        "responded",
        "resolved",
        "rated",
        "satisfied",
        "response_rate",
        "resolution_rate",
        "satisfaction_rate",
    ],
    "points": ["issued", "active_earners", "redeemed", "activity_rate"],
}


def week_window(iso_year: int, iso_week: int, *, now: datetime | None = None) -> tuple[datetime, datetime, date]:
    """(start, end exclusive, last day) of the ISO week; the running week ends now."""
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    monday = date.fromisocalendar(iso_year, iso_week, 1)
    start = timezone.make_aware(datetime.combine(monday, time.min), tz)
    end = min(timezone.make_aware(datetime.combine(monday + timedelta(days=7), time.min), tz), now)
    last_day = min(monday + timedelta(days=6), timezone.localdate(now))
    return start, max(end, start), max(last_day, monday)


def _grievance_flows(lens: Lens, since: datetime, until: datetime, current: dict) -> dict:
    metrics = grievance_metrics(user=lens.principal, since=since, until=until, territory=lens.within_node)
    rows = metrics["rows"]
    counts = {
        "received": metrics["collected"],
        "response_due": sum(r.response_due for r in rows),
        "responded": sum(r.responded_on_time for r in rows),
        "resolved": metrics["solved"],
        "rated": sum(r.rated for r in rows),
        "satisfied": sum(r.satisfied for r in rows),
        "open": current.get("open"),
        "overdue": current.get("overdue"),
    }
    return grievance_metrics_module.figures_of(counts)


def _points_flows(lens: Lens, since: datetime, until: datetime, current: dict) -> dict:
    earned = earned_entries(user=lens.principal, start=since, end=until, within=lens.within_node)
    agg = earned.aggregate(issued=Sum("delta"), earners=Count("account", distinct=True))
    redeemed = (
        lens.apply(
            PointEntry.objects.filter(kind=PointEntry.Kind.REDEMPTION, created_at__gte=since, created_at__lt=until)
        )
        .aggregate(total=Sum("delta"))
        .get("total")
    )
    return points_metrics_module.figures_of(agg["issued"], agg["earners"], redeemed, current.get("registered") or 0)


def weekly_figures(street: Territory, iso_year: int, iso_week: int, *, now: datetime | None = None, kept: bool = False):
    """(week figures, month-to-date flows, last day counted) for ``street``'s report.

    The week figures have the providers' shape (``{provider: {key: value}}``), so every reader
    of a report's figures reads them as before; the month-to-date dict holds only the flows.

    ``kept``: the grouped statements are compiled once per process and the branch rules read
    once, as on the dashboard (``keeping_statements``, ``rules_held``) — for the cadre's open
    report, refreshed every time it is opened. Batches over every street leave it off: they
    would record statements nobody reads again.
    """
    start, end, last_day = week_window(iso_year, iso_week, now=now)
    lens = Node.of(street).lens
    if kept:
        with rules_held(), keeping_statements():
            month = compute_all(lens, last_day, only=WEEKLY_PROVIDERS)
    else:
        month = compute_all(lens, last_day, only=WEEKLY_PROVIDERS)
    week = copy.deepcopy(month)
    if "grievances" in week:
        week["grievances"] = _grievance_flows(lens, start, end, month["grievances"])
    if "points" in week:
        week["points"] = _points_flows(lens, start, end, month["points"])
    month_flows = {name: {k: month[name].get(k) for k in keys} for name, keys in FLOWS.items() if name in month}
    return week, month_flows, last_day
