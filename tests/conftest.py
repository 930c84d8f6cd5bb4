"""Shared fixtures: the known world, one named user per role, and a real headless Chromium."""

from __future__ import annotations

import os
import shutil

import pytest
from django.contrib.auth import get_user_model

from tests.world import PASSWORD, World, build_world

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# in a thread with a running loop unless told that this is deliberate.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


# Reference data that data migrations install (branch rules, the station catalogue, the
# grievance taxonomy, survey header aliases). A transactional test flushes the database when it
# ends, which removes those rows for every transactional test after it; they are put back here.
REFERENCE_MIGRATIONS = [
    ("organizations.migrations.0004_default_branch_rules", "add_default_rules"),
    ("stations.migrations.0003_default_catalogue", "forwards"),
    ("grievances.migrations.0003_default_taxonomy", "install"),
    ("surveys.migrations.0002_seed_header_aliases", "seed"),
    ("surveys.migrations.0003_seed_more_header_aliases", "seed"),
]


def install_reference_data() -> None:
    from importlib import import_module

    from django.apps import apps
    from django.db import connection

    with connection.schema_editor() as editor:
        for module, function in REFERENCE_MIGRATIONS:
            getattr(import_module(module), function)(apps, editor)


@pytest.fixture(autouse=True)
def _reference_data(request):
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        install_reference_data()


@pytest.fixture(autouse=True)
def _celery_eager():
    """Tasks run inline unless a test starts a real worker (see tests/portal/test_celery.py)."""
    from portal.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def world(db) -> World:
    return build_world()


def _get(username: str):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def municipal(world):
    return _get("municipal")


@pytest.fixture
def qinhuai_organizer(world):
    return _get("qinhuai")


@pytest.fixture
def fuzimiao_cadre(world):
    return _get("fuzimiao")


@pytest.fixture
def xinjiekou_cadre(world):
    return _get("xinjiekou")


@pytest.fixture
def industry_officer(world):
    return _get("kuaidi")


@pytest.fixture
def member_unit_officer(world):
    return _get("scjg")


@pytest.fixture
def outsider(world):
    return _get("outsider")


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


# --- real headless Chromium ------------------------------------------------------------------


def chromium_path() -> str:
    for candidate in ("/usr/bin/chromium", "/usr/bin/chromium-browser", shutil.which("chromium")):
        if candidate and os.path.exists(candidate):
            return candidate
    pytest.fail("Debian chromium is not installed: `make test` installs it (apt-get install chromium)")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A desktop-sized page that records every request leaving the live server."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.external_requests = []
    page.on(
        "request",
        lambda req: (
            None if req.url.startswith((live_server.url, "data:", "blob:")) else page.external_requests.append(req.url)
        ),
    )
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A phone-sized page (iPhone-like viewport, touch) that records external requests."""
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.external_requests = []
    page.on(
        "request",
        lambda req: (
            None if req.url.startswith((live_server.url, "data:", "blob:")) else page.external_requests.append(req.url)
        ),
    )
    yield page
    context.close()


def login_in_browser(page, live_server, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


# --- stations ----------------------------------------------------------------------------------


@pytest.fixture
def managed_station(world):
    """夫子庙宁小蜂驿站 (钞库街社区), managed by user ``yizhan`` through a role-station post."""
    from organizations.models import StaffPost
    from stations.models import Station
    from tests.world import post

    manager = get_user_model().objects.create_user("yizhan", password=PASSWORD, first_name="孙站长")
    manager_post = post(manager, StaffPost.Role.STATION, territory=world.fuzimiao)
    return Station.objects.create(
        code="NXF-FZM-001",
        name="夫子庙宁小蜂驿站",
        tier=Station.Tier.FLAGSHIP,
        host_type=Station.HostType.COMMUNITY_CENTER,
        territory=world.chaokujie,
        address="秦淮区贡院街 95 号",
        longitude="118.788603",
        latitude="32.021190",
        coord_system=Station.CoordSystem.GCJ02,
        manager_post=manager_post,
    )


@pytest.fixture
def station_manager(managed_station):
    """The station manager (驿站站长) of ``managed_station``."""
    return managed_station.manager_post.user
