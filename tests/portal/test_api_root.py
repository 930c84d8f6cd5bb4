"""The API root lists every endpoint under /api/v1/: the stations entry pointed at the staff page
(/stations/), whose URL name the router's ``station-list`` shared."""

import pytest

pytestmark = pytest.mark.django_db


def test_every_api_root_link_is_an_api_endpoint(api_client, municipal):
    api_client.force_authenticate(municipal)
    links = api_client.get("/api/v1/").json()
    assert links["stations"].endswith("/api/v1/stations/")
    assert [name for name, url in links.items() if "/api/v1/" not in url] == []
    assert api_client.get(links["stations"]).status_code == 200
