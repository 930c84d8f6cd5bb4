"""Issue 16: the weekly report carries the week's figures (month-to-date beside them), refreshed
when the cadre opens it and on submit, with the time they were taken; an upload keeps the typed
text; a failed submit lists its errors at the top and beside the field."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cadence.models import WeeklyReport
from cadence.services import weekly as svc
from cadence.services.weekly_figures import weekly_figures
from grievances.services import grievance_create

pytestmark = pytest.mark.django_db


def at(y, m, d, hh=10):
    return timezone.make_aware(datetime(y, m, d, hh, 0))


def case(world, when):
    return grievance_create(
        channel="web", text="驿站没有热水", territory=world.chaokujie, submitted_at=when, dispatch=False
    )


def test_week_figures_count_the_week_and_month_to_date_beside(data, world):
    case(world, at(2026, 11, 5))  # earlier in the month
    case(world, at(2026, 11, 18))  # in ISO week 47 (16–22 November)
    case(world, at(2026, 11, 24))  # after the week
    week, month, last_day = weekly_figures(world.fuzimiao, 2026, 47, now=at(2026, 11, 25))
    assert last_day.isoformat() == "2026-11-22"
    assert week["grievances"]["received"] == 1
    assert month["grievances"]["received"] == 2  # 1–22 November: the 24th is after the week
    assert week["organizations"]["units"] == 3  # stocks as the providers give them
    assert "units" not in month.get("organizations", {})
    # Week 49 runs over a month's turn (30 November – 6 December): on 1 December the month-to-date
    # is near zero, the week is not.
    case(world, at(2026, 11, 30))
    week, month, _ = weekly_figures(world.fuzimiao, 2026, 49, now=at(2026, 12, 1, 12))
    assert week["grievances"]["received"] == 1 and month["grievances"]["received"] == 0


def test_figures_refresh_on_open_and_on_submit(client, data, world, fuzimiao_cadre):
    iso_year, iso_week = svc.iso_week_of(timezone.localdate())
    report = svc.weekly_report_open(street=world.fuzimiao, iso_year=iso_year, iso_week=iso_week)
    assert report.figures["grievances"]["received"] == 0
    case(world, timezone.now())
    url = reverse("cadence:weekly-detail", args=[report.pk])
    client.force_login(fuzimiao_cadre)
    page = client.get(url).content.decode()
    report.refresh_from_db()
    assert report.figures["grievances"]["received"] == 1
    assert f"数据取于 {timezone.localtime(report.figures_taken_at):%Y-%m-%d %H:%M}" in page
    assert "本月累计" in page
    case(world, timezone.now())
    client.post(url, {"work_done": "走访", "next_week_plan": "组建", "submit": "1"})
    report.refresh_from_db()
    assert report.status == WeeklyReport.Status.SUBMITTED
    assert report.figures["grievances"]["received"] == 2
    # A filed report keeps the figures it was submitted with.
    case(world, timezone.now())
    client.get(url)
    report.refresh_from_db()
    assert report.figures["grievances"]["received"] == 2


def test_upload_keeps_the_text_and_errors_show_on_top(client, data, world, fuzimiao_cadre, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    iso_year, iso_week = svc.iso_week_of(timezone.localdate())
    report = svc.weekly_report_open(street=world.fuzimiao, iso_year=iso_year, iso_week=iso_week)
    url = reverse("cadence:weekly-detail", args=[report.pk])
    client.force_login(fuzimiao_cadre)
    upload = SimpleUploadedFile("会议记录.txt", "周例会记录".encode(), content_type="text/plain")
    client.post(url, {"work_done": "走访驿站 3 个", "problems": "缺场地", "file": upload, "attach": "1"})
    report.refresh_from_db()
    assert report.work_done == "走访驿站 3 个" and report.problems == "缺场地"
    assert report.attachments.get().name == "会议记录.txt"
    bad = SimpleUploadedFile("病毒.exe", b"x")
    page = client.post(url, {"work_done": "改过的文字", "file": bad, "attach": "1"}).content.decode()
    assert "类型不支持" in page and "改过的文字" in page
    # The text went into the draft with the upload attempt: the page must not say 未能保存.
    report.refresh_from_db()
    assert report.work_done == "改过的文字"
    assert "附件未上传，请修改以下 1 处" in page and "已填写的内容已保存为草稿" in page and "未能保存" not in page
    page = client.post(url, {"work_done": "", "problems": "仍未解决", "submit": "1"}).content.decode()
    summary, figures = page.index('id="error-summary"'), page.index('id="figures"')
    assert summary < figures
    assert "本周工作" in page[summary:figures] and "下周计划" in page[summary:figures]
    assert 'href="#id_work_done"' in page and "仍未解决" in page
    assert page.count("请填写“本周工作”后再提交") == 2  # in the summary and beside the field


def test_open_report_keeps_statements_and_counts_the_data_of_each_call(data, world):
    """The open report's figures (``kept=True``: refreshed on every open) keep the grouped
    statements of every provider, organizations included (the branch rules held), give what the
    ORM gives and count what was added between two calls; the batches over every street keep
    nothing."""
    from django.db import connection

    from cadence.metrics import _STATEMENTS, forget_statements
    from organizations.models import Unit

    now = at(2026, 11, 25)
    forget_statements()
    week, month, _ = weekly_figures(world.fuzimiao, 2026, 48, now=now)
    assert not _STATEMENTS  # a batch's call
    kept_week, kept_month, _ = weekly_figures(world.fuzimiao, 2026, 48, now=now, kept=True)
    assert (kept_week, kept_month) == (week, month)
    if connection.vendor == "postgresql":  # elsewhere the ORM runs every time
        assert {key[0] for key in _STATEMENTS} == {"organizations", "members", "stations", "grievances", "points"}
    kept = len(_STATEMENTS)
    Unit.objects.create(name="周中新增企业", kind=Unit.Kind.ENTERPRISE, territory=world.chaokujie)
    case(world, at(2026, 11, 24))
    again, month_again, _ = weekly_figures(world.fuzimiao, 2026, 48, now=now, kept=True)
    assert len(_STATEMENTS) == kept  # replayed, not recorded again
    assert again["organizations"]["units"] == week["organizations"]["units"] + 1
    assert month_again["grievances"]["received"] == month["grievances"]["received"] + 1
    assert (again, month_again) == weekly_figures(world.fuzimiao, 2026, 48, now=now)[:2]
