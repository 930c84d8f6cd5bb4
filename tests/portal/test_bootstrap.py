"""First install: `manage.py bootstrap` builds the structure and the first officer, no demo
people; `seed_demo` refuses to run in production."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from members.models import Person
from organizations.models import Body, PartyOrganization, StaffPost, Territory
from organizations.roles import Role

pytestmark = pytest.mark.django_db

STRONG = "Dangjian#First-2026"


def _bootstrap(tmp_path, password=STRONG, **opts):
    secret = tmp_path / "password"
    secret.write_text(password + "\n", encoding="utf-8")
    call_command("bootstrap", officer="wangzhuren", name="王主任", password_file=secret, **opts)


def _counts():
    return (
        Territory.objects.count(),
        Body.objects.count(),
        PartyOrganization.objects.count(),
        get_user_model().objects.count(),
        StaffPost.objects.count(),
    )


def test_bootstrap_loads_structure_and_one_officer_without_demo_people(tmp_path, client):
    _bootstrap(tmp_path)
    city = Territory.objects.get(code="320100")
    assert city.level == Territory.Level.CITY
    # The official tree (统计用区划代码 2023): 11 districts, 140 street-level nodes, 1,322 社区/村.
    L = Territory.Level
    counts = {level: Territory.objects.filter(level=level).count() for level in L.values}
    assert counts == {L.CITY: 1, L.DISTRICT: 11, L.STREET: 140, L.COMMUNITY: 1322, L.GRID: 0}
    assert Territory.objects.get(code="320104002000").name == "夫子庙街道"
    assert Body.objects.filter(code="SJ-LXGW", kind=Body.Kind.MUNICIPAL_COMMITTEE).exists()
    assert Body.objects.filter(kind=Body.Kind.DISTRICT_COMMITTEE).count() == 11
    assert PartyOrganization.objects.filter(code="JD-320104002000", territory__name="夫子庙街道").exists()
    assert PartyOrganization.objects.filter(code="HY-KD", kind=PartyOrganization.Kind.INDUSTRY_COMMITTEE).exists()
    assert Person.objects.count() == 0
    # No demo people: one account, the officer; no admin/Demo@2025, no demo officers.
    User = get_user_model()
    assert list(User.objects.values_list("username", flat=True)) == ["wangzhuren"]
    post = StaffPost.objects.get(user__username="wangzhuren")
    assert post.role == Role.MUNICIPAL and post.territory == city
    assert client.login(username="wangzhuren", password=STRONG)
    assert client.get("/").status_code == 200


def test_bootstrap_is_idempotent_and_keeps_the_password(tmp_path, client):
    _bootstrap(tmp_path)
    before = _counts()
    call_command("bootstrap", officer="wangzhuren")  # no password: the existing one stays
    assert _counts() == before
    assert client.login(username="wangzhuren", password=STRONG)


def test_bootstrap_refuses_a_weak_password_and_writes_no_officer(tmp_path):
    with pytest.raises(CommandError, match="密码不符合要求"):
        _bootstrap(tmp_path, password="12345678")
    assert not get_user_model().objects.filter(username="wangzhuren").exists()


def test_bootstrap_superuser_flag(tmp_path):
    _bootstrap(tmp_path, superuser=True)
    assert get_user_model().objects.get(username="wangzhuren").is_superuser


def test_seed_demo_refuses_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match=r"生产环境.*不能载入示例数据"):
        call_command("seed_demo")
    assert not get_user_model().objects.filter(username="admin").exists()
