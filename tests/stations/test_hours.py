from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest

from stations.hours import Span, is_open_at, station_is_open, week_table
from stations.models import OpeningHours, Station

SH = ZoneInfo("Asia/Shanghai")


def at(day: int, hh: int, mm: int = 0) -> datetime:
    # 2025-06-02 is a Monday; day 0 = Monday … 6 = Sunday.
    return datetime(2025, 6, 2 + day, hh, mm, tzinfo=SH)


DAY = [Span(d, time(9), time(18)) for d in range(5)]  # weekdays only
NIGHT = [Span(4, time(22), time(2))]  # Friday 22:00 → Saturday 02:00
SUNDAY_NIGHT = [Span(6, time(20), time(1))]  # Sunday 20:00 → Monday 01:00
UNTIL_MIDNIGHT = [Span(2, time(18), time(0))]  # Wednesday 18:00 → 24:00


@pytest.mark.smoke
def test_day_span_opens_inclusive_closes_exclusive():
    assert not is_open_at(DAY, at(0, 8, 59))
    assert is_open_at(DAY, at(0, 9, 0))
    assert is_open_at(DAY, at(0, 17, 59))
    assert not is_open_at(DAY, at(0, 18, 0))


def test_closed_days():
    assert not is_open_at(DAY, at(5, 12))
    assert not is_open_at(DAY, at(6, 12))
    assert not is_open_at([], at(2, 12))


def test_overnight_span_runs_into_the_next_day():
    assert not is_open_at(NIGHT, at(4, 21, 59))
    assert is_open_at(NIGHT, at(4, 22, 0))
    assert is_open_at(NIGHT, at(4, 23, 59))
    assert is_open_at(NIGHT, at(5, 0, 0))
    assert is_open_at(NIGHT, at(5, 1, 59))
    assert not is_open_at(NIGHT, at(5, 2, 0))
    # Thursday night has no span, so Friday early morning is closed.
    assert not is_open_at(NIGHT, at(4, 1, 0))


def test_sunday_night_wraps_to_monday():
    assert is_open_at(SUNDAY_NIGHT, at(6, 23, 30))
    assert is_open_at(SUNDAY_NIGHT, datetime(2025, 6, 9, 0, 30, tzinfo=SH))  # the next Monday
    assert not is_open_at(SUNDAY_NIGHT, datetime(2025, 6, 9, 1, 0, tzinfo=SH))


def test_until_midnight():
    assert is_open_at(UNTIL_MIDNIGHT, at(2, 23, 59))
    assert not is_open_at(UNTIL_MIDNIGHT, at(3, 0, 0))
    assert not is_open_at(UNTIL_MIDNIGHT, at(2, 17, 59))


def test_24h_flag_and_time_zone():
    assert is_open_at([], at(6, 3), is_24h=True)
    # 01:30 UTC on Monday is 09:30 in Nanjing: open.
    assert is_open_at(DAY, datetime(2025, 6, 2, 1, 30, tzinfo=ZoneInfo("UTC")))
    # 10:30 UTC on Monday is 18:30 in Nanjing: closed.
    assert not is_open_at(DAY, datetime(2025, 6, 2, 10, 30, tzinfo=ZoneInfo("UTC")))


def test_week_table_labels():
    table = week_table(DAY + NIGHT + UNTIL_MIDNIGHT)
    assert table[4] == ("周五", "09:00–18:00、22:00–次日02:00")
    assert table[2] == ("周三", "09:00–18:00、18:00–24:00")
    assert table[6] == ("周日", "休息")
    assert week_table([], is_24h=True)[0] == ("周一", "24小时")


def test_station_is_open_needs_status_open(managed_station):
    OpeningHours.objects.create(station=managed_station, weekday=0, opens=time(9), closes=time(18))
    assert station_is_open(managed_station, at(0, 10))
    managed_station.status = Station.Status.SUSPENDED
    assert not station_is_open(managed_station, at(0, 10))
    managed_station.status = Station.Status.OPEN
    managed_station.is_24h = True
    assert station_is_open(managed_station, at(6, 3))


def test_span_with_same_open_and_close_is_rejected(managed_station):
    from django.core.exceptions import ValidationError

    row = OpeningHours(station=managed_station, weekday=1, opens=time(8), closes=time(8))
    with pytest.raises(ValidationError, match="24小时"):
        row.full_clean()
