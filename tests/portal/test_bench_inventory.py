"""The dashboard bench reads today's inventory only when it is there: a run after midnight, before
the nightly job, would otherwise time the live path under the inventory's name."""

import pytest
from django.utils import timezone

from cadence.models import DailySnapshot
from cadence.nodes import Node
from devtools.bench.cases import _todays_inventory

pytestmark = pytest.mark.django_db


def test_a_missing_inventory_is_run_before_the_dashboards_are_timed(world):
    today = timezone.localdate()
    nodes = (world.city, world.qinhuai, world.fuzimiao)
    keys = [Node.of(territory).key for territory in nodes]
    assert not DailySnapshot.objects.filter(date=today, node_key__in=keys).exists()

    assert _todays_inventory(today, nodes) is True
    stored = DailySnapshot.objects.filter(kind=DailySnapshot.Kind.DAILY, date=today, node_key__in=keys)
    assert stored.count() == 3
    assert _todays_inventory(today, nodes) is False  # present: nothing is run again
