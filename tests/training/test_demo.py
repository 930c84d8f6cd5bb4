import pytest

from organizations import demo as organizations_demo
from organizations.models import PartyOrganization
from tests.members.factories import make_member
from training import demo
from training.models import Budget, Enrolment, Session

pytestmark = pytest.mark.django_db


def test_demo_has_the_articles_figures_and_is_idempotent():
    city = organizations_demo.seed_territory()
    organizations_demo.seed_bodies(city)
    organizations_demo.seed_core_organizations(city)
    org = PartyOrganization.objects.order_by("depth").first()
    for index in range(150):
        make_member(
            city, org, name="学员" + "甲乙丙丁戊己庚辛壬癸"[index % 10] + "子丑寅卯辰巳午未申酉戌亥"[index % 12]
        )
    demo.seed()
    counts = (Budget.objects.count(), Session.objects.count(), Enrolment.objects.count())
    demo.seed()
    assert counts == (Budget.objects.count(), Session.objects.count(), Enrolment.objects.count())
    assert Session.objects.count() == 52
    assert Session.objects.filter(course__level="city").count() == 12
    assert Enrolment.objects.count() >= 6300  # 覆盖…超6300人次
    budget = Budget.objects.get()
    spent = sum(s.cost_yuan for s in Session.objects.all())
    assert budget.amount_yuan == 300000 and 250000 < spent <= budget.amount_yuan
