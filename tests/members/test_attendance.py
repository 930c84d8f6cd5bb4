"""三会一课出席 per person: recorded through the service (the meeting's counts follow the
roll), on a staff page scoped like the meeting, shown on the meeting and on the person, and
counted by a 先锋指数 indicator that reads attendance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assessment import selectors as assessment_selectors
from assessment import services as assessment_services
from assessment.models import Indicator, VanguardIndex
from members.attendance import meeting_attendance_record
from members.models import MeetingAttendance
from organizations.models import Meeting
from tests.members.factories import make_member


@pytest.fixture
def meeting(world):
    return Meeting.objects.create(
        organization=world.fuzimiao_org, kind="theme_day", held_on=date(2026, 4, 1), topic="主题党日"
    )


@pytest.fixture
def roll(world):
    return [make_member(world.chaokujie, world.fuzimiao_org, name=n).person for n in ("甲", "乙", "丙")]


def test_record_sets_the_counts_and_refuses_strangers(world, meeting, roll, fuzimiao_cadre, xinjiekou_cadre):
    stranger = make_member(world.huaqiaolu, world.xinjiekou_org, name="外人").person
    with pytest.raises(ValidationError, match="外人不是"):
        meeting_attendance_record(meeting=meeting, attended=[roll[0].pk, stranger.pk], actor=fuzimiao_cadre)
    with pytest.raises(PermissionDenied):
        meeting_attendance_record(meeting=meeting, attended=[roll[0].pk], actor=xinjiekou_cadre)
    assert not MeetingAttendance.objects.exists()
    meeting = meeting_attendance_record(
        meeting=meeting, attended=[roll[0].pk, roll[1].pk], excused=[roll[2].pk], actor=fuzimiao_cadre
    )
    assert (meeting.expected_count, meeting.attended_count, meeting.recorded_by) == (3, 2, fuzimiao_cadre)
    # Recording again replaces the roll.
    meeting = meeting_attendance_record(meeting=meeting, attended=[roll[2].pk], actor=fuzimiao_cadre)
    statuses = dict(MeetingAttendance.objects.values_list("person__name", "status"))
    assert statuses == {"甲": "absent", "乙": "absent", "丙": "attended"}
    assert (Meeting.objects.get(pk=meeting.pk).expected_count, meeting.attended_count) == (3, 1)


def test_page_meeting_and_person(client, world, meeting, roll, fuzimiao_cadre, xinjiekou_cadre):
    url = reverse("members:meeting-attendance", args=[meeting.pk])
    client.force_login(xinjiekou_cadre)
    assert client.get(url).status_code == 404
    client.force_login(fuzimiao_cadre)
    page = client.get(url).content.decode()
    assert "尚未按人登记" in page and all(p.name in page for p in roll)
    response = client.post(url, {f"p{roll[0].pk}": "attended", f"p{roll[1].pk}": "excused"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.expected_count, meeting.attended_count) == (3, 1)
    # On the meeting's admin page: the roll, the link, and counts no longer typed.
    page = client.get(reverse("admin:organizations_meeting_change", args=[meeting.pk])).content.decode()
    assert "出席情况（按人登记）" in page and url in page and 'name="attended_count"' not in page
    # On the person's page: the meeting they attended.
    page = client.get(reverse("admin:members_person_change", args=[roll[0].pk])).content.decode()
    assert "三会一课出席记录" in page and "主题党日" in page


def test_attendance_indicator_counts_meetings_attended(world, meeting, roll, municipal, fuzimiao_cadre):
    index = assessment_services.index_save(
        index=VanguardIndex(name="出席指数", year=2026, territory=world.qinhuai, min_sample=1)
    )
    assessment_services.indicator_save(
        indicator=Indicator(
            index=index, name="三会一课出席", source="attendance", weight=Decimal("100"), full_marks=Decimal("2")
        )
    )
    meeting_attendance_record(meeting=meeting, attended=[roll[0].pk], actor=fuzimiao_cadre)
    result = assessment_selectors.ranking(index, municipal)
    totals = {m.name: m.total for m in result.members}
    assert totals == {"甲": Decimal("50.0"), "乙": Decimal("0.0"), "丙": Decimal("0.0")}
