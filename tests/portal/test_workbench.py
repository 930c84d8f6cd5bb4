"""工作台: each role's items, their counts inside the scope, and links that list exactly those rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from grievances import taxonomy
from stations.models import Station
from tests.conftest import login_in_browser

pytestmark = pytest.mark.django_db


@pytest.fixture
def day_of_work(world, managed_station, django_capture_on_commit_callbacks):
    """One overdue case in 钞库街 (秦淮/夫子庙) and one never-inspected open station in each street."""
    from django.apps import apps

    from grievances.models import Grievance
    from grievances.services import grievance_create

    taxonomy.install(apps)
    with django_capture_on_commit_callbacks(execute=True):
        case = grievance_create(
            text="小区保安不让快递员进门", territory=world.chaokujie, channel="web", contact_phone="13812345678"
        )
    # The case has been open longer than its deadline (set here, not waited for).
    Grievance.objects.filter(pk=case.pk).update(resolve_due_at=timezone.now() - timedelta(days=1))
    for code, territory in (("S-FZM-9", world.chaokujie), ("S-XJK-9", world.huaqiaolu)):
        Station.objects.create(
            code=code,
            name=f"驿站{code}",
            host_type=Station.HostType.SHOP,
            territory=territory,
            status=Station.Status.OPEN,
        )
    return case


def _items(user):
    from portal.workbench import workbench_items

    return {item.key: item for item in workbench_items(user)}


def test_counts_stay_in_scope_and_match_the_linked_list(client, day_of_work, fuzimiao_cadre, xinjiekou_cadre):
    mine, theirs = _items(fuzimiao_cadre), _items(xinjiekou_cadre)
    assert mine["cases_overdue"].count == 1 and theirs["cases_overdue"].count == 0
    # 夫子庙: the managed station and S-FZM-9 were never inspected; 新街口 sees only its own.
    assert mine["inspections"].count == 2 and theirs["inspections"].count == 1
    assert mine["weekly_due"].count == 1
    # Streets file reports, they do not review them.
    assert "weekly_review" not in mine
    client.force_login(fuzimiao_cadre)
    listed = client.get(mine["inspections"].url)
    assert listed.status_code == 200
    assert listed.context["page"].paginator.count == 2
    inbox = client.get(mine["cases_overdue"].url)
    assert day_of_work.ticket in inbox.content.decode()
    # Routed to the street (no body has an account here), assigned and not yet accepted.
    assert mine["cases_to_accept"].count == 1 and theirs["cases_to_accept"].count == 0
    to_accept = client.get(mine["cases_to_accept"].url)
    assert [g.ticket for g in to_accept.context["rows"]] == [day_of_work.ticket]


def test_roles_see_only_their_items(day_of_work, qinhuai_organizer, member_unit_officer, station_manager):
    district = _items(qinhuai_organizer)
    assert district["cases_overdue"].count == 1 and "weekly_review" in district
    assert "weekly_due" not in district
    unit = _items(member_unit_officer)
    assert not {"weekly_due", "weekly_review", "inspections", "photo_reports"} & set(unit)
    station = _items(station_manager)
    assert station["inspections"].count == 1  # their own station, not the street's other one
    assert not {"weekly_due", "weekly_late", "cases_mine", "transfers_requested"} & set(station)


def test_home_groups_are_chinese(client, world, django_user_model):
    admin_user = django_user_model.objects.create_superuser("root", password="x-Long-pass-1")
    client.force_login(admin_user)
    body = client.get("/").content.decode()
    assert "审计日志" in body and "登录安全" in body
    for english in ("Audit log", "Axes", "Log entries", "Access attempts"):
        assert english not in body


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("username", "expected", "absent", "no_tiles"),
    [
        ("fuzimiao", ["weekly_due", "cases_overdue", "inspections"], ["weekly_review"], []),
        ("qinhuai", ["weekly_review", "cases_overdue", "inspections"], ["weekly_due"], []),
        ("scjg", ["notifications"], ["weekly_due", "inspections"], ["organizations", "members", "stations"]),
        ("yizhan", ["inspections"], ["weekly_due", "cases_mine"], ["organizations", "members", "grievances"]),
    ],
)
def test_workbench_in_the_browser(page, live_server, day_of_work, username, expected, absent, no_tiles, settings):
    page.goto(f"{live_server.url}/accounts/login/")
    # The platform's name, not the host the browser reached it by.
    assert settings.PORTAL_SITE_NAME in page.title()
    assert page.locator(".brand").inner_text() == settings.PORTAL_SITE_NAME
    login_in_browser(page, live_server, username)
    for viewport in ({"width": 1280, "height": 900}, {"width": 390, "height": 844}):
        page.set_viewport_size(viewport)
        page.goto(f"{live_server.url}/")
        workbench = page.locator("#workbench")
        for key in expected:
            assert workbench.locator(f"[data-key={key}]").count() == 1, key
        for key in absent:
            assert workbench.locator(f"[data-key={key}]").count() == 0, key
        # Nothing runs off the side on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.screenshot(path=f"/tmp/workbench-{username}-{viewport['width']}.png", full_page=True)
        # The dashboard: a period picker, and only the tiles of the role.
        page.goto(f"{live_server.url}/dashboard/")
        assert page.locator("#period-picker [aria-current=true]").inner_text() == "上月+本月"
        for name in no_tiles:
            assert page.locator(f"#tile-{name}").count() == 0, name
        page.screenshot(path=f"/tmp/dashboard-{username}-{viewport['width']}.png", full_page=True)
        page.goto(f"{live_server.url}/")
    # Every item's link opens a page the user may see.
    first = workbench.locator(f"[data-key={expected[0]}] a")
    first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").first.inner_text() not in ("", "403", "404")
    assert "找不到" not in page.title() and "禁止" not in page.title()
    assert page.external_requests == []
