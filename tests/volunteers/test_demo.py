import pytest

from members.models import Occupation, Person
from organizations import demo as organizations_demo
from organizations.models import Territory
from volunteers import demo
from volunteers.models import Activity, Appointment, Team, TeamMember

pytestmark = pytest.mark.django_db


def test_demo_has_25_teams_and_is_idempotent():
    organizations_demo.seed_territory()
    qinhuai = Territory.objects.get(code="320104")
    for index in range(40):
        name = "骑手" + "甲乙丙丁戊己庚辛壬癸"[index % 10] + "子丑寅卯"[index // 10]
        Person.objects.create(name=name, phone=f"1390000{index:04d}", territory=qinhuai, occupation=Occupation.RIDER)
    demo.seed()
    counts = (Team.objects.count(), TeamMember.objects.count(), Activity.objects.count(), Appointment.objects.count())
    demo.seed()
    assert counts == (
        Team.objects.count(),
        TeamMember.objects.count(),
        Activity.objects.count(),
        Appointment.objects.count(),
    )
    assert counts[0] == 25  # 全市组建25支新就业群体志愿服务队
    traffic = Team.objects.get(kind=Team.Kind.TRAFFIC)
    assert traffic.name == demo.TRAFFIC_TEAM and traffic.territory.name == "夫子庙街道"
    qinhuai_teams = Team.objects.filter(territory__path__startswith=qinhuai.path)
    assert qinhuai_teams.count() == 5
    assert all(t.leader_id for t in qinhuai_teams) and counts[2] > 0
    assert set(Appointment.objects.values_list("title", flat=True)) <= set(demo.FIVE_ROLES)
