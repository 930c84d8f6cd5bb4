import pytest

from friendly import demo
from friendly.models import FriendlyCommunity, MerchantClaim
from organizations import demo as organizations_demo
from stations import demo as stations_demo
from stations.models import ServicePoint

pytestmark = pytest.mark.django_db


def test_demo_makes_the_500_points_and_is_idempotent():
    organizations_demo.seed()
    stations_demo.seed()
    demo.seed()
    counts = (ServicePoint.objects.count(), FriendlyCommunity.objects.count(), MerchantClaim.objects.count())
    demo.seed()
    stations_demo.seed()
    assert counts == (ServicePoint.objects.count(), FriendlyCommunity.objects.count(), MerchantClaim.objects.count())
    assert counts[0] == 500
    assert FriendlyCommunity.objects.filter(status="published").count() == 18
    assert ServicePoint.objects.filter(kind="entrance").count() == 40
    assert MerchantClaim.objects.filter(status="approved", point__isnull=False).count() == 20
    assert not ServicePoint.objects.filter(lat_wgs84__isnull=True).exists()
