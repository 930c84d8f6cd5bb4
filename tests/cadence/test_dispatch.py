from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cadence import tasks
from cadence.kpis import KPI, rank
from cadence.models import DailySnapshot
from cadence.nodes import Node
from cadence.services import dispatch

pytestmark = pytest.mark.django_db

KPI_COVERAGE = KPI("coverage", "组织覆盖率", "organizations", "units_covered", "units", 5, "")


def figs(covered, units):
    return {"organizations": {"units_covered": covered, "units": units}}


@pytest.mark.smoke
def test_rank_ties_and_small_samples():
    rows = [
        ("A", "甲区", figs(8, 10)),
        ("B", "乙区", figs(16, 20)),  # 80.0 as well: ties with 甲区
        ("C", "丙区", figs(9, 10)),
        ("D", "丁区", figs(4, 4)),  # 100% of 4 units: below the minimum sample
        ("E", "戊区", figs(1, 10)),
    ]
    ranked = rank(KPI_COVERAGE, rows)
    assert [(e["label"], e["rank"]) for e in ranked] == [
        ("丙区", 1),
        ("乙区", 2),
        ("甲区", 2),
        ("戊区", 4),
        ("丁区", None),
    ]
    assert ranked[-1]["note"] == "样本不足（4<5）"
    assert ranked[0]["value"] == 90.0


def test_first_working_day(db):
    from core.models import Holiday

    assert dispatch.first_working_day(2026, 11) == date(2026, 11, 2)  # 1 Nov is a Sunday
    # The same calendar as the grievance deadlines: 国庆 entered once, in the admin.
    for day in (1, 2, 5, 6, 7):
        Holiday.objects.create(date=date(2026, 10, day), name="国庆节")
    assert dispatch.first_working_day(2026, 10) == date(2026, 10, 8)
    assert tasks.monthly_dispatch("2026-11-03") == 0  # not the first working day: nothing runs


def test_monthly_dispatch_ranks_districts_and_trends(data, world, municipal, qinhuai_organizer, fuzimiao_cadre, client):
    assert tasks.monthly_dispatch("2026-11-02") == 3  # city + 秦淮 + 玄武
    city = DailySnapshot.objects.get(kind="monthly", node_key="T:320100", date=date(2026, 10, 1))
    cov = next(b for b in city.figures["rankings"] if b["kpi"] == "coverage")
    by_label = {e["label"]: e for e in cov["entries"]}
    assert by_label["秦淮区"]["value"] == 60.0 and by_label["秦淮区"]["rank"] == 1
    assert by_label["玄武区"]["rank"] is None  # 2 units < minimum sample of 5
    assert cov["total"] is not None
    # Next month compares with this one.
    dispatch.monthly_dispatch_build(node=Node.parse("320100"), day=date(2026, 12, 1))
    december = DailySnapshot.objects.get(kind="monthly", node_key="T:320100", date=date(2026, 11, 1))
    cov = next(b for b in december.figures["rankings"] if b["kpi"] == "coverage")
    assert next(e for e in cov["entries"] if e["label"] == "秦淮区")["delta"] == 0.0
    # Re-running upserts.
    tasks.monthly_dispatch("2026-11-02")
    assert DailySnapshot.objects.filter(kind="monthly").count() == 4

    client.force_login(municipal)
    page = client.get(reverse("cadence:dispatch-detail", args=[city.pk]))
    assert page.status_code == 200 and "秦淮区" in page.content.decode()
    wb = load_workbook(BytesIO(client.get(reverse("cadence:dispatch-xlsx", args=[city.pk])).content))
    ws = wb["排名"]
    assert "月调度" in ws["A1"].value and "单位" in ws["A2"].value
    assert ws.cell(row=ws.max_row, column=1).value == "合计"
    assert {ws.cell(row=r, column=1).value for r in range(4, ws.max_row)} == {"秦淮区", "玄武区"}

    # The city's dispatch is the city's: a district and a street get 404, and their lists omit it.
    client.force_login(qinhuai_organizer)
    assert client.get(reverse("cadence:dispatch-detail", args=[city.pk])).status_code == 404
    assert client.get(reverse("cadence:dispatch-xlsx", args=[city.pk])).status_code == 404
    qinhuai = DailySnapshot.objects.get(kind="monthly", node_key="T:320104", date=date(2026, 10, 1))
    assert client.get(reverse("cadence:dispatch-detail", args=[qinhuai.pk])).status_code == 200
    listing = client.get(reverse("cadence:dispatch-list")).content.decode()
    assert "玄武区" not in listing
    client.force_login(fuzimiao_cadre)
    assert client.get(reverse("cadence:dispatch-detail", args=[qinhuai.pk])).status_code == 404


def test_empty_dispatch_list_names_no_command(client, industry_officer):
    """A committee officer is told no report is made for their post (reports are the city's and
    the districts'), not a server command, and not promised one on the first working day."""
    client.force_login(industry_officer)
    page = client.get(reverse("cadence:dispatch-list")).content.decode()
    assert "暂无月调度报告。" in page and "您的岗位没有单独的报告" in page and "manage.py" not in page


def test_empty_dispatch_list_speaks_to_the_user_not_the_operator(client, fuzimiao_cadre):
    """A street cadre is not told to run a management command (English, and not theirs to run)."""
    client.force_login(fuzimiao_cadre)
    page = client.get(reverse("cadence:dispatch-list")).content.decode()
    assert "暂无月调度报告" in page
    assert "manage.py" not in page and "run_report" not in page


def test_a_street_is_told_where_its_ranking_is(client, fuzimiao_cadre, qinhuai_organizer):
    """Reports are made for the city and each district only: a street cadre read "每月第一个工作日
    自动生成" and waited for a report that never comes to a street."""
    client.force_login(fuzimiao_cadre)
    page = client.get(reverse("cadence:dispatch-list")).content.decode()
    assert "您的岗位没有单独的报告；街道的排名见所在区的月调度报告" in page
    assert "每月第一个工作日自动生成" not in page
    client.force_login(qinhuai_organizer)
    page = client.get(reverse("cadence:dispatch-list")).content.decode()
    assert "每月第一个工作日自动生成" in page and "您的岗位没有单独的报告" not in page
