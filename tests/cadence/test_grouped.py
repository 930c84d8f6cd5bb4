"""The dashboard's child table in one grouped pass per provider equals computing each child on
its own, and its query count does not grow with the children."""

import pytest

from cadence.metrics import Lens, compute_all, compute_children
from cadence.nodes import Node
from cadence.views.dashboard import CHILD_PROVIDERS
from core.tree import add_node
from organizations.scope import UserScope

pytestmark = pytest.mark.django_db


def _per_child(lens, children, day):
    return {c.pk: compute_all(lens.narrowed(c), day, only=CHILD_PROVIDERS) for c in children}


@pytest.mark.parametrize("code", ["320100", "320104", "320104002000"])
def test_grouped_children_equal_each_child_computed_alone(data, world, code):
    from django.utils import timezone

    node = Node.parse(code)
    children = [c.territory for c in node.children()]
    assert children
    day = timezone.localdate()
    assert compute_children(node.lens, children, day, only=CHILD_PROVIDERS) == _per_child(node.lens, children, day)


def test_grouped_children_of_an_industry_committee(data, world):
    from django.utils import timezone

    data.fuzimiao_branch.industry_committee = world.kuaidi_committee
    data.fuzimiao_branch.save()
    lens = Lens(UserScope(organization_paths=frozenset({world.kuaidi_committee.path})))
    children = [c.territory for c in Node.of(world.kuaidi_committee).children()]
    day = timezone.localdate()
    assert compute_children(lens, children, day, only=CHILD_PROVIDERS) == _per_child(lens, children, day)


def test_live_dashboard_queries_do_not_grow_with_children(client, data, world, municipal, django_assert_num_queries):
    from organizations.models import Territory

    client.force_login(municipal)
    client.get("/dashboard/?live=1")
    with django_assert_num_queries(57) as first:  # the scope and permissions come from the cache
        assert client.get("/dashboard/?live=1").status_code == 200
    city = Territory.objects.get(code="320100")
    for i in range(3):
        city.refresh_from_db()
        add_node(Territory, city, code=f"3201{90 + i}", name=f"新区{i}", level=Territory.Level.DISTRICT)
    with django_assert_num_queries(len(first)):
        assert client.get("/dashboard/?live=1").status_code == 200
