"""The ledger lists: a fixed number of queries whatever the page holds, and no password hash read."""

import pytest

from points.services import points_award

pytestmark = pytest.mark.django_db


def _more_entries(catalogue, worker, xuanwu_worker, station_manager, n: int, tag: str):
    for i in range(n):
        for person in (worker, xuanwu_worker):
            points_award(
                person=person, rule=catalogue["study"], points=1, actor=station_manager,
                idempotency_key=f"{tag}-{person.pk}-{i}", check_award_roles=False,
            )  # fmt: skip


def test_admin_ledger_changelist(client, municipal, password, catalogue, worker, xuanwu_worker,
                                 station_manager, django_assert_num_queries):  # fmt: skip
    _more_entries(catalogue, worker, xuanwu_worker, station_manager, 1, "seed")
    assert client.login(username=municipal.username, password=password)
    url = "/admin/points/pointentry/"
    client.get(url)
    with django_assert_num_queries(6) as first:  # the scope and permissions come from the cache
        response = client.get(url)
    assert response.status_code == 200
    assert not any(
        '"auth_user"."password"' in q["sql"] for q in first.captured_queries if "points_pointentry" in q["sql"]
    )
    assert not any("DATE_TRUNC" in q["sql"].upper() for q in first.captured_queries)
    _more_entries(catalogue, worker, xuanwu_worker, station_manager, 5, "admin")
    with django_assert_num_queries(len(first)):
        assert client.get(url).status_code == 200


def test_api_entries_list(api_client, municipal, catalogue, worker, xuanwu_worker, station_manager,
                          django_assert_num_queries):  # fmt: skip
    _more_entries(catalogue, worker, xuanwu_worker, station_manager, 1, "seed")
    api_client.force_authenticate(municipal)
    api_client.get("/api/v1/points/entries/")
    with django_assert_num_queries(3) as first:
        assert api_client.get("/api/v1/points/entries/").status_code == 200
    assert not any(
        '"auth_user"."password"' in q["sql"] for q in first.captured_queries if "points_pointentry" in q["sql"]
    )
    _more_entries(catalogue, worker, xuanwu_worker, station_manager, 5, "api")
    with django_assert_num_queries(len(first)):
        assert api_client.get("/api/v1/points/entries/").status_code == 200
