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


def test_a_missing_or_hidden_record_answers_in_chinese(api_client, qinhuai_organizer):
    """DRF passed Django's “No Unit matches the given query.” through: English, and the model's
    code name. A record outside the scope answers exactly like a missing one."""
    api_client.force_authenticate(qinhuai_organizer)
    for url in ("/api/v1/units/999999/", "/api/v1/persons/999999/", "/api/v1/stations/NOPE/"):
        response = api_client.get(url)
        assert response.status_code == 404
        assert response.json() == {"detail": "未找到该记录（不存在或不在您的管辖范围内）"}, url
