from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from stations.models import Visit
from stations.services import visits_record

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_visits_record_creates_updates_and_clears(managed_station, services, station_manager):
    day = timezone.localdate()
    rest, charging = services["rest"], services["charging"]
    assert visits_record(
        station=managed_station, day=day, counts={rest.pk: 12, charging.pk: 5}, actor=station_manager
    ) == {
        "created": 2,
        "updated": 0,
        "deleted": 0,
    }
    summary = visits_record(
        station=managed_station, day=day, counts={rest.pk: 15, charging.pk: 0}, actor=station_manager
    )
    assert summary == {"created": 0, "updated": 1, "deleted": 1}
    assert list(Visit.objects.values_list("service__code", "count")) == [("rest", 15)]


def test_visits_record_refuses_bad_input(managed_station, services, station_manager):
    with pytest.raises(ValidationError, match="晚于今天"):
        visits_record(
            station=managed_station,
            day=timezone.localdate() + timedelta(days=1),
            counts={services["rest"].pk: 1},
            actor=station_manager,
        )
    with pytest.raises(ValidationError, match="歇脚休息"):
        visits_record(station=managed_station, day=timezone.localdate(), counts={services["rest"].pk: -3}, actor=None)
    assert not Visit.objects.exists()


def test_quick_entry_page_for_the_manager(client, managed_station, services, station_manager):
    managed_station.services.set([services["rest"], services["water"]])
    client.force_login(station_manager)
    url = f"/stations/{managed_station.code}/visits/"
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "歇脚休息" in body and "饮水" in body and "手机充电" not in body
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.post(
        url, {"day": yesterday.isoformat(), f"s{services['rest'].pk}": "30", f"s{services['water'].pk}": "7"}
    )
    assert response.status_code == 302
    assert Visit.objects.get(service=services["rest"]).count == 30
    assert Visit.objects.get(service=services["water"]).recorded_by == station_manager
    bad = client.post(url, {"day": yesterday.isoformat(), f"s{services['rest'].pk}": "三十"})
    assert bad.status_code == 200 and "“歇脚休息”的人次须为不小于 0 的整数" in bad.content.decode()


def test_quick_entry_is_404_outside_scope(client, managed_station, xinjiekou_cadre, outsider):
    for user in (xinjiekou_cadre, outsider):
        client.force_login(user)
        assert client.get(f"/stations/{managed_station.code}/visits/").status_code == 404


def test_manager_sees_only_their_station(managed_station, xinjiekou_station, station_manager):
    from stations.models import Station

    assert list(Station.objects.visible_to(station_manager)) == [managed_station]
