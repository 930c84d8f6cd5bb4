"""The home station (常驻驿站) link lives in points, above members and stations; it still places
the person under the station's manager and is edited on the person's admin page."""

from django.urls import reverse

from members.models import Person
from points.models import HomeStation
from points.services import home_station_set


def test_station_manager_sees_the_regulars_of_the_station(world, station, station_manager, worker):
    elsewhere = Person.objects.create(name="王路人", phone="13800000009", territory=world.chaokujie)
    visible = set(Person.objects.visible_to(station_manager))
    assert worker in visible and elsewhere not in visible
    home_station_set(person=worker, station=None)
    assert not HomeStation.objects.filter(person=worker).exists()
    assert worker not in set(Person.objects.visible_to(station_manager))


def test_person_admin_page_sets_the_home_station(client, world, station, fuzimiao_cadre, password):
    person = Person.objects.create(name="赵骑手", phone="13800000008", territory=world.chaokujie)
    assert client.login(username=fuzimiao_cadre.username, password=password)
    url = reverse("admin:members_person_change", args=[person.pk])
    assert "常驻驿站" in client.get(url).content.decode()
    form = {
        "name": "赵骑手",
        "occupation": "rider",
        "territory": world.chaokujie.pk,
        "membership-TOTAL_FORMS": "0",
        "membership-INITIAL_FORMS": "0",
        "home_station_link-TOTAL_FORMS": "1",
        "home_station_link-INITIAL_FORMS": "0",
        "home_station_link-0-person": person.pk,
        "home_station_link-0-station": station.pk,
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.context["inline_admin_formsets"][-1].formset.errors
    assert HomeStation.objects.get(person=person).station == station


def test_api_sets_lists_and_clears_the_home_station(api_client, world, station, station_manager, fuzimiao_cadre):
    person = Person.objects.create(name="钱骑手", phone="13800000007", territory=world.chaokujie)
    api_client.force_authenticate(fuzimiao_cadre)
    response = api_client.post("/api/v1/points/home-stations/", {"person": person.pk, "station": station.pk})
    assert response.status_code == 201, response.data
    assert HomeStation.objects.get(person=person).station == station
    api_client.force_authenticate(station_manager)
    listed = api_client.get("/api/v1/points/home-stations/").json()
    assert [row["person"] for row in listed.get("results", listed)] == [person.pk]
    api_client.force_authenticate(fuzimiao_cadre)
    assert api_client.delete(f"/api/v1/points/home-stations/{person.pk}/").status_code == 204
    assert not HomeStation.objects.filter(person=person).exists()
