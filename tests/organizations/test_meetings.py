"""三会一课: cadence compliance with overdue flags, the overdue admin filter, the score ranking."""

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from organizations import selectors as S
from organizations.models import CommitteeMember, Meeting, PartyOrganization
from organizations.services import meeting_record
from tests.organizations.conftest import org

pytestmark = pytest.mark.django_db
K = PartyOrganization.Kind
TODAY = dt.date(2026, 6, 30)


def _meet(o, kind, day, expected=5, attended=5):
    return Meeting.objects.create(
        organization=o, kind=kind, held_on=day, topic="学习", expected_count=expected, attended_count=attended
    )


@pytest.mark.smoke
def test_cadence_compliance_and_overdue(world):
    branch = org(
        world.fuzimiao_org,
        name="支部",
        kind=K.BRANCH,
        territory=world.fuzimiao,
        founded_on=dt.date(2024, 1, 1),
        full_member_count=5,
    )
    _meet(branch, "general_assembly", dt.date(2026, 2, 10))  # due 2026-05-10: overdue
    _meet(branch, "theme_day", dt.date(2026, 6, 15))  # due 2026-07-15: fine
    _meet(branch, "life_meeting", dt.date(2026, 1, 20))
    status = {c.kind: c for c in S.meeting_compliance(branch, today=TODAY)}
    # No committee and no party groups: 支委会 and 党小组会 do not apply.
    assert set(status) == {"general_assembly", "theme_day", "party_lecture", "life_meeting"}
    assert status["general_assembly"].overdue and status["general_assembly"].due_on == dt.date(2026, 5, 10)
    assert not status["theme_day"].overdue
    assert status["party_lecture"].overdue and status["party_lecture"].last_held_on is None
    assert not status["life_meeting"].overdue
    for position in ("secretary", "organization", "publicity"):
        CommitteeMember.objects.create(organization=branch, name="李四", position=position)
    assert "committee_meeting" in {c.kind for c in S.meeting_compliance(branch, today=TODAY)}


def test_new_organization_is_not_overdue_yet(world):
    branch = org(
        world.fuzimiao_org, name="新支部", kind=K.BRANCH, territory=world.fuzimiao, founded_on=dt.date(2026, 6, 20)
    )
    assert not any(c.overdue for c in S.meeting_compliance(branch, today=TODAY))
    overdue = S.with_cadence_figures(PartyOrganization.objects.all()).filter(S.overdue_q(TODAY))
    assert branch not in overdue


def test_overdue_filter_in_admin(client, qinhuai_organizer, world):
    today = timezone.localdate()
    lazy = org(
        world.fuzimiao_org, name="懒支部", kind=K.BRANCH, territory=world.fuzimiao, founded_on=dt.date(2020, 1, 1)
    )
    good = org(
        world.fuzimiao_org, name="好支部", kind=K.BRANCH, territory=world.fuzimiao, founded_on=dt.date(2020, 1, 1)
    )
    for kind in ("general_assembly", "theme_day", "party_lecture", "life_meeting"):
        _meet(good, kind, today)
    _meet(lazy, "theme_day", today)
    client.force_login(qinhuai_organizer)
    content = client.get("/admin/organizations/partyorganization/?meetings=overdue").content.decode()
    assert "懒支部" in content and "好支部" not in content


def test_meeting_validation(world):
    branch = org(world.fuzimiao_org, name="支部", kind=K.BRANCH, territory=world.fuzimiao)
    meeting = Meeting(
        organization=branch,
        kind="theme_day",
        held_on=timezone.localdate() + dt.timedelta(days=3),
        topic="x",
        expected_count=3,
        attended_count=4,
    )
    with pytest.raises(ValidationError) as exc:
        meeting_record(meeting=meeting)
    assert set(exc.value.message_dict) == {"held_on", "attended_count"}


def test_score_ranking_weak_and_advanced(municipal, world):
    today = timezone.localdate()
    orgs = [
        org(
            world.fuzimiao_org,
            name=f"支部{i:02d}",
            kind=K.BRANCH,
            territory=world.fuzimiao,
            founded_on=dt.date(2020, 1, 1),
            full_member_count=5,
        )
        for i in range(10)
    ]
    # 支部00 holds nothing; the others hold more theme days the higher their number.
    for i, o in enumerate(orgs):
        for m in range(i):
            _meet(o, "theme_day", S.add_months(today, -m) - dt.timedelta(days=1), expected=5, attended=4)
    CommitteeMember.objects.create(organization=orgs[9], name="王书记", position="secretary")
    ranking = S.organization_scores(municipal, today=today)
    assert [r.name for r in ranking.weak] == ["支部00"]
    assert [r.name for r in ranking.advanced] == ["支部09", "支部08"]
    top = ranking.advanced[0]
    assert top.has_secretary and top.attendance == 80.0 and top.rules_ok
    # Documented formula: cadence share × 50 + attendance × 20 + rules 15 + secretary 7.
    expected_cadence = 9 / (12 + 4 + 4 + 1)
    assert top.score == round(50 * expected_cadence + 20 * 0.8 + 15 + 7, 1)


def test_scores_page_and_api(client, api_client, qinhuai_organizer, outsider, world):
    org(world.fuzimiao_org, name="某支部", kind=K.BRANCH, territory=world.fuzimiao, full_member_count=5)
    client.force_login(qinhuai_organizer)
    response = client.get("/organizations/scores/")
    assert response.status_code == 200 and "某支部" in response.content.decode()
    api_client.force_authenticate(qinhuai_organizer)
    data = api_client.get("/api/v1/organization-scores/").json()
    assert data["count"] == 1 and data["weak"][0]["name"] == "某支部"
    api_client.force_authenticate(outsider)
    assert api_client.get("/api/v1/organization-scores/").status_code == 403
    client.force_login(outsider)
    assert client.get("/organizations/scores/").status_code == 403


def test_meetings_api_scoped(api_client, qinhuai_organizer, xinjiekou_cadre, world, django_assert_max_num_queries):
    branch = org(world.fuzimiao_org, name="支部", kind=K.BRANCH, territory=world.fuzimiao)
    api_client.force_authenticate(qinhuai_organizer)
    payload = {
        "organization": branch.pk,
        "kind": "theme_day",
        "held_on": "2025-05-01",
        "topic": "学党史",
        "expected_count": 5,
        "attended_count": 6,
    }
    response = api_client.post("/api/v1/meetings/", payload, format="json")
    assert response.status_code == 400 and "实到人数" in str(response.json())
    payload["attended_count"] = 5
    assert api_client.post("/api/v1/meetings/", payload, format="json").status_code == 201
    with django_assert_max_num_queries(6):
        assert len(api_client.get("/api/v1/meetings/").json()["results"]) == 1
    api_client.force_authenticate(xinjiekou_cadre)
    assert api_client.get("/api/v1/meetings/").json()["results"] == []
    assert api_client.post("/api/v1/meetings/", payload, format="json").status_code in (400, 403)


def test_scores_api_rows_are_what_the_serializer_gives(api_client, municipal, world):
    """The API writes the ranking's rows without the serializer's per-field machinery: the same
    output, field for field and type for type."""
    from organizations.serializers import OrganizationScoreSerializer, score_rows

    for i in range(12):
        org(world.fuzimiao_org, name=f"评分支部{i:02}", kind=K.BRANCH, territory=world.fuzimiao, full_member_count=5)
    ranking = S.organization_scores(municipal)
    rows = ranking.weak + ranking.advanced
    assert rows
    expected = [dict(item) for item in OrganizationScoreSerializer(rows, many=True).data]
    assert score_rows(rows) == expected

    def types(items):
        return [[type(v) for v in item.values()] for item in items]

    assert types(score_rows(rows)) == types(expected)
    api_client.force_authenticate(municipal)
    data = api_client.get("/api/v1/organization-scores/").json()
    assert data["weak"] == json.loads(json.dumps(expected[: len(ranking.weak)]))
