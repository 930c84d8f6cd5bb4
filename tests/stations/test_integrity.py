"""Station codes go into QR links, phones into tel: links, coordinates onto the city's map: each is
checked where the record is cleaned, so the admin, the API and imports refuse the same things."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from stations.models import Station, Visit

pytestmark = pytest.mark.smoke


def _errors(station: Station) -> dict:
    with pytest.raises(ValidationError) as exc:
        station.clean()
    return exc.value.message_dict


def test_station_code_must_be_url_safe():
    assert "只能由字母、数字" in _errors(Station(name="某驿站", code="QH/001"))["code"][0]
    station = Station(name="某驿站", code=" ｑｈ-００１ ")
    station.clean()
    assert station.code == "QH-001"


@pytest.mark.parametrize("phone", ["abc", "123", "1381234567x"])
def test_station_phone_must_be_a_number_one_can_call(phone):
    assert "格式不正确" in _errors(Station(name="某驿站", code="QH-1", contact_phone=phone))["contact_phone"][0]


@pytest.mark.parametrize("phone", ["13812345678", "025-84561234", "０２５－８４５６１２３４", "400-800-1234", "12345"])
def test_real_phones_pass(phone):
    Station(name="某驿站", code="QH-1", contact_phone=phone).clean()


def test_coordinates_outside_the_city_are_refused_with_a_hint_when_swapped():
    beijing = _errors(Station(name="某驿站", code="QH-1", longitude=116.40, latitude=39.90))
    assert "不在南京市范围内" in beijing["longitude"][0]
    swapped = _errors(Station(name="某驿站", code="QH-1", longitude=32.04, latitude=118.79))
    assert "填反" in swapped["latitude"][0]
    Station(name="某驿站", code="QH-1", longitude=118.79, latitude=32.04).clean()


def test_visit_in_the_future_is_refused():
    with pytest.raises(ValidationError, match="不能晚于今天"):
        Visit(day=dt.date(2099, 1, 1), count=1).clean()
