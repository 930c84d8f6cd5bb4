"""The scope filter is written for the database's indexes (issue 22): a record placed several
ways becomes ``= ANY(ARRAY(…))`` conditions on the model's own columns instead of an ``OR``
across joined tables. It must select exactly the records the plain ``OR`` of lookups selects,
for every placed model and every kind of post, alone and combined."""

from __future__ import annotations

import operator
from functools import reduce

import pytest
from django.apps import apps
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from members.models import PartyMembership, Person
from organizations.models import StaffPost
from organizations.scope import (
    SELF,
    UserScope,
    _any_prefix,
    _paths,
    organization_subtree,
    scope_for,
    scope_q,
    territory_subtree,
)
from tests.members.factories import make_member, make_person

pytestmark = pytest.mark.django_db


def plain_q(model, scope: UserScope) -> Q:
    """The scope rule as it reads: one lookup per way a record is placed, ORed."""
    spec = model.scope
    branches = []
    if spec.territory and scope.territory_paths:
        for path in _paths(spec.territory):
            if path == SELF:
                branches.append(_any_prefix("path", scope.territory_paths))
            else:
                branches.append(Q(**{f"{path}__in": territory_subtree(scope.territory_paths)}))
    if spec.organization and scope.organization_paths:
        for path in _paths(spec.organization):
            column = "pk" if path == SELF else path
            branches.append(Q(**{f"{column}__in": organization_subtree(scope.organization_paths)}))
    if spec.body and scope.body_ids:
        branches.append(Q(**{f"{'pk' if spec.body == SELF else spec.body}__in": sorted(scope.body_ids)}))
    if spec.station_post and scope.station_post_ids:
        branches.append(Q(**{f"{spec.station_post}__in": sorted(scope.station_post_ids)}))
    return reduce(operator.or_, branches) if branches else Q(pk__in=[])


def placed_models():
    return [m for m in apps.get_models() if getattr(m, "scope", None) is not None and not m.scope.reference_data]


@pytest.fixture
def cross_placed(world):
    """People placed in two or three ways across streets, districts and an industry committee."""
    make_member(world.fuzimiao, world.xinjiekou_org, name="住夫子庙在新街口")
    make_member(world.xinjiekou, world.fuzimiao_org, name="住新街口在夫子庙")
    make_member(
        world.zhonghuamen_community,
        world.zhonghuamen_org,
        name="流动党员",
        is_mobile=True,
        origin_organization_name="安徽省某党支部",
        co_managing_organization=world.kuaidi_committee,
    )
    make_member(world.huaqiaolu, world.xuanwu_org, name="住华侨路")
    make_person(world.chaokujie_grid, name="只住不在组织")
    return world


def scopes(world) -> dict[str, UserScope]:
    by_role = {post.user.username: scope_for(post.user) for post in StaffPost.objects.filter(is_active=True)}
    body = world.scjg.pk
    stations = set(StaffPost.objects.filter(role=StaffPost.Role.STATION).values_list("pk", flat=True))
    mixed = UserScope(
        territory_paths=frozenset({world.fuzimiao.path, world.xinjiekou.path}),
        organization_paths=frozenset({world.kuaidi_committee.path}),
        body_ids=frozenset({body}),
        station_post_ids=frozenset(stations),
    )
    two_streets = UserScope(territory_paths=frozenset({world.fuzimiao.path, world.huaqiaolu.path}))
    return {**by_role, "mixed": mixed, "two_streets": two_streets}


def test_every_placed_model_selects_the_same_records_as_the_plain_or(cross_placed):
    checked = 0
    for name, scope in scopes(cross_placed).items():
        if scope.everything:
            continue
        for model in placed_models():
            manager = model._base_manager
            written = set(manager.filter(scope_q(model, scope)).values_list("pk", flat=True))
            plain = set(manager.filter(plain_q(model, scope)).values_list("pk", flat=True).distinct())
            assert written == plain, (name, model.__name__)
            checked += bool(plain)
    # Not a vacuous pass: many (model, scope) pairs select records.
    assert checked >= 20


def test_people_placed_several_ways_are_found_from_each_place(cross_placed, fuzimiao_cadre, xinjiekou_cadre):
    for cadre, expected in (
        (fuzimiao_cadre, {"住夫子庙在新街口", "住新街口在夫子庙"}),
        (xinjiekou_cadre, {"住夫子庙在新街口", "住新街口在夫子庙"}),
    ):
        names = set(Person.objects.visible_to(cadre).values_list("name", flat=True))
        assert expected <= names
        members = set(PartyMembership.objects.visible_to(cadre).values_list("person__name", flat=True))
        assert expected <= members


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the index-friendly form is PostgreSQL SQL")
def test_a_person_placed_several_ways_is_filtered_by_index_conditions(cross_placed):
    scope = UserScope(territory_paths=frozenset({cross_placed.fuzimiao.path}))
    with CaptureQueriesContext(connection) as ctx:
        list(Person.objects.filter(scope_q(Person, scope)).values_list("pk", flat=True))
    (sql,) = [q["sql"] for q in ctx.captured_queries]
    # Each way in is an ANY over the model's own columns; no join of the memberships in the outer
    # query, where no index could serve an OR across tables.
    assert '"members_person"."territory_id" = ANY(ARRAY(' in sql
    assert '"members_person"."id" = ANY(ARRAY(' in sql
    assert "LEFT OUTER JOIN" not in sql.split("WHERE")[0]
