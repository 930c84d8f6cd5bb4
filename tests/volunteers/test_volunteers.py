"""Volunteer teams: membership, activities and hours, appointments, 移动探头 tie, scope, API, pages."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from members.models import Person
from points.services import photo_report_submit
from points.services.home import home_stations_set
from stations.models import Station
from volunteers import selectors, services
from volunteers.models import Appointment, ProbeReport, Team

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def station(world):
    return Station.objects.create(
        code="QH-FZM-001", name="夫子庙宁小蜂驿站", host_type=Station.HostType.SHOP, territory=world.chaokujie
    )


@pytest.fixture
def riders(world, station):
    people = [
        Person.objects.create(name=name, phone=f"1380000000{i}", territory=world.chaokujie)
        for i, name in enumerate(["张骑手", "王骑手", "陈骑手"])
    ]
    home_stations_set((person.pk, station.pk) for person in people)
    return people


@pytest.fixture
def team(world, station, riders, fuzimiao_cadre):
    team = services.team_save(
        team=Team(
            name="“宁驿先蜂”交通宣传队",
            kind=Team.Kind.TRAFFIC,
            territory=world.fuzimiao,
            station=station,
            organization=world.fuzimiao_org,
            leader=riders[0],
            founded_on=date(2025, 1, 1),
        ),
        actor=fuzimiao_cadre,
    )
    services.member_add(team=team, person=riders[1], joined_on=date(2025, 2, 1), actor=fuzimiao_cadre)
    return team


@pytest.fixture
def xuanwu_team(world):
    return services.team_save(team=Team(name="新街口志愿服务队", territory=world.xinjiekou))


def test_leader_joins_and_duplicates_are_refused(team, riders, fuzimiao_cadre, xinjiekou_cadre):
    assert sorted(team.members.values_list("role", flat=True)) == ["leader", "member"]
    with pytest.raises(services.VolunteerError, match="已在"):
        services.member_add(team=team, person=riders[1], actor=fuzimiao_cadre)
    with pytest.raises(services.VolunteerError, match="不在您的管辖范围内"):
        services.member_add(team=team, person=riders[2], actor=xinjiekou_cadre)
    member = team.members.get(person=riders[1])
    services.member_leave(member=member, on=date(2025, 6, 1))
    services.member_add(team=team, person=riders[1], joined_on=date(2025, 9, 1))  # may rejoin later


def test_activity_hours_only_for_members_on_the_day(team, riders, municipal):
    with pytest.raises(services.VolunteerError, match="王骑手 当日不是本队队员"):
        services.activity_record(
            team=team, title="交通安全宣传", held_on=date(2025, 1, 15), place="夫子庙", participants=[(riders[1], 2)]
        )
    with pytest.raises(services.VolunteerError, match="服务时长"):
        services.activity_record(
            team=team, title="交通安全宣传", held_on=date(2025, 3, 1), place="夫子庙", participants=[(riders[0], 25)]
        )
    services.activity_record(
        team=team,
        title="交通安全宣传",
        held_on=date(2025, 3, 1),
        place="夫子庙",
        participants=[(riders[0], Decimal("2")), (riders[1], Decimal("1.5"))],
    )
    (row,) = selectors.team_rows(municipal)
    assert (row.member_count, row.activity_count, row.hours) == (2, 1, Decimal("3.5"))


def test_appointment_terms_do_not_overlap(world, team, riders):
    def appoint(starts, ends):
        return services.appointment_save(
            appointment=Appointment(
                person=riders[0],
                title="文明创建宣传员",
                team=team,
                territory=world.fuzimiao,
                issued_by="夫子庙街道党工委",
                starts_on=starts,
                ends_on=ends,
            )
        )

    appoint(date(2025, 3, 1), date(2026, 2, 28))
    with pytest.raises(services.VolunteerError, match="已受聘"):
        appoint(date(2025, 6, 1), date(2026, 5, 31))
    with pytest.raises(services.VolunteerError, match="聘期结束"):
        appoint(date(2027, 3, 1), date(2027, 1, 1))
    appoint(date(2026, 3, 1), date(2027, 2, 28))  # the renewal after the term


def _jpeg() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), (10, 120, 30)).save(out, format="JPEG")
    return SimpleUploadedFile("p.jpg", out.getvalue(), content_type="image/jpeg")


def test_photo_reports_of_members_count_for_the_team(team, station, riders, fuzimiao_cadre, xinjiekou_cadre):
    filed = photo_report_submit(
        station=station, phone=riders[1].phone, kind="hazard", text="路口井盖缺失很危险", photo=_jpeg()
    )
    stranger = photo_report_submit(
        station=station, phone=riders[2].phone, kind="hazard", text="路灯坏了没人修", photo=_jpeg()
    )
    assert ProbeReport.objects.get(report=filed).team == team
    assert not ProbeReport.objects.filter(report=stranger).exists()
    assert services.probe_report_tie(report=filed).team == team  # idempotent
    assert selectors.totals(fuzimiao_cadre)["reports"] == 1
    assert selectors.totals(xinjiekou_cadre)["reports"] == 0


@pytest.mark.parametrize("name", ["teams", "members", "activities", "appointments"])
def test_outsider_refused(api_client, outsider, team, name):
    api_client.force_authenticate(outsider)
    assert api_client.get(f"/api/v1/volunteers/{name}/").status_code == 403


def test_api_scoped_with_figures_and_writes(api_client, fuzimiao_cadre, xinjiekou_cadre, team, xuanwu_team, riders):
    api_client.force_authenticate(xinjiekou_cadre)
    assert [t["name"] for t in api_client.get("/api/v1/volunteers/teams/").json()["results"]] == ["新街口志愿服务队"]
    assert api_client.get(f"/api/v1/volunteers/teams/{team.pk}/").status_code == 404
    assert api_client.post(f"/api/v1/volunteers/teams/{team.pk}/join/", {"person": riders[2].pk}).status_code == 404
    api_client.force_authenticate(fuzimiao_cadre)
    joined = api_client.post(f"/api/v1/volunteers/teams/{team.pk}/join/", {"person": riders[2].pk})
    assert joined.status_code == 201, joined.content
    held = timezone.localdate().isoformat()  # the member joined today
    activity = api_client.post(
        f"/api/v1/volunteers/teams/{team.pk}/activities/",
        {
            "title": "夏送清凉",
            "held_on": held,
            "place": "驿站",
            "participants": [{"person": riders[2].pk, "hours": "3"}],
        },
        format="json",
    )
    assert activity.status_code == 201, activity.content
    (row,) = api_client.get("/api/v1/volunteers/teams/").json()["results"]
    assert (row["member_count"], row["activity_count"], row["hours"]) == (3, 1, "3.0")
    schema = api_client.get("/api/schema/?format=json").json()["paths"]
    assert "/api/v1/volunteers/teams/" in schema


def test_pages(client, fuzimiao_cadre, xinjiekou_cadre, team, riders):
    client.force_login(xinjiekou_cadre)
    assert client.get(f"/volunteers/teams/{team.pk}/").status_code == 404
    assert "宁驿先蜂" not in client.get("/volunteers/").content.decode()
    client.force_login(fuzimiao_cadre)
    assert "宁驿先蜂" in client.get("/volunteers/").content.decode()
    assert "陈骑手" in client.get(f"/volunteers/teams/{team.pk}/?q=陈").content.decode()
    client.post(f"/volunteers/teams/{team.pk}/join/", {"person": riders[2].pk, "role": "member"})
    held = timezone.localdate().isoformat()  # the member joined today
    client.post(
        f"/volunteers/teams/{team.pk}/activity/",
        {"title": "防汛巡查", "held_on": held, "place": "秦淮河", "hours": "2", "person": [riders[0].pk, riders[2].pk]},
    )
    page = client.get(f"/volunteers/teams/{team.pk}/").content.decode()
    assert "防汛巡查" in page and "陈骑手（2.0）" in page


def test_team_picker_finds_a_phone_typed_with_spaces_or_full_width(client, fuzimiao_cadre, team, riders):
    """The join picker searches phones by the one rule (members.selectors.phone_search_q)."""
    client.force_login(fuzimiao_cadre)
    wide = "".join(chr(ord(c) + 0xFEE0) for c in riders[2].phone)
    for typed in ("138 0000 0002", wide):
        assert "陈骑手" in client.get(f"/volunteers/teams/{team.pk}/", {"q": typed}).content.decode()
    assert "陈骑手" not in client.get(f"/volunteers/teams/{team.pk}/", {"q": "1380000000"}).content.decode()
