"""A whole phone or ID number typed into a search is a yes/no answer about the digits its mask
hides: a viewer who sees them masked gets a limited number of such answers an hour
(``WHOLE_CODE_SEARCH_LIMIT``), after which a whole phone matches only by the four digits the
mask shows and a whole ID number matches nothing — so guessing cannot undo the mask."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.members.factories import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _two_an_hour(settings):
    settings.WHOLE_CODE_SEARCH_LIMIT = (2, 3600)
    cache.clear()


@pytest.fixture
def twins(world):
    """Two people of one street whose phones share the four digits a mask shows."""
    return (
        make_person(world.chaokujie, name="赵一", phone="13912345678"),
        make_person(world.chaokujie, name="钱二", phone="13800005678"),
    )


def _names(api_client, q: str) -> set[str]:
    response = api_client.get("/api/v1/persons/", {"q": q, "page_size": 50})
    assert response.status_code == 200
    return {row["name"] for row in response.json()["results"]}


def test_masked_viewer_runs_out_of_whole_number_answers(api_client, fuzimiao_cadre, twins):
    zhao, _ = twins
    # Signed in as a browser is (each request loads its own user, as token requests do too).
    api_client.force_login(fuzimiao_cadre)
    # Within the limit: the whole phone finds its one person, the whole ID number too.
    assert _names(api_client, "139 1234 5678") == {"赵一"}
    assert _names(api_client, zhao.id_number) == {"赵一"}
    # Past it: a right guess and a wrong one answer alike (the 4 digits the mask shows), and a
    # whole ID number finds nothing, right or wrong.
    assert _names(api_client, "13912345678") == {"赵一", "钱二"}
    assert _names(api_client, "13955555678") == {"赵一", "钱二"}
    assert _names(api_client, zhao.id_number) == set()
    # Names and the mask's own four digits are never limited.
    assert _names(api_client, "钱二") == {"钱二"} and _names(api_client, "5678") == {"赵一", "钱二"}


def test_full_identity_roles_are_not_limited(api_client, qinhuai_organizer, twins):
    zhao, _ = twins
    api_client.force_login(qinhuai_organizer)
    for _ in range(4):
        assert _names(api_client, "13912345678") == {"赵一"}
        assert _names(api_client, zhao.id_number) == {"赵一"}


def test_one_search_counts_once_and_the_page_says_why(client, fuzimiao_cadre, twins):
    """The admin's person search and the staff pages say why a whole number was not matched."""
    client.force_login(fuzimiao_cadre)
    for _ in range(2):
        page = client.get("/admin/members/person/", {"q": "13912345678"}).content.decode()
        assert "赵一" in page and "钱二" not in page and "整号查询已达上限" not in page
    page = client.get("/admin/members/person/", {"q": "13912345678"}).content.decode()
    assert "赵一" in page and "钱二" in page and "整号查询已达上限（每小时 2 次）" in page


def test_the_grievance_inbox_counts_a_search_once_and_shows_the_notice(client, fuzimiao_cadre, settings):
    """The inbox matches the number against the case's phone and the linked person's phone: one
    search, one count; past the limit its page carries the notice (base template)."""
    settings.WHOLE_CODE_SEARCH_LIMIT = (1, 3600)
    client.force_login(fuzimiao_cadre)
    page = client.get("/grievances/", {"tab": "all", "q": "13912345678"}).content.decode()
    assert 'id="whole-code-notice"' not in page
    page = client.get("/grievances/", {"tab": "all", "q": "13912345678"}).content.decode()
    assert 'id="whole-code-notice"' in page and "整号查询已达上限（每小时 1 次）" in page
