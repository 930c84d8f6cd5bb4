import pytest

from cobuild import demo
from cobuild.models import Agreement, Alliance, Claim, Need, Project, Resource
from organizations import demo as organizations_demo

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_tells_the_yinchun_story():
    city = organizations_demo.seed_territory()
    organizations_demo.seed_bodies(city)
    organizations_demo.seed_core_organizations(city)
    demo.seed()
    counts = [m.objects.count() for m in (Alliance, Need, Resource, Claim, Project, Agreement)]
    demo.seed()
    assert counts == [m.objects.count() for m in (Alliance, Need, Resource, Claim, Project, Agreement)]
    assert counts[0] == len(demo.ALLIANCES)
    # Every state shows: open needs to match, met ones, projects under way and done.
    assert set(Need.objects.values_list("status", flat=True)) >= {"open", "claimed", "met"}
    assert {"done", "in_progress"} <= set(Project.objects.values_list("status", flat=True))
    yinchun = Agreement.objects.get(title__startswith="寅春路", renews__isnull=True)
    partners = yinchun.parties.exclude(member__name=demo.YINCHUN_CENTRE)
    assert partners.count() == 6  # 交通执法、公安、街道、行业协会…6家党组织
    assert yinchun.renewal.parties.count() == 7
    assert Alliance.objects.get(name=demo.YINCHUN).territory.name == "红花街道"
