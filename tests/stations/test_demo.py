import pytest

from organizations import demo as organizations_demo
from stations import demo
from stations.models import CareActivity, Inspection, Station, Visit

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_sized_like_nanjing():
    organizations_demo.seed_territory()
    demo.seed()
    counts = (Station.objects.count(), Visit.objects.count(), Inspection.objects.count(), CareActivity.objects.count())
    demo.seed()
    assert counts == (
        Station.objects.count(),
        Visit.objects.count(),
        Inspection.objects.count(),
        CareActivity.objects.count(),
    )
    assert Station.objects.filter(tier="flagship").count() == 12
    assert Station.objects.filter(tier="key").count() == 100
    assert Station.objects.filter(is_24h=True).count() >= 30
    # Every station lies in Nanjing and in GCJ-02, as taken from Amap.
    assert not Station.objects.exclude(coord_system="gcj02").exists()
    assert not Station.objects.exclude(longitude__range=(118.35, 119.25), latitude__range=(31.2, 32.6)).exists()
    flagship = Station.objects.get(code=demo.FLAGSHIP_STATION["code"])
    assert flagship.manager_post.user.username == "yizhan" and flagship.territory.name == "夫子庙街道"
    assert list(Station.objects.visible_to(flagship.manager_post.user)) == [flagship]
