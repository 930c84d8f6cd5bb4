"""The fixed cost of a page: a tiny changelist and a tiny API list in a pinned number of
statements, with the user's scope and permissions kept across requests — and never stale."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth.models import Group
from django.test import RequestFactory

from core.admin_changelist import PortalChangeListMixin
from organizations.models import StaffPost
from organizations.roles import Role, group_name
from organizations.scope import scope_for
from tests.world import post

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/stations/service/"
API_LIST = "/api/v1/territories/?level=district"


def _codes(response) -> set[str]:
    body = response.json()
    rows = body["results"] if isinstance(body, dict) else body
    return {row["code"] for row in rows}


def test_tiny_changelist_statements(client, municipal, password, django_assert_num_queries):
    assert client.login(username=municipal.username, password=password)
    client.get(CHANGELIST)  # the first request stores the scope and the permissions
    # session, user, SAVEPOINT (ATOMIC_REQUESTS), COUNT (paginator; nothing filters the list, so
    # it is the unfiltered total too: core.admin_changelist), the rows, RELEASE. No permission,
    # post or content-type query: they come from the cache.
    with django_assert_num_queries(6) as captured:
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    sql = " ".join(q["sql"] for q in captured.captured_queries)
    assert "auth_permission" not in sql and "organizations_staffpost" not in sql


def test_tiny_api_list_statements(client, qinhuai_organizer, password, world, django_assert_num_queries):
    assert client.login(username=qinhuai_organizer.username, password=password)
    client.get(API_LIST)
    # session, user, SAVEPOINT, the rows (scoped by a subquery on the territory paths), RELEASE.
    with django_assert_num_queries(5):
        response = client.get(API_LIST)
    assert response.status_code == 200
    assert _codes(response) == {world.qinhuai.code}


def test_a_new_post_is_seen_by_the_next_request(client, fuzimiao_cadre, password, world):
    assert client.login(username=fuzimiao_cadre.username, password=password)
    url = "/api/v1/territories/?level=street"
    assert _codes(client.get(url)) == {world.fuzimiao.code}
    assert _codes(client.get(url)) == {world.fuzimiao.code}  # now from the cache
    # Another request (another user object, no forget_scope) gives the officer a second street.
    extra = post(type(fuzimiao_cadre).objects.get(pk=fuzimiao_cadre.pk), "street", territory=world.xinjiekou)
    assert _codes(client.get(url)) == {world.fuzimiao.code, world.xinjiekou.code}
    extra.is_active = False
    extra.save()
    assert _codes(client.get(url)) == {world.fuzimiao.code}
    StaffPost.objects.filter(user=fuzimiao_cadre).delete()
    response = client.get(url)
    assert response.status_code == 403 or _codes(response) == set()


def test_scope_across_user_objects_follows_posts(fuzimiao_cadre, world):
    User = type(fuzimiao_cadre)
    first = scope_for(User.objects.get(pk=fuzimiao_cadre.pk))
    assert scope_for(User.objects.get(pk=fuzimiao_cadre.pk)) == first
    moved = StaffPost.objects.get(user=fuzimiao_cadre)
    moved.territory = world.xinjiekou
    moved.save()
    assert scope_for(User.objects.get(pk=fuzimiao_cadre.pk)).territory_paths == {world.xinjiekou.path}
    # A post handed to somebody else leaves its former holder's scope too.
    moved.user = User.objects.get(username="outsider")
    moved.save()
    assert scope_for(User.objects.get(pk=fuzimiao_cadre.pk)).is_empty
    assert scope_for(User.objects.get(username="outsider")).territory_paths == {world.xinjiekou.path}


def test_losing_a_group_is_seen_by_the_next_request(client, municipal, password):
    assert client.login(username=municipal.username, password=password)
    assert client.get(CHANGELIST).status_code == 200
    assert client.get(CHANGELIST).status_code == 200
    municipal.groups.remove(Group.objects.get(name=group_name(Role.MUNICIPAL)))
    assert client.get(CHANGELIST).status_code == 403
    municipal.groups.add(Group.objects.get(name=group_name(Role.MUNICIPAL)))
    assert client.get(CHANGELIST).status_code == 200
    # A permission taken from the group (every holder at once).
    group = Group.objects.get(name=group_name(Role.MUNICIPAL))
    service_perms = group.permissions.filter(content_type__app_label="stations", codename__endswith="_service")
    group.permissions.remove(*service_perms)
    assert client.get(CHANGELIST).status_code == 403


def test_the_app_list_depends_on_permissions_only(world):
    """The site keeps the app list per permission set: every ModelAdmin's answer without an
    object must come from the permissions alone. Two officers with the same role in different
    places (and so different scopes) get the same list, built afresh for each."""
    User = type(world.city)._meta.apps.get_model("auth", "User")
    site = admin.site
    lists = []
    for username in ("fuzimiao", "xinjiekou"):
        request = RequestFactory().get("/admin/")
        request.user = User.objects.get(username=username)
        lists.append(super(type(site._wrapped), site._wrapped)._build_app_dict(request))
        assert site._build_app_dict(request) == lists[-1]
    assert lists[0] == lists[1]
    assert lists[0]  # street officers see something


def _without_csrf(html: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html.decode())


def test_the_changelist_markup_is_djangos(client, municipal, password, settings, monkeypatch):
    """The form renderer that prints the editable columns in Python (core.form_renderer) and the
    changelist that reverses one URL a page and counts once (core.admin_changelist) give the page
    Django's templates and ChangeList give, byte for byte (but for the per-request CSRF mask),
    filtered or not."""
    from stations.models import Service

    Service.objects.create(code="quote-test", name='休息 "<区>"', sort_order=3, is_active=False)
    assert client.login(username=municipal.username, password=password)
    urls = [CHANGELIST, CHANGELIST + "?is_active__exact=0", CHANGELIST + "?o=-1"]
    fast = [client.get(url) for url in urls]
    settings.FORM_RENDERER = "django.forms.renderers.DjangoTemplates"
    monkeypatch.setattr(PortalChangeListMixin, "get_changelist", lambda self, request, **kw: ChangeList)
    slow = [client.get(url) for url in urls]
    for ours, django in zip(fast, slow, strict=True):
        assert ours.status_code == django.status_code == 200
        assert _without_csrf(ours.content) == _without_csrf(django.content)
    page = fast[0].content.decode()
    assert 'name="form-0-sort_order"' in page
    assert f'href="/admin/stations/service/{Service.objects.get(code="quote-test").pk}/change/"' in page


def test_the_unfiltered_total_is_counted_only_when_it_differs(
    client, municipal, password, world, django_assert_num_queries
):
    """A filtered list still counts its own rows and the unfiltered total ("N 总计")."""
    from core.models import Holiday

    Holiday.objects.create(date="2026-10-01", name="国庆节", is_workday=False)
    Holiday.objects.create(date="2026-10-11", name="调休", is_workday=True)
    assert client.login(username=municipal.username, password=password)
    url = "/admin/core/holiday/"
    client.get(url)

    def counts(captured):
        return sum("COUNT(*)" in q["sql"] for q in captured.captured_queries)

    # session, user, SAVEPOINT, COUNT(s), the rows, RELEASE, the date hierarchy's two
    with django_assert_num_queries(8) as unfiltered:
        assert client.get(url).status_code == 200
    with django_assert_num_queries(9) as filtered:
        response = client.get(url + "?is_workday__exact=1")
    assert (counts(unfiltered), counts(filtered)) == (1, 2)
    assert response.context["cl"].result_count == 1
    assert response.context["cl"].full_result_count == Holiday.objects.count()
