"""Shared fixtures: the known world, one named user per role, and a real headless Chromium."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, fields

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


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_and_quiet(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.AXES_ENABLED = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "core.storage.MemoStaticFilesStorage"},
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
def _fresh_scopes():
    """Each test's world is copied back without signals (see below), with the same user ids: no
    scope or permission set stored across requests by an earlier test may match in this one."""
    from core.permission_backend import CACHE_NAME
    from core.user_cache import forget_all
    from organizations.scope import forget_all_scopes

    forget_all_scopes()
    forget_all(CACHE_NAME)


@pytest.fixture(autouse=True)
def _celery_eager():
    """Tasks run inline unless a test starts a real worker (see tests/portal/test_celery.py)."""
    from portal.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False


# --- the world, built once per session ----------------------------------------------------------
#
# build_world() costs ~150 statements (tree inserts, seven users, posts that sync the role groups
# and their permissions) and most of the suite asks for it. It runs once per session inside a
# transaction that is rolled back; the rows it wrote are kept as COPY data, and each test gets them
# back with one COPY per table (ids, paths and timestamps as built). A test that cannot take the
# copy gets build_world() itself: a transactional test (its database is flushed and refilled, so
# content types and groups may have new ids), a database whose reference rows differ from the
# session's first state, or rows that collide with what the test made first.


@dataclass
class _WorldCopy:
    tables: list[tuple[str, str, bytes]]  # (table, quoted name, COPY text)
    objects: dict[str, tuple[type, int]]  # World field -> (model, pk)
    others: list[tuple[str, str]]  # the tables it does not write
    fingerprint: str  # their highest ids when it was built


def _quoted_tables(connection) -> list[tuple[str, str]]:
    """(table, quoted name) of every table with an integer ``id`` column. A partitioned table is
    copied through its parent; its partitions (which hold the same rows) are left out."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.table_name FROM information_schema.columns c "
            "JOIN information_schema.tables t USING (table_schema, table_name) "
            "JOIN pg_class r ON r.relname = c.table_name AND r.relnamespace = current_schema()::regnamespace "
            "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND NOT r.relispartition "
            "AND c.column_name = 'id' AND c.data_type IN ('integer', 'bigint') ORDER BY 1"
        )
        return [(name, connection.ops.quote_name(name)) for (name,) in cursor.fetchall()]


def _max_ids(connection, tables) -> dict[str, int]:
    sql = " UNION ALL ".join(f"SELECT %s, COALESCE(MAX(id), 0) FROM {quoted}" for _name, quoted in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql, [name for name, _quoted in tables])
        return dict(cursor.fetchall())


def _fingerprint(connection, tables) -> str:
    """The highest id of every table the world does not write (what its rows refer to): a flush
    and refill, or rows a test made first, change it."""
    return repr(sorted(_max_ids(connection, tables).items()))


def _capture_world(connection) -> _WorldCopy | None:
    from django.db import transaction

    if connection.vendor != "postgresql":
        return None
    tables = _quoted_tables(connection)
    with_ids = {name for name, _quoted in tables}
    # Tables keyed otherwise are not copied: if the world wrote any, every test builds its own.
    django_tables = set(connection.introspection.django_table_names(only_existing=True))
    keyed_otherwise = [connection.ops.quote_name(name) for name in sorted(django_tables - with_ids)]

    def counts() -> list[int]:
        found = []
        with connection.cursor() as cursor:
            for quoted in keyed_otherwise:
                cursor.execute(f"SELECT COUNT(*) FROM {quoted}")
                found.append(cursor.fetchone()[0])
        return found

    with transaction.atomic():
        before, other_rows = _max_ids(connection, tables), counts()
        built = build_world()
        after = _max_ids(connection, tables)
        if counts() != other_rows:
            transaction.set_rollback(True)
            return None
        written = [(name, quoted) for name, quoted in tables if after[name] > before[name]]
        copies = []
        with connection.cursor() as cursor:
            for name, quoted in written:
                with cursor.copy(f"COPY (SELECT * FROM {quoted} WHERE id > {before[name]}) TO STDOUT") as copy:
                    copies.append((name, quoted, b"".join(bytes(chunk) for chunk in copy)))
        others = [table for table in tables if table not in written]
        fingerprint = _fingerprint(connection, others)
        transaction.set_rollback(True)
    objects = {f.name: (type(getattr(built, f.name)), getattr(built, f.name).pk) for f in fields(World)}
    return _WorldCopy(tables=copies, objects=objects, others=others, fingerprint=fingerprint)


@pytest.fixture(scope="session")
def _world_copy(django_db_setup, django_db_blocker) -> _WorldCopy | None:
    from django.db import connection
    from django.test import override_settings

    # The same hasher the tests run with (_fast_and_quiet): a copied password must check.
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        return _capture_world(connection)


def _restore_world(connection, copy: _WorldCopy) -> World | None:
    import psycopg
    from django.db import DatabaseError, transaction

    if _fingerprint(connection, copy.others) != copy.fingerprint:
        return None
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            for _name, quoted, data in copy.tables:
                with cursor.copy(f"COPY {quoted} FROM STDIN") as stream:
                    stream.write(data)
            # Foreign keys are checked here, not at the end of the test (which never commits).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for name, quoted, _data in copy.tables:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM {quoted}))", [name]
                )
    except (DatabaseError, psycopg.Error):  # rows the test made first collide with the copy's
        return None
    by_model: dict[type, set] = {}
    for model, pk in copy.objects.values():
        by_model.setdefault(model, set()).add(pk)
    loaded = {model: model.objects.in_bulk(pks) for model, pks in by_model.items()}
    return World(**{name: loaded[model][pk] for name, (model, pk) in copy.objects.items()})


@pytest.fixture
def world(request, db, _world_copy) -> World:
    from django.db import connection

    transactional = "transactional_db" in request.fixturenames or "live_server" in request.fixturenames
    marker = request.node.get_closest_marker("django_db")
    if _world_copy is None or transactional or (marker is not None and marker.kwargs.get("transaction")):
        return build_world()
    return _restore_world(connection, _world_copy) or build_world()


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
