import pytest

from tests.conftest import login_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_and_see_staff_home(page, live_server, fuzimiao_cadre):
    login_in_browser(page, live_server, "fuzimiao")
    assert page.locator("h1.page-title").inner_text() == "工作台"
    assert "夫子庙街道" in page.locator("#my-posts").inner_text()
    assert page.external_requests == []
