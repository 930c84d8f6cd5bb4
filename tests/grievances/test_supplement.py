"""The submitter answers "请补充": an open case takes the submitter's additions from the status
page, into the public timeline, and the post handling it is told; a closed case refers to a new
case; a few additions a day per case."""

from __future__ import annotations

import pytest
from django.urls import reverse

from grievances.models import GrievanceEvent, Notice
from grievances.services import grievance_reply, grievance_resolve

pytestmark = pytest.mark.django_db


@pytest.fixture
def followed(client, submit):
    """A case routed to 夫子庙's post, and a browser that looked it up (ticket + phone tail)."""
    grievance = submit(contact_phone="13812345678")
    client.post(reverse("grievances:lookup"), {"ticket": grievance.ticket, "phone_tail": "5678"})
    return grievance


def test_the_submitter_answers_the_handlers_question(client, followed, fuzimiao_cadre):
    grievance = followed
    grievance_reply(grievance=grievance, actor=fuzimiao_cadre, text="请补充具体是哪个小区、哪个门")
    url = reverse("grievances:status", args=[grievance.ticket])
    page = client.get(url).content.decode()
    assert 'id="supplement-form"' in page and "请补充具体是哪个小区" in page
    typed = "钞库街 12 号小区\r\n东门（靠河那侧）"
    answer = client.post(url, {"action": "supplement", "supplement-text": typed})
    assert answer.status_code == 200 and "补充内容已送达承办人员" in answer.content.decode()
    event = GrievanceEvent.objects.get(grievance=grievance, kind=GrievanceEvent.Kind.SUPPLEMENT)
    assert event.note == "钞库街 12 号小区\n东门（靠河那侧）" and event.is_public and event.actor_label == "提交人"
    assert "提交人补充" in answer.content.decode()
    grievance.refresh_from_db()
    assert Notice.objects.filter(recipient=grievance.assignee.user, key=f"supplement:{event.pk}").exists()
    # The handler's page shows it in the timeline.
    client.force_login(fuzimiao_cadre)
    staff = client.get(reverse("grievances:detail", args=[grievance.ticket])).content.decode()
    assert "提交人补充" in staff and "东门（靠河那侧）" in staff


def test_an_empty_or_closed_case_supplement_says_why(client, followed, fuzimiao_cadre):
    grievance = followed
    url = reverse("grievances:status", args=[grievance.ticket])
    empty = client.post(url, {"action": "supplement", "supplement-text": "  "})
    assert "请填写补充内容" in empty.content.decode()
    grievance_resolve(grievance=grievance, actor=fuzimiao_cadre, resolution="已协调物业")
    page = client.get(url).content.decode()
    assert 'id="supplement-form"' not in page
    late = client.post(url, {"action": "supplement", "supplement-text": "还有一件事"})
    assert late.status_code == 200 and "不能再补充；如问题仍未解决，请申请重新办理" in late.content.decode()
    assert not GrievanceEvent.objects.filter(kind=GrievanceEvent.Kind.SUPPLEMENT).exists()


def test_a_few_supplements_a_day(client, followed, settings):
    settings.GRIEVANCES = {"RATE_LIMITS": {"supplement_ticket": (2, 86400)}}
    url = reverse("grievances:status", args=[followed.ticket])
    for n in range(3):
        page = client.post(url, {"action": "supplement", "supplement-text": f"第{n + 1}次补充"}).content.decode()
    assert "该诉求今日补充次数已达上限（2 次）" in page
    assert GrievanceEvent.objects.filter(kind=GrievanceEvent.Kind.SUPPLEMENT).count() == 2


def test_another_browser_cannot_supplement(client, followed):
    from django.test import Client

    url = reverse("grievances:status", args=[followed.ticket])
    assert Client().post(url, {"action": "supplement", "supplement-text": "冒充"}).status_code == 302
    assert not GrievanceEvent.objects.filter(kind=GrievanceEvent.Kind.SUPPLEMENT).exists()
