"""A station manager awards points and assigns tasks to the people of its own station only
(issue 13): a neighbour in the same community, linked to the station next door, is as unknown to
it as someone in another district — on the staff pages and in the API — and nothing is written."""

from __future__ import annotations

import pytest
from django.urls import reverse

from members.models import Person
from points.models import PointEntry, TaskClaim
from points.services import home_station_set
from stations.models import Station
from tests.points.test_workflows import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def neighbour(world):
    """Registered in the station's own community, regular of the other station there."""
    other = Station.objects.create(
        code="QH-FZM-002", name="钞库街第二驿站", host_type=Station.HostType.SHOP, territory=world.chaokujie
    )
    person = Person.objects.create(name="赵邻居", phone="13800000009", territory=world.chaokujie)
    home_station_set(person=person, station=other)
    return person


def test_award_reaches_the_station_people_only(client, api_client, station_manager, catalogue, worker, neighbour):
    client.force_login(station_manager)
    assert "赵邻居" not in client.get(reverse("points:award"), {"q": "赵"}).content.decode()
    assert client.get(reverse("points:award"), {"person": neighbour.pk}).status_code == 404
    data = {"person": neighbour.pk, "rule": catalogue["volunteer"].pk, "note": "x", "token": "t" * 32}
    assert client.post(reverse("points:award"), data).status_code == 404
    api_client.force_authenticate(station_manager)
    payload = {"person": neighbour.pk, "rule": catalogue["volunteer"].pk, "idempotency_key": "n1", "note": ""}
    assert api_client.post("/api/v1/points/entries/award/", payload, format="json").status_code == 404
    assert not PointEntry.objects.filter(account__person=neighbour).exists()
    # Its own regular is awarded through the same doors.
    payload["person"] = worker.pk
    assert api_client.post("/api/v1/points/entries/award/", payload, format="json").status_code == 201


def test_assign_reaches_the_station_people_only(client, station_manager, catalogue, station, worker, neighbour):
    task = publish(station_manager, catalogue["volunteer"], station)
    client.force_login(station_manager)
    page = client.get(reverse("points:task", args=[task.pk]), {"q": "赵"})
    assert "赵邻居" not in page.content.decode()
    response = client.post(reverse("points:task", args=[task.pk]), {"assign": "1", "person": neighbour.pk})
    assert response.status_code == 404
    assert not TaskClaim.objects.filter(person=neighbour).exists()
    client.post(reverse("points:task", args=[task.pk]), {"assign": "1", "person": worker.pk})
    assert TaskClaim.objects.filter(task=task, person=worker, assigned_by=station_manager).exists()


def test_leaderboard_places_offer_only_the_station_street(client, station_manager, world):
    """A station manager's 范围 picker lists its own place, not the whole city (walkthrough)."""
    client.force_login(station_manager)
    page = client.get(reverse("points:leaderboard")).content.decode()
    picker = page[page.index('name="within"') :]
    picker = picker[: picker.index("</select>")]
    assert world.xinjiekou.name not in picker and world.qinhuai.name not in picker and "南京市" not in picker
    # and a place outside is ignored when typed into the query string
    page = client.get(reverse("points:leaderboard"), {"within": world.xinjiekou.code}).content.decode()
    assert f'value="{world.xinjiekou.code}" selected' not in page


def test_station_people_search_reveals_no_hidden_phone_digit(client, station_manager, station, worker):
    """The masked phone shows 138****0001: a search may match that tail or the whole number,
    never a longer tail (which would tell the hidden digits one search at a time)."""
    client.force_login(station_manager)
    url = reverse("points:station-people", args=[station.code])
    assert worker.name in client.get(url, {"q": "0001"}).content.decode()
    assert worker.name in client.get(url, {"q": "138 0000 0001"}).content.decode()
    for tail in ("00001", "000001", "0000001"):
        assert worker.name not in client.get(url, {"q": tail}).content.decode(), tail


def test_award_finds_a_phone_typed_with_spaces_or_full_width(client, station_manager, worker):
    client.force_login(station_manager)
    for typed in ("138 0000 0001", "１３８００００００01", "13800000001"):
        assert worker.name in client.get(reverse("points:award"), {"q": typed}).content.decode(), typed


def test_admin_territory_picker_offers_the_station_place_only(client, world):
    """Adding a reward or a task in the admin: the 属地 autocomplete lists where the station
    manager may place it, not every node of the city (territory names are shared for reading)."""

    from django.contrib.auth import get_user_model

    from organizations.models import StaffPost
    from tests.world import post

    manager = get_user_model().objects.create_user("zhanzhang2", password="x")
    post(manager, StaffPost.Role.STATION, territory=world.fuzimiao)
    client.force_login(manager)
    for model in ("reward", "volunteertask"):
        response = client.get(
            "/admin/autocomplete/",
            {"app_label": "points", "model_name": model, "field_name": "territory", "term": ""},
        )
        assert response.status_code == 200, response.content[:200]
        names = [r["text"] for r in response.json()["results"]]
        assert names and world.xinjiekou.name not in names and "南京市" not in names, names
