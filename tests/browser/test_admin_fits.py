"""The big admin lists fit a 1440 px screen beside their filters (no column off-screen)."""

from __future__ import annotations

import pytest

from organizations.models import Unit
from tests.conftest import PASSWORD
from tests.members.factories import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_units_people_and_members_fit_1440(browser, live_server, municipal, world):
    Unit.objects.create(
        name="南京市秦淮区夫子庙美团外卖配送服务站（贡院街第二站点）",
        territory=world.chaokujie_grid,
        credit_code="91320104MA1TEST01X",
    )
    make_member(world.chaokujie, world.fuzimiao_org, name="欧阳明远", occupation="rider")
    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "municipal")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state("networkidle")
    widths = {}
    for path in ("organizations/unit", "members/person", "members/partymembership", "grievances/grievance"):
        page.goto(f"{live_server.url}/admin/{path}/")
        page.wait_for_selector("#changelist")
        widths[path] = page.evaluate(
            """() => {
                const table = document.querySelector('#result_list');
                const box = document.querySelector('#changelist-form') || document.querySelector('#changelist');
                return {table: table ? table.scrollWidth : 0, box: box.clientWidth,
                        page: document.documentElement.scrollWidth};
            }"""
        )
        assert (
            page.locator("#changelist-filter").get_by_text("所在街道").count() == 1 or path == "members/partymembership"
        )
        page.screenshot(path=f"/tmp/admin-{path.replace('/', '-')}.png")
    context.close()
    for path, w in widths.items():
        assert w["table"] <= w["box"] and w["page"] <= 1440, (path, w)
