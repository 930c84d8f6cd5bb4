"""The one working-day calendar: deadlines (办理时限), the monthly dispatch date, reminders.

The rules, chosen for this portal and documented in the README:

* Saturday and Sunday are not working days, unless a ``Holiday`` row marks the date as a
  make-up working day (调休上班, ``is_workday=True``).
* A ``Holiday`` row without ``is_workday`` makes a weekday a day off (国庆, 春节…). Staff keep the
  table in the admin each December from the State Council's notice.
* "N working days" counts working days strictly after the day of submission; the deadline is
  18:00 local time on the N-th one. A case filed on Friday evening with 7 working days is due on
  the second Tuesday after at 18:00.
* Clock-hour limits (urgent safety cases: respond in 2 h, resolve in 24 h) ignore the calendar:
  a hazard does not wait for Monday.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from core.models import Holiday

END_OF_WORKDAY = time(18, 0)


def _exceptions(start: date, end: date) -> dict[date, bool]:
    return dict(Holiday.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_workday"))


def is_workday(day: date, exceptions: dict[date, bool] | None = None) -> bool:
    if exceptions is None:
        exceptions = _exceptions(day, day)
    if day in exceptions:
        return exceptions[day]
    return day.weekday() < 5


def add_workdays(start: datetime, days: int) -> datetime:
    """18:00 local on the ``days``-th working day after ``start``'s local date."""
    local_day = timezone.localtime(start).date()
    # Long holidays (Spring Festival) fit easily in a window of 3× the days plus three weeks.
    exceptions = _exceptions(local_day, local_day + timedelta(days=days * 3 + 21))
    day = local_day
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_workday(day, exceptions):
            counted += 1
    return timezone.make_aware(datetime.combine(day, END_OF_WORKDAY))


def first_workday_of_month(year: int, month: int) -> date:
    """The month's first working day (元旦 and 国庆 push the monthly dispatch back)."""
    day = date(year, month, 1)
    exceptions = _exceptions(day, day + timedelta(days=21))
    while not is_workday(day, exceptions):
        day += timedelta(days=1)
    return day


def add_sla(start: datetime, amount: int, unit: str) -> datetime:
    if unit == "hours":
        return start + timedelta(hours=amount)
    return add_workdays(start, amount)
