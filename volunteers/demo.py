"""Demo volunteer teams, as in the articles: 25 新就业群体志愿服务队 across the districts, among
them the "宁驿先蜂" 交通宣传队, 食安卫士 and 流动网格员 squads; members from the register,
activities with hours, 五大员 appointments with one-year terms, and the members' 随手拍 reports
tied to their teams (移动探头). Deterministic; a second run finds the teams and adds nothing."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from members.models import Person
from members.models.people import NEW_EMPLOYMENT_OCCUPATIONS
from organizations.demo import demo_streets
from organizations.models import PartyOrganization, Territory
from points.models import PhotoReport
from stations.models import Station
from volunteers import services
from volunteers.models import Appointment, Team, TeamMember

TEAM_COUNT = 25
TRAFFIC_TEAM = "“宁驿先蜂”交通宣传队"
FIVE_ROLES = ["文明创建宣传员", "党建督导员", "市场监管员", "公安联络员", "消防辅导员"]
# District code → how many of the 25 teams it hosts (Qinhuai, the densest, the most).
SHARE = {
    "320104": 5,
    "320102": 2,
    "320105": 2,
    "320106": 2,
    "320111": 4,  # with the 江北新区 streets
    "320113": 2,
    "320114": 2,
    "320115": 3,
    "320116": 1,
    "320117": 1,
    "320118": 1,
}
ACTIVITIES = [
    "交通安全宣传",
    "文明城市创建劝导",
    "社区助老送餐",
    "夏送清凉进驿站",
    "食品安全随手查",
    "防汛巡查",
    "垃圾分类宣传",
]
KIND_NAMES = {
    Team.Kind.SERVICE: "新就业群体志愿服务队",
    Team.Kind.FOOD_SAFETY: "食安卫士队",
    Team.Kind.GRID: "流动网格员队",
}


def _plan() -> list[tuple[str, str]]:
    """(district code, kind) for the 25 teams: the traffic team first, then 3 food-safety and
    3 grid squads, the rest service teams."""
    slots = [code for code, n in SHARE.items() for _ in range(n)]
    kinds = [Team.Kind.TRAFFIC] + [Team.Kind.FOOD_SAFETY] * 3 + [Team.Kind.GRID] * 3
    kinds += [Team.Kind.SERVICE] * (TEAM_COUNT - len(kinds))
    return list(zip(slots, kinds, strict=True))


def _team(rng, district: Territory, kind: str, index: int, founded: date) -> Team | None:
    streets = [s for s in demo_streets() if s.path.startswith(district.path)]
    street = streets[index % len(streets)] if streets else district
    station = Station.objects.filter(territory__path__startswith=street.path).order_by("id").first()
    if kind == Team.Kind.TRAFFIC:
        street = Territory.objects.filter(name="夫子庙街道", path__startswith=district.path).first() or street
        station = Station.objects.filter(territory=street).order_by("id").first()
        name = TRAFFIC_TEAM
    else:
        name = f"{street.name}{KIND_NAMES[kind]}"
    if Team.objects.filter(name=name).exists():
        name = f"{district.name}{street.name}{KIND_NAMES[kind]}{index + 1}"
    organization = PartyOrganization.objects.filter(territory=street).order_by("depth", "id").first()
    return services.team_save(
        team=Team(
            name=name,
            kind=kind,
            territory=street,
            station=station,
            organization=organization,
            founded_on=founded,
            description="以党员骑手、快递小哥为骨干，参与城市治理，当好“移动探头”。",
        )
    )


def _populate(rng: random.Random, team: Team, district: Territory, today: date, founded: date) -> None:
    pool = list(
        Person.objects.filter(territory__path__startswith=district.path)
        .filter(occupation__in=NEW_EMPLOYMENT_OCCUPATIONS)
        .order_by("id")
        .values_list("id", flat=True)[:600]
    )
    if not pool:
        return
    # Riders who already file 随手拍 reports are the teams' natural recruits (移动探头), so a
    # few of them join first; their reports then count for the team.
    reporters = sorted(
        set(
            PhotoReport.objects.filter(person__territory__path__startswith=district.path)
            .exclude(person__volunteer_memberships__isnull=False)
            .values_list("person_id", flat=True)
        )
    )
    size = min(len(pool), rng.randint(12, 30))
    chosen = rng.sample(reporters, min(len(reporters), 4))
    chosen += rng.sample([pk for pk in pool if pk not in set(chosen)], max(size - len(chosen), 0))
    people = {p.pk: p for p in Person.objects.filter(pk__in=chosen)}
    members = []
    for position, pk in enumerate(chosen):
        role = (
            TeamMember.Role.LEADER
            if position == 0
            else (TeamMember.Role.DEPUTY if position == 1 else TeamMember.Role.MEMBER)
        )
        members.append(services.member_add(team=team, person=people[pk], role=role, joined_on=founded))
    team.leader = people[chosen[0]]
    services.team_save(team=team)
    for _ in range(rng.randint(4, 8)):
        held = today - timedelta(days=rng.randint(3, 300))
        joined = [m.person for m in members if rng.random() < 0.5] or [members[0].person]
        services.activity_record(
            team=team,
            title=rng.choice(ACTIVITIES),
            held_on=held,
            place=team.station.name if team.station else team.territory.name,
            participants=[(p, Decimal(rng.choice(["1.5", "2.0", "3.0", "4.0"]))) for p in joined],
        )
    for position, member in enumerate(members[:5]):
        if rng.random() < 0.6:
            starts = date(today.year, 3, 1) if today >= date(today.year, 3, 1) else date(today.year - 1, 3, 1)
            appointment = Appointment(
                person=member.person,
                title=FIVE_ROLES[position],
                team=team,
                territory=team.territory,
                issued_by=f"{team.territory.name}党工委",
                certificate_no=f"WDY-{team.pk:03d}-{position + 1:02d}",
                starts_on=starts,
                ends_on=starts.replace(year=starts.year + 1) - timedelta(days=1),
            )
            try:
                services.appointment_save(appointment=appointment)
            except services.VolunteerError:
                continue  # a rider in two teams already holds this title for the term


def seed(stdout=None) -> None:
    if not Territory.objects.filter(code="320104").exists() or Team.objects.exists():
        if stdout is not None and Team.objects.exists():
            stdout.write(f"志愿服务队：已有 {Team.objects.count()} 支，未新增\n")
        return
    rng = random.Random(20251130)
    today = timezone.localdate()
    founded = today - timedelta(days=400)
    for index, (code, kind) in enumerate(_plan()):
        district = Territory.objects.get(code=code)
        team = _team(rng, district, kind, index, founded)
        _populate(rng, team, district, today, founded)
    tied = 0
    reporters = TeamMember.objects.values("person_id")
    for report in PhotoReport.objects.filter(person_id__in=reporters).order_by("id").iterator():
        tied += services.probe_report_tie(report=report) is not None
    if stdout is not None:
        by_kind = dict(Team.objects.values_list("kind").annotate(n=Count("id")).order_by())
        stdout.write(
            f"志愿服务队：{Team.objects.count()} 支（交通宣传队 {by_kind.get('traffic', 0)}），"
            f"队员 {TeamMember.objects.count()} 人，移动探头上报 {tied} 条\n"
        )
