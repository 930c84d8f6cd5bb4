"""The walk (issue 13): every URL pattern of the portal requested by an outsider — a district
organizer whose post is in a district where nothing of the test world lies.

* every object URL (admin change/history/delete/custom pages, API detail and detail actions)
  answers 404 for a record of the world, exactly like a missing id;
* every list answers without a 500 and shows nothing: an API count of 0, an empty list.

New URLs need no registration here: the walk reads the URL resolver.
"""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from organizations.models import PartyOrganization, StaffPost, Territory, Unit
from organizations.services import territory_add
from tests.world import post

pytestmark = pytest.mark.django_db

# Object ids in routes (``<path:object_id>``, ``<int:pk>``, DRF's ``(?P<pk>[^/.]+)``).
_OBJECT_KEYS = {"pk", "object_id", "id"}
_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)|<(?:(?P<conv>\w+):)?(?P<name2>\w+)>")


def _walk(resolver, prefix=""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _model_for(entry: URLPattern, route: str):
    cls = getattr(entry.callback, "cls", None)
    queryset = getattr(cls, "queryset", None)
    if queryset is not None:
        return queryset.model
    match = re.match(r"^admin/(?P<app>\w+)/(?P<model>\w+)/", route)
    if match:
        try:
            return apps.get_model(match["app"], match["model"])
        except LookupError:
            return None
    return None


def _url(route: str, values: dict) -> str | None:
    missing = []

    def fill(m):
        key = m.group("name") or m.group("name2")
        if key in values:
            return str(values[key])
        missing.append(key)
        return ""

    text = route.replace("^", "").replace("$", "").replace("\\.", ".").replace("\\", "")
    text = _GROUP.sub(fill, text)
    if missing or "(" in text or "?" in text or "*" in text or "[" in text:
        return None
    return "/" + text


@pytest.fixture
def district_elsewhere(world):
    from django.contrib.auth import get_user_model

    jianye = territory_add(parent=world.city, code="320105", name="建邺区", level=Territory.Level.DISTRICT)
    user = get_user_model().objects.create_user("jianye", password="x", is_staff=True)
    post(user, StaffPost.Role.DISTRICT, territory=jianye)
    return user


def test_outsider_walk(world, client, district_elsewhere):
    Unit.objects.create(name="秦淮某公司", kind="enterprise", territory=world.fuzimiao)
    client.force_login(district_elsewhere)
    failures, objects_checked, lists_checked = [], 0, 0
    for route, entry in _walk(get_resolver()):
        if "format" in route or route.startswith(("static", "media", "__")):
            continue
        keys = {m.group("name") or m.group("name2") for m in _GROUP.finditer(route)}
        if keys & _OBJECT_KEYS and len(keys) == 1:
            model = _model_for(entry, route)
            if model is None or getattr(model, "scope", None) is None:
                continue
            spec = model.scope
            if getattr(spec, "reference_data", False):
                continue
            target = model._default_manager.order_by("pk").first()
            if target is None:
                continue
            url = _url(route, {keys.pop(): target.pk})
            if url is None:
                continue
            response = client.get(url)
            objects_checked += 1
            if response.status_code == 302 and response["Location"] == f"{url}change/":
                continue  # the admin's bare object URL redirects to the change page whether or not it exists
            if response.status_code not in (404, 405):
                failures.append(f"{url} → {response.status_code}（应为404）")
        elif not keys:
            model = _model_for(entry, route)
            if model is not None and getattr(getattr(model, "scope", None), "reference_data", True):
                continue  # shared catalogues (service items, categories): the same for everyone
            url = _url(route, {})
            if url is None or "logout" in url:
                continue
            response = client.get(url)
            lists_checked += 1
            if response.status_code >= 500:
                failures.append(f"{url} → {response.status_code}")
            elif response.status_code == 200 and response.get("Content-Type", "").startswith("application/json"):
                data = response.json()
                if isinstance(data, dict) and data.get("count"):
                    failures.append(f"{url} → count={data['count']}（外人应为0）")
                elif isinstance(data, list) and data and isinstance(data[0], dict) and "id" in data[0]:
                    failures.append(f"{url} → {len(data)} 条（外人应为空）")
    assert objects_checked > 20 and lists_checked > 20, (objects_checked, lists_checked)
    assert not failures, "外人可见：\n" + "\n".join(failures)
    assert PartyOrganization.objects.exists()
