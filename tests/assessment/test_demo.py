import pytest

from assessment import demo, selectors
from assessment.models import ReviewCycle, SecretaryReview, VanguardIndex
from organizations import demo as organizations_demo
from organizations.models import CommitteeMember, PartyOrganization, Territory
from tests.members.factories import make_member

pytestmark = pytest.mark.django_db


def test_demo_cycles_and_index(django_user_model):
    city = organizations_demo.seed_territory()
    organizations_demo.seed_bodies(city)
    organizations_demo.seed_core_organizations(city)
    qinhuai = Territory.objects.get(code="320104")
    orgs = list(PartyOrganization.objects.filter(territory__path__startswith=qinhuai.path)[:3])
    for index, org in enumerate(orgs):
        CommitteeMember.objects.create(organization=org, name="书记" + "甲乙丙"[index], position="secretary")
        for n in range(4):
            make_member(org.territory, org, name="党员" + "甲乙丙"[index] + "子丑寅卯"[n])
    demo.seed()
    counts = (ReviewCycle.objects.count(), SecretaryReview.objects.count(), VanguardIndex.objects.count())
    demo.seed()
    assert counts == (ReviewCycle.objects.count(), SecretaryReview.objects.count(), VanguardIndex.objects.count())
    assert counts[1] == 3 and ReviewCycle.objects.filter(territory=qinhuai).exists()
    index = VanguardIndex.objects.get()
    assert sum(i.weight for i in index.indicators.all()) == 100
    result = selectors.ranking(index, django_user_model.objects.create_superuser("root", "", "x"))
    assert result.ranked and len(result.members) == 12  # 12 members ≥ the minimum sample of 10
