"""THE write rule, door by door: every role × every writable model × (admin form, survey import,
API) × a target inside and outside the role's scope. Inside succeeds where the role holds the
permission; outside is refused and nothing is written.

The models and doors are generated from what is registered (admin site, API router), not listed
by hand, so a new writable admin or viewset is held to the rule the day it is registered.
"""

from __future__ import annotations

import itertools

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import ForeignKey
from django.test import RequestFactory
from rest_framework import serializers as drf_serializers

from organizations.models import StaffPost, Territory, Unit
from organizations.scope import placeable, scope_for
from portal.api_urls import build_router
from stations.models import Station
from surveys.fixtures import credit_code
from tests.members.factories import make_id
from tests.world import post

pytestmark = pytest.mark.django_db

_codes = itertools.count(900_000)


def surveys_free_credit_code() -> str:
    return credit_code(next(_codes))


ROLES = ["municipal", "qinhuai", "fuzimiao", "xinjiekou", "kuaidi", "scjg", "station"]


@pytest.fixture
def users(world):
    User = get_user_model()
    by_name = {name: User.objects.get(username=name) for name in ROLES if name != "station"}
    station = Station.objects.create(
        code="ZZ-FZM-01", name="夫子庙测试驿站", host_type=Station.HostType.SHOP, territory=world.chaokujie
    )
    manager = User.objects.create_user("stationmgr", password="x")
    station.manager_post = post(manager, StaffPost.Role.STATION, territory=world.chaokujie)
    station.save(update_fields=["manager_post"])
    by_name["station"] = manager
    return by_name


def outside_territory(world, user) -> Territory:
    """A grid-level node the user cannot place a record in (xinjiekou's community, or 秦淮's)."""
    for node in (world.huaqiaolu, world.chaokujie_grid, world.zhonghuamen_community):
        if not placeable(Territory.objects.filter(pk=node.pk), user).exists():
            return node
    return None


def inside_territory(world, user) -> Territory | None:
    for node in (world.chaokujie_grid, world.chaokujie, world.huaqiaolu, world.zhonghuamen_community):
        if placeable(Territory.objects.filter(pk=node.pk), user).exists():
            return node
    return None


# --- generated: every placing picker of every registered door --------------------------------


def _territory_fk_admins():
    for model in admin.site._registry:
        spec = getattr(model, "scope", None)
        if spec is None:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, ForeignKey) and field.remote_field.model is Territory and field.editable:
                yield pytest.param(model, field.name, id=f"{model._meta.label}.{field.name}")


def _territory_fk_viewsets():
    for prefix, viewset, _basename in build_router().registry:
        serializer_class = getattr(viewset, "serializer_class", None)
        if serializer_class is None or not hasattr(viewset, "create"):
            continue
        serializer = serializer_class()
        for name, field in serializer.fields.items():
            if field.read_only or not isinstance(field, drf_serializers.PrimaryKeyRelatedField):
                continue
            if getattr(field, "queryset", None) is not None and field.queryset.model is Territory:
                yield pytest.param(prefix, name, id=f"{prefix}.{name}")


ADMIN_PICKERS = list(_territory_fk_admins())
API_PICKERS = list(_territory_fk_viewsets())


def test_the_registry_has_writable_placements():
    # If this fails the generators above found nothing and every test below would be vacuous.
    assert len(ADMIN_PICKERS) >= 5 and len(API_PICKERS) >= 3


@pytest.mark.parametrize("role", ROLES)
def test_admin_territory_pickers_offer_only_placeable_nodes(world, users, role):
    user = users[role]
    request = RequestFactory().get("/")
    request.user = user
    allowed = set(placeable(Territory.objects.all(), user).values_list("pk", flat=True))
    for param in ADMIN_PICKERS:
        model, field_name = param.values
        db_field = model._meta.get_field(field_name)
        formfield = admin.site._registry[model].formfield_for_foreignkey(db_field, request)
        if formfield is None:
            continue
        offered = set(formfield.queryset.values_list("pk", flat=True))
        assert offered <= allowed, param.id
        _assert_not_the_whole_city(world, user, offered)


def _assert_not_the_whole_city(world, user, offered):
    scope = scope_for(user)
    if not scope.everything and world.city.path not in scope.anchor_territory_paths:
        # Only a post that sits at the city (the city, a city-wide committee or member unit)
        # is offered the whole city; the others their own subtree.
        assert world.city.pk not in offered
        assert world.huaqiaolu.pk not in offered or world.chaokujie.pk not in offered


@pytest.mark.parametrize("role", [r for r in ROLES if r != "municipal"])
def test_api_refuses_a_placement_outside_scope(api_client, world, users, role):
    user = users[role]
    target = outside_territory(world, user)
    if target is None:
        pytest.skip("a city-wide post: every node is placeable (its records are held by the post-write check)")
    viewsets = {p: v for p, v, _b in build_router().registry}
    api_client.force_authenticate(user)
    for param in API_PICKERS:
        prefix, field_name = param.values
        model = viewsets[prefix].queryset.model
        before = model.objects.count()
        response = api_client.post(f"/api/v1/{prefix}/", {field_name: target.pk}, format="json")
        assert response.status_code in (400, 403), (param.id, response.content)
        if response.status_code == 400:
            assert field_name in response.json(), (param.id, response.json())
        assert model.objects.count() == before


# --- inside succeeds, outside refused, nothing written: units, persons, stations ----------------


def _unit_payload(territory, organization=None) -> dict:
    return {
        "name": "测试科技有限公司",
        "credit_code": surveys_free_credit_code(),
        "kind": Unit.Kind.ENTERPRISE,
        "industry": "other",
        "territory": territory.pk,
        "organization": organization.pk if organization else None,
    }


@pytest.mark.parametrize("role", ROLES)
def test_api_unit_create_matrix(api_client, world, users, role):
    user = users[role]
    api_client.force_authenticate(user)
    may_add = user.has_perm("organizations.add_unit")
    inside = inside_territory(world, user)
    organization = world.kuaidi_committee if role == "kuaidi" else None
    if inside is not None:
        response = api_client.post("/api/v1/units/", _unit_payload(inside, organization), format="json")
        if may_add:
            assert response.status_code == 201, response.content
            assert api_client.get(f"/api/v1/units/{response.json()['id']}/").status_code == 200
        else:
            assert response.status_code == 403
    before = Unit.objects.count()
    outside = outside_territory(world, user)
    if outside is None:
        return  # the city places anywhere
    response = api_client.post("/api/v1/units/", _unit_payload(outside), format="json")
    assert response.status_code in (400, 403)
    assert Unit.objects.count() == before


def test_industry_committee_cannot_create_a_unit_it_would_not_see(api_client, world, users):
    """The issue's case: territory 玄武 without one of the committee's organizations → 201, then
    404 for its creator. Now the write is rolled back."""
    api_client.force_authenticate(users["kuaidi"])
    before = Unit.objects.count()
    response = api_client.post("/api/v1/units/", _unit_payload(world.huaqiaolu), format="json")
    assert response.status_code == 403, response.content
    assert "管辖范围" in response.json()["detail"]
    assert Unit.objects.count() == before


@pytest.mark.parametrize("role", ["fuzimiao", "xinjiekou", "kuaidi", "station", "scjg"])
def test_api_person_outside_is_refused(api_client, world, users, role):
    from members.models import Person

    user = users[role]
    api_client.force_authenticate(user)
    before = Person.objects.count()
    response = api_client.post(
        "/api/v1/persons/",
        {"name": "王五", "id_number": make_id(), "territory": (outside_territory(world, user) or world.huaqiaolu).pk},
        format="json",
    )
    assert response.status_code in (400, 403)
    assert Person.objects.count() == before


# --- admin form -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["fuzimiao", "qinhuai"])
def test_admin_form_cannot_move_a_unit_out_of_scope(client, world, users, role):
    user = users[role]
    unit = Unit.objects.create(
        name="秦淮测试公司",
        credit_code=surveys_free_credit_code(),
        kind=Unit.Kind.ENTERPRISE,
        territory=world.chaokujie,
        organization=world.kuaidi_committee if role == "kuaidi" else None,
    )
    client.force_login(user)
    page = client.get(f"/admin/organizations/unit/{unit.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update({"territory": world.huaqiaolu.pk, "organization": data.get("organization") or ""})
    for name in ("is_private_top500", "is_internet_top100", "is_little_giant"):
        data.pop(name, None)
    response = client.post(f"/admin/organizations/unit/{unit.pk}/change/", data)
    unit.refresh_from_db()
    assert unit.territory_id == world.chaokujie.pk
    assert response.status_code in (200, 302)


# --- imports: one door, the survey upload ---------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_the_import_door_is_the_survey_upload(client, world, users, role, tmp_path, settings):
    """The admin's own import pages are gone (issue 19); its 导入 button leads to the survey
    upload, whose permission and batch territory hold every role: a row placed outside the
    importer's district is an error of that row, and nothing of it is written."""
    from surveys.services import ApplyMode, import_file
    from tests.surveys.helpers import write_csv

    settings.MEDIA_ROOT = str(tmp_path / "media")
    user = users[role]
    client.force_login(user)
    may_import = user.has_perm("surveys.add_importbatch")
    assert (client.post("/surveys/upload/", {}).status_code != 403) == may_import
    if not may_import:
        return
    rows = [
        ["驿站编码", "驿站名称", "依托阵地", "所属区", "所属街道"],
        ["ZZ-IN-1", "导入驿站", "商户", "秦淮区", "夫子庙街道"],
        ["ZZ-OUT-1", "越界驿站", "商户", "玄武区", "新街口街道"],
    ]
    import_file(kind="stations", path=write_csv(tmp_path / "s.csv", rows), user=user, apply=ApplyMode.CLEAN)
    assert Station.objects.filter(code="ZZ-IN-1").exists()
    city_wide = world.city.pk in set(placeable(Territory.objects.all(), user).values_list("pk", flat=True))
    assert Station.objects.filter(code="ZZ-OUT-1").exists() == city_wide


def test_export_needs_only_the_view_permission(client, world, users):
    client.force_login(users["fuzimiao"])  # view-only on organizations
    # Export is the changelist's own (?export=…), which needs only the view permission.
    assert client.get("/admin/organizations/partyorganization/?export=xlsx").status_code == 200


# --- per-role read-only fields in the API ----------------------------------------------------


def test_fields_a_role_may_not_change_are_read_only_for_it(api_client, world, users):
    """As the admin shows them read-only for the role (issue 20): the station manager's
    placement fields, and the full ID number and phone for a role that sees only their masks.
    Read-only in the serializer the role gets, and another value sent anyway is a 400."""
    from members.models import Person
    from members.serializers import PersonSerializer
    from stations.selectors import OFFICER_ONLY_FIELDS
    from stations.serializers import StationSerializer

    station = Station.objects.get(code="ZZ-FZM-01")
    request = RequestFactory().patch("/")
    request.user = users["station"]
    fields = StationSerializer(instance=station, context={"request": request}).fields
    assert all(fields[name].read_only for name in OFFICER_ONLY_FIELDS if name in fields)
    request.user = users["fuzimiao"]  # a street officer: may change every station field
    fields = StationSerializer(instance=station, context={"request": request}).fields
    assert not any(fields[name].read_only for name in OFFICER_ONLY_FIELDS if name in fields)

    api_client.force_authenticate(users["station"])
    url = f"/api/v1/stations/{station.code}/"
    response = api_client.patch(url, {"tier": "key", "status": "closed"}, format="json")
    assert response.status_code == 400 and {"tier", "status"} <= set(response.json())
    assert api_client.patch(url, {"description": "歇脚", "tier": station.tier}, format="json").status_code == 200
    station.refresh_from_db()
    assert (station.tier, station.status, station.description) == ("standard", "open", "歇脚")

    person = Person.objects.create(name="钱某", id_number=make_id(), phone="13800001111", territory=world.chaokujie)
    request.user = users["fuzimiao"]
    fields = PersonSerializer(instance=person, context={"request": request}).fields
    assert "id_number" not in fields and "phone" not in fields and "id_number_masked" in fields
    api_client.force_authenticate(users["fuzimiao"])
    url = f"/api/v1/persons/{person.pk}/"
    response = api_client.patch(url, {"phone": "13900002222"}, format="json")
    assert response.status_code == 400 and "phone" in response.json()
    assert api_client.patch(url, {"name": "钱某某"}, format="json").status_code == 200
    person.refresh_from_db()
    assert (person.phone, person.name) == ("13800001111", "钱某某")
    api_client.force_authenticate(users["qinhuai"])  # the district sees, and may correct, the full values
    assert api_client.patch(url, {"phone": "13900002222"}, format="json").status_code == 200


# --- line posts (条线): city-wide only where the post is ---------------------------------------


def test_a_line_post_places_only_where_its_own_node_sits(api_client, world):
    """An industry committee or member unit at the city (快递行业党委, 市场监管局) is offered the
    whole city; the same kinds of post one level down (a district's industry committee, a
    district bureau) only their district."""
    from core.tree import add_node
    from organizations.models import Body, PartyOrganization

    User = get_user_model()
    district_committee = add_node(
        PartyOrganization,
        world.qinhuai_org,
        code="HY-QH-KD",
        name="秦淮区快递行业党委",
        kind=PartyOrganization.Kind.INDUSTRY_COMMITTEE,
        territory=world.qinhuai,
    )
    district_bureau = Body.objects.create(
        code="QH-SCJG",
        name="秦淮区市场监督管理局",
        kind=Body.Kind.MEMBER_UNIT,
        territory=world.qinhuai,
        parent=world.scjg,
    )
    posts = {
        "city_industry": {"role": StaffPost.Role.INDUSTRY, "organization": world.kuaidi_committee},
        "city_bureau": {"role": StaffPost.Role.MEMBER_UNIT, "body": world.scjg},
        "district_industry": {"role": StaffPost.Role.INDUSTRY, "organization": district_committee},
        "district_bureau": {"role": StaffPost.Role.MEMBER_UNIT, "body": district_bureau},
    }
    offered = {}
    for name, fields in posts.items():
        user = User.objects.create_user(f"line-{name}", password="x", is_staff=True)
        post(user, **fields)
        offered[name] = set(placeable(Territory.objects.all(), user).values_list("code", flat=True))
    city = set(Territory.objects.values_list("code", flat=True))
    qinhuai = set(Territory.objects.filter(path__startswith=world.qinhuai.path).values_list("code", flat=True))
    assert offered["city_industry"] == offered["city_bureau"] == city
    assert offered["district_industry"] == offered["district_bureau"] == qinhuai

    # And through the API: the district committee cannot place a unit of its own in 玄武.
    user = User.objects.get(username="line-district_industry")
    api_client.force_authenticate(user)
    before = Unit.objects.count()
    response = api_client.post("/api/v1/units/", _unit_payload(world.huaqiaolu, district_committee), format="json")
    assert response.status_code in (400, 403) and Unit.objects.count() == before
