"""A street's stations and QR cases sit at the street, not at a community: the child tables end
with the street's own row, so the communities' zeros do not read as "nothing here"."""

from __future__ import annotations

import pytest

from stations.models import Station
from tests.cadence.conftest import _station

pytestmark = pytest.mark.django_db
DASH = "/dashboard/"


def _table(response, provider):
    return next(t for t in response.context["tables"] if t["provider"].name == provider)


@pytest.mark.parametrize("live", [False, True])
def test_the_street_row_holds_what_no_community_does(client, data, world, fuzimiao_cadre, settings, live):
    settings.CADENCE_DASHBOARD_CACHE_SECONDS = 0
    _station("NXF-T-1", world.fuzimiao)
    _station("NXF-T-2", world.fuzimiao)
    _station("NXF-T-3", world.chaokujie)
    client.force_login(fuzimiao_cadre)
    response = client.get(DASH, {"live": "1"} if live else {})
    table = _table(response, "stations")
    own = [row for row in table["rows"] if row.get("own")]
    assert len(own) == 1 and own[0]["node"].label == "夫子庙街道本级（未落到下级）"
    keys = [fig.key for fig in table["provider"].figures]
    values = dict(zip(keys, (cell["value"] for cell in own[0]["cells"]), strict=True))
    assert values["stations"] == Station.objects.filter(territory=world.fuzimiao).count() == 2
    column = keys.index("stations")
    in_communities = sum(row["cells"][column]["value"] or 0 for row in table["rows"] if not row.get("own"))
    below = Station.objects.filter(territory__path__startswith=world.fuzimiao.path).exclude(territory=world.fuzimiao)
    assert in_communities == below.count() >= 1
    html = response.content.decode()
    assert "夫子庙街道本级（未落到下级）" in html
    # The chart compares the children only.
    assert "夫子庙街道本级" not in "".join(table["chart"]["categories"])


def test_no_street_row_when_every_record_sits_in_a_community(client, data, world, fuzimiao_cadre, settings):
    settings.CADENCE_DASHBOARD_CACHE_SECONDS = 0
    _station("NXF-T-3", world.chaokujie)
    assert not Station.objects.filter(territory=world.fuzimiao).exists()
    client.force_login(fuzimiao_cadre)
    table = _table(client.get(DASH, {"live": "1"}), "stations")
    assert not any(row.get("own") for row in table["rows"])
