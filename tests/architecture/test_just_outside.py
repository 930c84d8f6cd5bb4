"""The walk just outside each role's scope (issues 13 and 20): for every demo role, every door
that places a record — each API viewset and each admin form with a territory picker, and every
admin bulk action — is tried with a target just past the role's edge: the sibling street, the
neighbouring district. The write is refused and the record is exactly as it was.

The doors are generated from the admin site and the API router (as in test_write_rule), so a
door registered tomorrow is walked tomorrow. Records come from a handful of seeds on either side
of the edge; a door with no record the role may touch is skipped, and the totals are checked so
that the walk cannot pass by walking nothing.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.forms.models import model_to_dict
from django.test import RequestFactory

from members.models import Person
from organizations.models import Territory, Unit
from organizations.scope import forget_scope, placeable
from portal.api_urls import build_router
from stations.models import ServicePoint, Station
from tests.members.factories import make_id
from tests.portal.test_write_rule import ADMIN_PICKERS, API_PICKERS, surveys_free_credit_code, users  # noqa: F401

pytestmark = pytest.mark.django_db

# Each territorial role and the node just past its edge. City-wide posts (the municipal
# committee, a city-level industry committee or member unit) have no territorial edge: their
# records are held by the organization/body they belong to (test_write_rule covers those).
JUST_OUTSIDE = {
    "qinhuai": "huaqiaolu",  # the neighbouring district's community
    "fuzimiao": "zhonghuamen_community",  # the sibling street's community
    "xinjiekou": "chaokujie",  # the neighbouring district
    "station": "zhonghuamen_community",  # the next street over from its station
}


_births = itertools.count()  # make_id's sequence pairs up: a distinct birth date per person

STREET_OF = {"huaqiaolu": "xinjiekou", "zhonghuamen_community": "zhonghuamen", "chaokujie": "fuzimiao"}


def _seed(world, node: Territory, tag: str) -> None:
    Unit.objects.create(
        name=f"{tag}测试公司", credit_code=surveys_free_credit_code(), kind=Unit.Kind.ENTERPRISE, territory=node
    )
    birth = date(1985, 1, 1) + timedelta(days=next(_births))
    Person.objects.create(name=f"{tag}某人", id_number=make_id(birth), territory=node)
    ServicePoint.objects.create(
        code=f"SP-{tag}", name=f"{tag}充电点", kind=ServicePoint.Kind.choices[0][0], territory=node,
        longitude="118.79", latitude="32.02",
    )  # fmt: skip
    Station.objects.create(code=f"ZZ-{tag}", name=f"{tag}驿站", host_type=Station.HostType.SHOP, territory=node)


@pytest.fixture
def seeded(world, users):  # noqa: F811
    _seed(world, world.chaokujie, "IN")
    _seed(world, world.zhonghuamen_community, "ZHM")
    _seed(world, world.huaqiaolu, "HQL")
    for user in users.values():
        forget_scope(user)
    return world


def _snapshot(obj) -> dict:
    obj = type(obj)._default_manager.get(pk=obj.pk)
    return {k: v for k, v in model_to_dict(obj).items() if not isinstance(v, list)}


@pytest.mark.parametrize("role", sorted(JUST_OUTSIDE))
def test_api_cannot_move_a_record_just_outside(api_client, seeded, users, role):  # noqa: F811
    user = users[role]
    outside = getattr(seeded, JUST_OUTSIDE[role])
    assert not placeable(Territory.objects.filter(pk=outside.pk), user).exists()
    viewsets = {prefix: viewset for prefix, viewset, _b in build_router().registry}
    api_client.force_authenticate(user)
    tried, failures = 0, []
    for param in API_PICKERS:
        prefix, field_name = param.values
        viewset = viewsets[prefix]
        listed = api_client.get(f"/api/v1/{prefix}/", {"page_size": 1})
        if listed.status_code != 200 or not listed.json().get("results"):
            continue
        key = listed.json()["results"][0][viewset.lookup_field if viewset.lookup_field != "pk" else "id"]
        obj = viewset.queryset.model._default_manager.get(**{viewset.lookup_field: key})
        before = _snapshot(obj)
        response = api_client.patch(f"/api/v1/{prefix}/{key}/", {field_name: outside.pk}, format="json")
        tried += 1
        if response.status_code not in (400, 403, 404) or _snapshot(obj) != before:
            failures.append(f"{param.id}: {response.status_code}")
    assert tried >= 1, "no API door had a record this role may touch: the walk walked nothing"
    assert not failures, "越界写入未被拒绝：" + "；".join(failures)


@pytest.mark.parametrize("role", sorted(JUST_OUTSIDE))
def test_admin_cannot_move_a_record_just_outside(client, seeded, users, role):  # noqa: F811
    user = users[role]
    outside = getattr(seeded, JUST_OUTSIDE[role])
    request = RequestFactory().get("/")
    request.user = user
    client.force_login(user)
    tried, failures = 0, []
    for param in ADMIN_PICKERS:
        model, field_name = param.values
        model_admin = admin.site._registry[model]
        if not model_admin.has_change_permission(request):
            continue
        obj = model_admin.get_queryset(request).order_by("pk").first()
        if obj is None:
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{obj.pk}/change/"
        page = client.get(url)
        if page.status_code != 200 or "adminform" not in (page.context or {}):
            continue
        form = page.context["adminform"].form
        if field_name not in form.fields:
            tried += 1  # read-only for this role: the door is shut
            continue
        data = {}
        for name, bound in ((n, form[n]) for n in form.fields):
            value = bound.value()
            if value is None or value is False:
                continue
            data[name] = value
        for formset in page.context.get("inline_admin_formsets", []):
            management = formset.formset.management_form
            data.update({management.add_prefix(k): v for k, v in management.initial.items()})
            for inline_form in formset.formset.initial_forms:
                data.update({inline_form.add_prefix(n): inline_form[n].value() or "" for n in inline_form.fields})
        data[field_name] = outside.pk
        before = _snapshot(obj)
        response = client.post(url, data)
        tried += 1
        # A save that went through redirects to the changelist; a refusal re-renders the form
        # with the field's error, or (the post-write check) redirects back to the change page.
        saved = response.status_code == 302 and not response["Location"].endswith("/change/")
        if saved or _snapshot(obj) != before:
            failures.append(f"{param.id}: {response.status_code}")
    assert tried >= 1, "no admin door had a record this role may change: the walk walked nothing"
    assert not failures, "越界写入未被拒绝：" + "；".join(failures)


@pytest.mark.parametrize("role", sorted(JUST_OUTSIDE))
def test_bulk_actions_on_a_row_just_outside_change_nothing(client, seeded, users, role):  # noqa: F811
    """Every action of every admin, posted with the key of a row just outside the role's scope
    (a crafted request: the changelist never shows it): nothing of that row changes."""
    user = users[role]
    request = RequestFactory().get("/")
    request.user = user
    client.force_login(user)
    tried, failures = 0, []
    for model, model_admin in admin.site._registry.items():
        if getattr(model, "scope", None) is None:
            continue
        visible = model_admin.get_queryset(request).values("pk")
        row = model._default_manager.exclude(pk__in=visible).order_by("pk").first()
        if row is None:
            continue
        before = _snapshot(row)
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for name in model_admin.get_actions(request):
            response = client.post(url, {"action": name, ACTION_CHECKBOX_NAME: [row.pk], "post": "yes"})
            tried += 1
            if response.status_code >= 500:
                failures.append(f"{model._meta.label}.{name}: {response.status_code}")
            elif not model._default_manager.filter(pk=row.pk).exists() or _snapshot(row) != before:
                failures.append(f"{model._meta.label}.{name}: 记录被改动")
    # A station manager holds no bulk action at all; every other role must have been walked.
    assert tried >= (0 if role == "station" else 3), "no action reached a row outside: the walk walked nothing"
    assert not failures, "批量操作越界：" + "；".join(failures)


@pytest.mark.parametrize("role", sorted(JUST_OUTSIDE))
def test_staff_pages_refuse_a_write_just_outside(client, seeded, users, role):  # noqa: F811
    """The staff pages that write into a place: a station's visit counts, a points award, a
    task published for a station, a grievance recorded for a street — each aimed just outside."""
    from grievances.models import Grievance
    from points.models import PointEntry, PointRule, VolunteerTask
    from stations.models import Visit

    outside = getattr(seeded, JUST_OUTSIDE[role])
    station = Station.objects.filter(territory=outside, code__startswith="ZZ-").order_by("pk").first()
    person = Person.objects.filter(territory=outside).first()
    street = getattr(seeded, STREET_OF[JUST_OUTSIDE[role]])
    client.force_login(users[role])
    written = (Visit, PointEntry, VolunteerTask, Grievance)
    before = [m.objects.count() for m in written]

    responses = {
        "visits": client.post(f"/stations/{station.code}/visits/", {"day": "2025-03-03", "s1": "5"}),
        "award": client.post("/points/award/", {"person": person.pk, "rule": 1, "note": "x", "token": "t" * 32}),
        "task": client.post(
            "/points/tasks/new/",
            {
                "kind": VolunteerTask.Kind.VOLUNTEER,
                "title": "越界任务",
                "place": "某处",
                "starts_at": "2030-07-01T09:00",
                "ends_at": "2030-07-01T12:00",
                "slots": 1,
                "points": 1,
                "rule": PointRule.objects.values_list("pk", flat=True).first() or 1,
                "publisher": f"station:{station.pk}",
            },
        ),
        "grievance": client.post(
            "/grievances/new/",
            {"channel": "hotline", "priority": "normal", "text": "越界录入的诉求内容", "territory": street.pk},
        ),
    }
    after = [m.objects.count() for m in written]
    assert after == before, {k: r.status_code for k, r in responses.items()}
    assert all(r.status_code in (200, 400, 403, 404) for r in responses.values()), {
        k: r.status_code for k, r in responses.items()
    }
