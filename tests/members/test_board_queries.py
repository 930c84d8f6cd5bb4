"""党员工作台 asks the same number of queries for one member in arrears as for many."""

from datetime import date

import pytest
from django.urls import reverse

from members.models import DuesPayment
from tests.members.factories import make_member

pytestmark = pytest.mark.django_db


NAMES = "甲乙丙丁戊己庚辛"


def _arrears(world, start: int, count: int):
    for i in range(start, start + count):
        member = make_member(world.fuzimiao, world.fuzimiao_org, name=f"欠缴{NAMES[i]}", birth=date(1980, 1, 1 + i))
        DuesPayment.objects.create(membership=member, period=date(2024, 1 + i, 1), amount=10, paid_on=date(2024, 2, 1))


def test_board_queries_do_not_grow_with_arrears(client, world, qinhuai_organizer, password, django_assert_num_queries):
    assert client.login(username=qinhuai_organizer.username, password=password)
    _arrears(world, 0, 1)
    client.get(reverse("members:board"))  # warm: sessions, content types, rule tables
    with django_assert_num_queries(9) as first:  # the scope and permissions come from the cache
        response = client.get(reverse("members:board"))
    assert response.status_code == 200 and "欠缴甲" in response.content.decode()
    _arrears(world, 1, 5)
    with django_assert_num_queries(len(first)):
        response = client.get(reverse("members:board"))
    assert "欠缴己" in response.content.decode()
