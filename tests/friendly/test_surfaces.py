"""Every admin page of the new models loads in Chinese for an officer and shows an outsider nothing."""

from __future__ import annotations

import pytest

from friendly import services

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "/admin/friendly/friendlycommunity/",
    "/admin/friendly/riderpass/",
    "/admin/friendly/passscan/",
    "/admin/friendly/merchantclaim/",
    "/admin/stations/servicepoint/",
    "/admin/grievances/mediation/",
    "/admin/grievances/mediationcommittee/",
]


@pytest.mark.parametrize("url", CHANGELISTS)
def test_changelists_load_for_the_street_and_not_for_an_outsider(
    client, url, community, rider, fuzimiao_cadre, outsider
):
    services.pass_check(
        token=services.passes.sign(services.pass_issue(person=rider).code), entrance=community.entrances.first()
    )
    client.force_login(fuzimiao_cadre)
    assert client.get(url).status_code == 200
    client.force_login(outsider)
    assert client.get(url).status_code == 403


def test_community_pages_are_scoped(client, community, xinjiekou_community, fuzimiao_cadre):
    client.force_login(fuzimiao_cadre)
    listing = client.get("/admin/friendly/friendlycommunity/").content.decode()
    assert "钞库街骑手友好社区" in listing and "华侨路骑手友好社区" not in listing
    assert client.get(f"/admin/friendly/friendlycommunity/{xinjiekou_community.pk}/change/").status_code == 404
    page = client.get(f"/admin/friendly/friendlycommunity/{community.pk}/change/").content.decode()
    assert "打开门岗页" in page and "/nx/c/" in page


def test_publishing_needs_an_entrance(world, fuzimiao_cadre):
    from django.core.exceptions import ValidationError

    from friendly.models import FriendlyCommunity

    bare = services.community_save(
        community=FriendlyCommunity(territory=world.chaokujie, name="无门社区", convention="公约")
    )
    with pytest.raises(ValidationError, match="至少登记一个门岗"):
        services.community_publish(community=bare)
    with pytest.raises(ValidationError, match="不是社区"):
        services.community_save(community=FriendlyCommunity(territory=world.fuzimiao, name="街道", convention="x"))


def test_suspending_hides_the_gates_from_the_map(community):
    services.community_suspend(community=community)
    assert not community.entrances.get().point.is_active


def test_friendly_community_api_counts_scans_in_scope(
    api_client, community, xinjiekou_community, rider, fuzimiao_cadre, outsider
):
    gate = community.entrances.get()
    services.pass_check(token=services.passes.sign(services.pass_issue(person=rider).code), entrance=gate)
    api_client.force_authenticate(fuzimiao_cadre)
    rows = api_client.get("/api/v1/friendly-communities/").json()["results"]
    assert [(r["name"], r["scans_today"], r["valid_today"]) for r in rows] == [("钞库街骑手友好社区", 1, 1)]
    assert rows[0]["entrances"][0]["point_code"].startswith("ENT-320104-")
    api_client.force_authenticate(outsider)
    assert api_client.get("/api/v1/friendly-communities/").status_code == 403
