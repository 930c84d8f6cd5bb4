"""The proof of the one export path: every registered list, exported as every role, opens in
openpyxl with a title, a subtitle, a header; holds no ``None``/``True``/``False`` text and no
cell Excel would run as a formula; and shows ID numbers and phones exactly as masked on screen."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from core import exports
from core.admin_export import admin_sources
from core.excel import Column, Sheet, cell_value, display_width, write_csv, write_xlsx
from core.models import ExportJob
from members.models import PartyMembership
from members.services import membership_save
from organizations.models import Meeting, PartyOrganization, Unit
from tests.members.factories import make_member, make_person

ROLES = [
    "municipal",
    "qinhuai_organizer",
    "fuzimiao_cadre",
    "xinjiekou_cadre",
    "industry_officer",
    "member_unit_officer",
    "station_manager",
    "outsider",
]
# A list's own filters that it cannot do without (a campaign summary is of one campaign).
PARAMS = {"drill": {"provider": "organizations", "figure": "units"}, "grievances.campaign": {"code": "q3"}}
SENSITIVE_HEADERS = ("身份证", "手机", "联系电话")
FORMULA_STARTS = ("=", "+", "-", "@")


@pytest.fixture
def data(world, managed_station, settings):
    """Rows with sensitive values and text that would be a formula, in 夫子庙 and 新街口."""
    from django.apps import apps

    from grievances import taxonomy
    from grievances.models import Campaign
    from grievances.services import grievance_create

    settings.SMS_BACKEND = "core.sms.MemoryBackend"
    taxonomy.install(apps)

    org = PartyOrganization.objects.get(pk=world.fuzimiao_org.pk)
    people = [
        membership_save(
            membership=PartyMembership(
                person=make_person(world.chaokujie, name="王一", phone="13800000001"),
                status=PartyMembership.Status.FULL,
                organization=org,
                joined_on=dt.date(2015, 7, 1),
                full_member_on=dt.date(2016, 7, 1),
            )
        ).person,
        make_member(world.chaokujie, org, name="钱二").person,
        make_person(world.huaqiaolu, name="孙三", phone="13900000003"),
    ]
    Unit.objects.create(name="@SUM(A1)商行", kind="enterprise", territory=world.chaokujie, address="-1号")
    Meeting.objects.create(organization=org, kind="branch_meeting", held_on=dt.date(2026, 5, 1), topic="=1+1")
    Campaign.objects.create(
        code="q3",
        title="三季度诉求征集",
        territory=world.qinhuai,
        starts_on=dt.date(2026, 7, 1),
        ends_on=dt.date(2026, 9, 30),
    )
    grievance_create(
        text="+86 电话打不通",
        territory=world.chaokujie,
        channel="web",
        contact_phone="13811112222",
        contact_name="周五",
    )
    return people


def _sources():
    return {**exports.registered(), **admin_sources()}


def _cells(workbook):
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            yield from row


def _check(content: bytes, title: str, people) -> tuple[list, list]:
    workbook = load_workbook(BytesIO(content))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == title
    assert "导出时间" in rows[1][0] and "导出人" in rows[1][0]
    header = [h for h in rows[2] if h is not None]
    assert header and all(isinstance(h, str) for h in header)
    assert sheet.freeze_panes in ("A4", "B4")
    for value in _cells(workbook):
        if isinstance(value, str):
            assert value not in ("None", "True", "False"), title
            assert not value.startswith(FORMULA_STARTS), (title, value)
            for person in people:
                assert person.id_number not in value, title
                assert person.phone not in value, title
    return list(rows[2]), rows[3:]


@pytest.mark.parametrize("role", ROLES)
def test_every_list_as_every_role(request, data, role, django_capture_on_commit_callbacks):
    user = request.getfixturevalue(role)
    written = 0
    for key in sorted(_sources()):
        params = PARAMS.get(key, {})
        params = {"query": ""} if key.startswith("admin:") else params
        try:
            export = exports.export_build(user=user, key=key, params=params)
        except (PermissionDenied, ValidationError):
            continue  # refused to this role, as the page is
        ready = exports.export_sync(user=user, key=key, params=params, fmt="xlsx")
        assert ready is not None
        name, content, _ = ready
        assert name.endswith(".xlsx")
        header, rows = _check(content, export.title, data)
        if role == "outsider":
            assert [r for r in rows if r[0] not in (None, "合计")] == [], key  # nothing leaks
        for index, title in enumerate(header):
            if title and title.startswith(SENSITIVE_HEADERS):
                for row in rows:
                    value = row[index]
                    assert value in (None, "") or "*" in str(value) or value == "合计", (key, title, value)
        csv_name, csv_content, _ = exports.export_sync(user=user, key=key, params=params, fmt="csv")
        assert csv_content.startswith("\ufeff".encode()) and csv_name.endswith(".csv")
        written += 1
    assert written > 0 or role == "outsider"


def test_registry_covers_the_lists_of_issue_18():
    keys = set(_sources())
    for key in [
        "grievances.inbox",
        "grievances.metrics",
        "grievances.projects",
        "grievances.campaign",
        "points.leaderboard",
        "points.redemptions",
        "points.tasks",
        "points.accounts",
        "stations.list",
        "surveys.tasks",
        "members.distribution",
        "members.transfers",
        "members.arrears",
        "organizations.coverage",
        "organizations.should_build",
        "organizations.violations",
        "organizations.scores",
        "training.hours",
        "training.organizations",
        "assessment.ranking",
        "assessment.organizations",
        "cobuild.needs",
        "cobuild.resources",
        "cobuild.projects",
        "training.roster",
        "admin:grievances.grievance",
        "admin:grievances.governanceproject",
        "admin:grievances.campaign",
        "admin:points.pointentry",
        "admin:points.redemption",
        "admin:points.volunteertask",
        "admin:organizations.meeting",
        "admin:organizations.territory",
        "admin:organizations.responsibility",
        "admin:organizations.instructor",
        "admin:organizations.partyorganization",
        "admin:organizations.unit",
        "admin:members.transfer",
        "admin:members.developmentrecord",
        "admin:members.duespayment",
        "admin:members.person",
        "admin:members.partymembership",
        "admin:stations.inspection",
        "admin:stations.visit",
        "admin:stations.careactivity",
    ]:
        assert key in keys, key


def test_admin_changelist_export_keeps_filters_and_scope(client, data, world, qinhuai_organizer, fuzimiao_cadre):
    client.force_login(fuzimiao_cadre)
    changelist = reverse("admin:organizations_unit_changelist")
    page = client.get(changelist).content.decode()
    assert "?export=xlsx" in page and "?export=csv" in page
    response = client.get(changelist + "?q=SUM&export=xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == str(Unit._meta.verbose_name_plural)
    assert rows[1][0].startswith("范围：夫子庙街道")
    assert [r[0] for r in rows[3:]] == ["'@SUM(A1)商行", "合计"]
    header = rows[2]
    assert "应建未建" in header and "民营企业500强" in header
    assert rows[3][header.index("应建未建")] == "否" and rows[3][header.index("民营企业500强")] == "否"


def test_org_export_says_which_rule_is_broken(client, world, qinhuai_organizer):
    branch = PartyOrganization.objects.get(pk=world.fuzimiao_org.pk)
    from core.tree import add_node

    add_node(
        PartyOrganization,
        branch,
        code="ZB-TEST",
        name="测试支部",
        kind="branch",
        territory=world.chaokujie,
        status="active",
    )
    client.force_login(qinhuai_organizer)
    response = client.get(reverse("admin:organizations_partyorganization_changelist") + "?rule=any&export=xlsx")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    header = list(rows[2])
    broken = header.index("违反的组织设置规则")
    found = {r[header.index("组织编码")]: r[broken] for r in rows[3:] if r[0] != "合计"}
    assert "ZB-TEST" in found and "3" in found["ZB-TEST"]
    assert "合计" in [r[0] for r in rows[3:]]  # member counts are summed


def test_member_export_names_who_is_who(client, data, qinhuai_organizer):
    client.force_login(qinhuai_organizer)
    response = client.get(reverse("admin:members_partymembership_changelist") + "?export=xlsx")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    header = list(rows[2])
    assert "姓名" in header
    names = {r[header.index("姓名")] for r in rows[3:]}
    assert {"王一", "钱二"} <= names


def test_big_admin_export_runs_as_job(client, data, municipal, settings, django_capture_on_commit_callbacks):
    settings.EXPORT_SYNC_LIMIT = 1
    client.force_login(municipal)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("admin:members_person_changelist") + "?export=xlsx")
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("exports:status", args=[job.pk])
    status = client.get(reverse("exports:status", args=[job.pk]) + "?format=json").json()
    assert status == {"status": "done", "percent": 100, "done": True, "error": ""}
    content = b"".join(client.get(reverse("exports:download", args=[job.pk])).streaming_content)
    rows = list(load_workbook(BytesIO(content)).active.iter_rows(values_only=True))
    assert len([r for r in rows[3:] if r[0]]) == 3


def test_staff_list_export_follows_the_page_filters(client, data, qinhuai_organizer):
    client.force_login(qinhuai_organizer)
    response = client.get(reverse("grievances:inbox") + "?tab=all&export=csv")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("受理编号,")
    assert "'+86 电话打不通" in text and "138****2222" not in text  # the district handles it: in full
    assert "13811112222" in text


def test_writer_values():
    assert cell_value(None) is None and cell_value(True) == "是" and cell_value(False) == "否"
    assert cell_value("=cmd") == "'=cmd" and cell_value(-3) == -3
    assert display_width("南京市") == 6 and display_width("abc") == 3
    sheet = Sheet(
        title="测试",
        columns=[Column("名称", lambda r: r[0]), Column("人数", lambda r: r[1], unit="人", total=True)],
        rows=[("甲", 2), ("乙", 3)],
        subtitle="范围：全市",
    )
    rows = list(load_workbook(BytesIO(write_xlsx(sheet))).active.iter_rows(values_only=True))
    assert rows[2] == ("名称", "人数（人）") and rows[-1] == ("合计", 5)
    sheet.rows = [("甲", 2)]
    assert write_csv(sheet).decode("utf-8-sig").splitlines() == ["名称,人数（人）", "甲,2"]
