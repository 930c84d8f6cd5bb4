from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from cadence.models import (
    AssessmentResult,
    KeyTask,
    RectificationItem,
    RectificationList,
    ScoringCriterion,
    ScoringScheme,
    SecretaryProject,
    WorkPlan,
)
from cadence.services.keytasks import criterion_points
from organizations.models import Body

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world):
    parent = WorkPlan.objects.create(
        title="三年行动计划（2025—2027年）", kind="multi_year", year_start=2025, year_end=2027, territory=world.city
    )
    return WorkPlan.objects.create(
        title="2026年工作要点", kind="annual", year_start=2026, year_end=2026, territory=world.city, parent=parent
    )


def test_key_task_progress_by_lead_unit(client, plan, world, member_unit_officer, qinhuai_organizer):
    other = Body.objects.get(code="SJ-LXGW")
    mine = KeyTask.objects.create(plan=plan, number=1, title="双线摸排", territory=world.city, lead_body=world.scjg)
    theirs = KeyTask.objects.create(plan=plan, number=2, title="驿站建设", territory=world.city, lead_body=other)
    client.force_login(member_unit_officer)
    assert client.get(reverse("cadence:key-task-detail", args=[theirs.pk])).status_code == 404
    url = reverse("cadence:key-task-detail", args=[mine.pk])
    response = client.post(url, {"status": "done", "progress": "80", "text": "完成"}, follow=True)
    assert "100%" in response.content.decode()  # the rule: done means 100%
    mine.refresh_from_db()
    assert mine.status == "not_started"
    client.post(url, {"status": "on_track", "progress": "60", "text": "已完成摸排 6 个区"})
    mine.refresh_from_db()
    assert (mine.status, mine.progress, mine.updates.count()) == ("on_track", 60, 1)
    listing = client.get(reverse("cadence:key-tasks")).content.decode()
    assert "双线摸排" in listing and "驿站建设" not in listing
    client.force_login(qinhuai_organizer)  # city tasks are the city's and their lead units'
    assert client.get(url).status_code == 404


def test_rectification_closed_item_by_item(client, world, qinhuai_organizer, xinjiekou_cadre):
    rl = RectificationList.objects.create(title="整改清单", source="年度考核", territory=world.qinhuai)
    first = RectificationItem.objects.create(rectification=rl, number=1, problem="问题一", responsible="夫子庙街道")
    RectificationItem.objects.create(
        rectification=rl,
        number=2,
        problem="问题二",
        responsible="中华门街道",
        due_date=date.today() - timedelta(days=1),
    )
    url = reverse("cadence:rectification-detail", args=[rl.pk])
    client.force_login(xinjiekou_cadre)
    assert client.get(url).status_code == 404
    client.force_login(qinhuai_organizer)
    response = client.post(url, {"item": first.pk, "closing_note": ""}, follow=True)
    assert "须写明整改结果" in response.content.decode()
    client.post(url, {"item": first.pk, "closing_note": "已拆分支部"})
    first.refresh_from_db()
    assert first.status == "closed" and first.closed_by == qinhuai_organizer
    body = client.get(url).content.decode()
    assert 'id="open-count">1<' in body and "超期" in body


def test_secretary_project_acceptance(client, world, fuzimiao_cadre, qinhuai_organizer):
    project = SecretaryProject.objects.create(
        year=2026,
        title="小哥加油站",
        secretary="陈书记",
        organization=world.fuzimiao_org,
        territory=world.fuzimiao,
        goal="办实事",
    )
    url = reverse("cadence:secretary-projects")
    client.force_login(fuzimiao_cadre)
    client.post(url, {"project": project.pk, "action": "submit"})
    project.refresh_from_db()
    assert project.status == "awaiting"
    assert client.post(url, {"project": project.pk, "action": "accept", "acceptance_comment": "好"}).status_code == 403
    client.force_login(qinhuai_organizer)
    client.post(url, {"project": project.pk, "action": "accept", "acceptance_comment": "成效明显"})
    project.refresh_from_db()
    assert project.status == "accepted" and project.accepted_by == qinhuai_organizer


def test_criterion_points_linear_and_clamped():
    kw = {"weight": Decimal("50"), "floor": Decimal("60"), "target": Decimal("95")}
    assert criterion_points(95.0, **kw) == Decimal("50.00")
    assert criterion_points(60.0, **kw) == Decimal("0.00")
    assert criterion_points(77.5, **kw) == Decimal("25.00")
    assert criterion_points(100, **kw) == Decimal("50.00")
    assert criterion_points(None, **kw) == Decimal("0")


def test_assessment_scores_districts(client, data, municipal, qinhuai_organizer):
    call_command("run_report", "daily", "--date", "2026-11-20")
    scheme = ScoringScheme.objects.create(year=2026, name="2026年考核")
    ScoringCriterion.objects.create(
        scheme=scheme, kpi="coverage", weight=Decimal("100"), floor=Decimal("0"), target=Decimal("100")
    )
    client.force_login(qinhuai_organizer)
    assert client.post(reverse("cadence:assessment"), {"scheme": scheme.pk}).status_code == 403
    client.force_login(municipal)
    client.post(reverse("cadence:assessment"), {"scheme": scheme.pk})
    scores = dict(AssessmentResult.objects.values_list("district__name", "score"))
    assert scores["秦淮区"] == Decimal("60.00")
    assert scores["玄武区"] == Decimal("0.00")  # 2 units: below the minimum sample
    client.force_login(qinhuai_organizer)
    body = client.get(reverse("cadence:assessment")).content.decode()
    assert "秦淮区" in body and "玄武区" not in body
    from io import BytesIO

    from openpyxl import load_workbook

    export = client.post(reverse("exports:start"), {"dataset": "assessment_results"})
    ws = load_workbook(BytesIO(export.content)).active
    assert [ws.cell(row=r, column=2).value for r in range(4, ws.max_row + 1)] == ["秦淮区"]


def test_assessment_criteria_read_as_their_chinese_names(client, municipal):
    """The scheme's 指标 column said “coverage” and “punctuality”, and the admin took the 指标 as
    free text: a scheme typed with the Chinese name scored every district 0 without a word. The
    page shows the KPI's name; the admin offers the KPIs to choose from and refuses anything else."""
    scheme = ScoringScheme.objects.create(year=2026, name="2026年考核")
    ScoringCriterion.objects.create(scheme=scheme, kpi="coverage", weight=Decimal("50"))
    ScoringCriterion.objects.create(scheme=scheme, kpi="punctuality", weight=Decimal("50"))
    client.force_login(municipal)
    body = client.get(reverse("cadence:assessment")).content.decode()
    assert "<td>组织覆盖率</td>" in body and "<td>周例会按时报送率</td>" in body
    assert ">coverage<" not in body and ">punctuality<" not in body

    add = client.get(reverse("admin:cadence_scoringscheme_add")).content.decode()
    assert '<select name="criteria-0-kpi"' in add and "组织覆盖率" in add
    form = {
        "year": "2027",
        "name": "2027年考核",
        "description": "",
        "criteria-TOTAL_FORMS": "1",
        "criteria-INITIAL_FORMS": "0",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
        "criteria-0-kpi": "组织覆盖率",
        "criteria-0-weight": "100",
        "criteria-0-floor": "0",
        "criteria-0-target": "100",
    }
    response = client.post(reverse("admin:cadence_scoringscheme_add"), form)
    assert response.status_code == 200 and not ScoringScheme.objects.filter(year=2027).exists()
    form["criteria-0-kpi"] = "coverage"
    assert client.post(reverse("admin:cadence_scoringscheme_add"), form).status_code == 302
    assert ScoringScheme.objects.get(year=2027).criteria.get().kpi == "coverage"


def test_evidence_and_attachments_through_the_door(
    client, plan, world, data, member_unit_officer, fuzimiao_cadre, xinjiekou_cadre, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cadence.services.weekly import weekly_report_open

    settings.MEDIA_ROOT = tmp_path
    task = KeyTask.objects.create(plan=plan, number=1, title="双线摸排", territory=world.city, lead_body=world.scjg)
    client.force_login(member_unit_officer)
    url = reverse("cadence:key-task-detail", args=[task.pk])
    bad = SimpleUploadedFile("x.exe", b"MZ")
    response = client.post(url, {"status": "on_track", "progress": "10", "text": "x", "evidence": bad}, follow=True)
    assert "类型不支持" in response.content.decode()
    good = SimpleUploadedFile("台账.pdf", b"%PDF-1.4")
    client.post(url, {"status": "on_track", "progress": "10", "text": "上传台账", "evidence": good})
    update = task.updates.get()
    evidence_url = reverse("cadence:key-task-evidence", args=[update.pk])
    assert b"".join(client.get(evidence_url).streaming_content) == b"%PDF-1.4"
    # The admin links the same door, never the stored file's /media/ path.
    admin_page = client.get(reverse("admin:cadence_keytaskupdate_change", args=[update.pk])).content.decode()
    assert f'href="{evidence_url}"' in admin_page and "/media/" not in admin_page
    client.force_login(xinjiekou_cadre)
    assert client.get(evidence_url).status_code == 404

    report = weekly_report_open(street=world.fuzimiao, iso_year=2026, iso_week=47)
    client.force_login(fuzimiao_cadre)
    client.post(reverse("cadence:weekly-attach", args=[report.pk]), {"file": SimpleUploadedFile("照片.jpg", b"jpg")})
    attachment = report.attachments.get()
    download = reverse("cadence:weekly-attachment", args=[attachment.pk])
    assert client.get(download).status_code == 200
    client.force_login(xinjiekou_cadre)
    assert client.get(download).status_code == 404
    assert client.post(reverse("cadence:weekly-attach", args=[report.pk]), {}).status_code == 404
