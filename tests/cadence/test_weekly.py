from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cadence.models import Notification, WeeklyReport, WeeklyReportReminder
from cadence.services import weekly as svc
from organizations.models import Territory

pytestmark = pytest.mark.django_db
WEEK = (2026, 47)  # 16–22 November 2026; due Friday 20 November 17:00
TEXT = {"work_done": "走访站点 3 个", "problems": "", "help_needed": "", "next_week_plan": "组建联合党支部"}


def open_report(street, week=WEEK):
    return svc.weekly_report_open(street=street, iso_year=week[0], iso_week=week[1])


def test_due_and_prefill_from_data(data, world):
    report = open_report(world.fuzimiao)
    assert timezone.localtime(report.due_at).replace(tzinfo=None) == datetime(2026, 11, 20, 17, 0)
    assert report.status == WeeklyReport.Status.DRAFT
    assert report.figures["organizations"]["units"] == 3
    assert open_report(world.fuzimiao).pk == report.pk  # one per street per ISO week
    with pytest.raises(ValidationError, match="不是街道"):
        open_report(world.qinhuai)


@pytest.mark.smoke
def test_submit_review_return_resubmit(data, world, fuzimiao_cadre, qinhuai_organizer):
    report = open_report(world.fuzimiao)
    with pytest.raises(ValidationError) as exc:
        svc.weekly_report_submit(report=report, actor=fuzimiao_cadre, data={"work_done": "x"})
    assert "next_week_plan" in exc.value.message_dict
    report = svc.weekly_report_submit(report=report, actor=fuzimiao_cadre, data=TEXT)
    assert report.status == WeeklyReport.Status.SUBMITTED and report.submitted_by == fuzimiao_cadre
    with pytest.raises(ValidationError, match="不能修改"):
        svc.weekly_report_save(report=report, actor=fuzimiao_cadre, data=TEXT)
    with pytest.raises(ValidationError):
        svc.weekly_report_review(report=report, actor=qinhuai_organizer, approve=False, comment=" ")
    report = svc.weekly_report_review(report=report, actor=qinhuai_organizer, approve=False, comment="请补充数据来源")
    assert report.status == WeeklyReport.Status.RETURNED
    assert Notification.objects.filter(recipient=fuzimiao_cadre, title__contains="退回").exists()
    report = svc.weekly_report_submit(report=report, actor=fuzimiao_cadre, data=TEXT)
    report = svc.weekly_report_review(report=report, actor=qinhuai_organizer, approve=True)
    assert report.status == WeeklyReport.Status.REVIEWED
    assert [e.action for e in report.events.all()] == ["created", "submitted", "returned", "submitted", "reviewed"]


def test_reminders_only_to_late_streets(data, world, fuzimiao_cadre, xinjiekou_cadre):
    filed = open_report(world.fuzimiao)
    svc.weekly_report_submit(report=filed, actor=fuzimiao_cadre, data=TEXT)
    open_report(world.xinjiekou)
    now = timezone.make_aware(datetime(2026, 11, 23, 9, 0))
    sent = svc.weekly_reminders_send(now=now)
    late_streets = set(WeeklyReportReminder.objects.values_list("report__street__name", flat=True))
    # 新街口 and 中华门 (no report at all, so one is opened for it) are late; 夫子庙 filed. 中华门
    # has no cadre account: nobody to remind, so it is not counted as reminded (it stays late).
    assert late_streets == {"新街口街道"}
    assert WeeklyReport.objects.filter(street=world.zhonghuamen, due_at__lt=now).exists()
    assert sent == 1
    assert Notification.objects.filter(recipient=xinjiekou_cadre).count() == 1
    assert not Notification.objects.filter(recipient=fuzimiao_cadre).exists()
    # The same day again sends nothing; the next day reminds again.
    assert svc.weekly_reminders_send(now=now) == 0
    assert Notification.objects.filter(recipient=xinjiekou_cadre).count() == 1
    assert svc.weekly_reminders_send(now=now + timedelta(days=1)) == 1
    assert Notification.objects.filter(recipient=xinjiekou_cadre).count() == 2


def test_weekly_pages_scope_and_permissions(
    client, data, world, fuzimiao_cadre, xinjiekou_cadre, qinhuai_organizer, outsider
):
    report = open_report(world.fuzimiao)
    url = reverse("cadence:weekly-detail", args=[report.pk])
    client.force_login(xinjiekou_cadre)
    assert client.get(url).status_code == 404
    assert client.post(url, {**TEXT, "submit": "1"}).status_code == 404
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(qinhuai_organizer)
    page = client.get(url)
    assert page.status_code == 200 and "review-form" not in page.content.decode()
    # The district cannot file for the street.
    assert client.post(url, {**TEXT, "submit": "1"}).status_code == 403
    client.force_login(fuzimiao_cadre)
    response = client.post(url, {**TEXT, "submit": "1"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted"
    client.force_login(qinhuai_organizer)
    listing = client.get(reverse("cadence:weekly-list")).content.decode()
    assert "夫子庙街道" in listing and "新街口街道" not in listing
    client.post(reverse("cadence:weekly-review", args=[report.pk]), {"decision": "approve"})
    report.refresh_from_db()
    assert report.status == "reviewed"


def test_district_sees_who_is_late(client, data, world, qinhuai_organizer):
    today = timezone.localdate()
    last_week = (today - timedelta(weeks=1)).isocalendar()
    open_report(world.zhonghuamen, (last_week[0], last_week[1]))
    client.force_login(qinhuai_organizer)
    response = client.get(reverse("cadence:weekly-list") + "?late=1")
    body = response.content.decode()
    assert "中华门街道" in body and "wk-late" in body


def test_open_rows_for_every_street(data, world):
    assert svc.weekly_reports_open_all(day=date(2026, 11, 18)) == Territory.objects.filter(level="street").count()
    assert svc.weekly_reports_open_all(day=date(2026, 11, 18)) == 0


def test_grid_marks_missing_past_weeks_as_late(data, world, qinhuai_organizer):
    from cadence.nodes import Node
    from cadence.views.dashboard import weekly_grid

    grid = weekly_grid(qinhuai_organizer, Node.of(world.qinhuai))
    rows = {row["street"].name: row["cells"] for row in grid["rows"]}
    assert set(rows) == {"夫子庙街道", "中华门街道"}
    # No report rows at all: every week before this one is past its deadline.
    assert {c["label"] for c in rows["中华门街道"][:-1]} == {"未报"}


def test_saving_from_a_tab_opened_before_submission_says_why(client, data, world, fuzimiao_cadre):
    """A second tab (or back after 提交报告) still shows the form: pressing 保存草稿 there answered
    "无权访问（403）… 您的岗位没有访问这个页面的权限", as if the cadre had lost the right to file."""
    report = open_report(world.fuzimiao)
    url = reverse("cadence:weekly-detail", args=[report.pk])
    client.force_login(fuzimiao_cadre)
    client.post(url, {**TEXT, "submit": "1"})
    response = client.post(url, {**TEXT, "work_done": "改过的内容", "save": "1"}, follow=True)
    assert response.status_code == 200
    assert "当前状态为“已提交”，不能修改" in response.content.decode()
    report.refresh_from_db()
    assert report.work_done == TEXT["work_done"]
    assert [e.action for e in report.events.all()] == ["created", "submitted"]


def test_grid_says_how_many_streets_it_leaves_out(data, world, municipal, client):
    """The grid shows 60 streets at most: the city's had 140 and cut at 60 without a word, so
    the municipal committee read the first 60 as the whole city."""
    from core.tree import add_node

    for n in range(61):
        add_node(Territory, world.qinhuai, code=f"320104{n + 100:03d}000", name=f"测试{n}街道", level="street")
    from cadence.nodes import Node
    from cadence.views.dashboard import weekly_grid

    grid = weekly_grid(municipal, Node.of(world.city))
    total = Territory.objects.filter(level="street").count()
    assert len(grid["rows"]) == 60 and grid["hidden"] == total - 60
    client.force_login(municipal)
    body = client.get(reverse("cadence:weekly-list")).content.decode()
    assert f"另有 {total - 60} 个街道未列出" in body
