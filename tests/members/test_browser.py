import pytest

from members.models import PartyMembership
from tests.conftest import login_in_browser
from tests.members.factories import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_distribution_charts_render_offline(page, live_server):
    from tests.world import build_world

    world = build_world()
    make_member(world.fuzimiao, world.fuzimiao_org, name="陈一")
    make_member(world.zhonghuamen, world.zhonghuamen_org, name="陈二", status=PartyMembership.Status.PROBATIONARY)
    login_in_browser(page, live_server, "qinhuai")
    page.goto(f"{live_server.url}/members/distribution/")
    page.wait_for_selector("#chart-by_district[data-rendered='1'] svg")
    assert page.locator("#figures").inner_text().count("2") >= 1
    assert page.external_requests == []
