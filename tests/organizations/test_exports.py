"""The ground floor's staff pages export what they show (coverage, 应建未建, rule problems,
scores), and the organization changelist's export reads a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook

from core import exports
from core.tree import add_node
from organizations.models import PartyOrganization, Unit


def _rows(response):
    assert response.status_code == 200, response
    return list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))


def test_coverage_export_keeps_the_grouping_and_territory(client, world, qinhuai_organizer):
    Unit.objects.create(name="甲公司", kind="enterprise", territory=world.chaokujie)
    Unit.objects.create(name="乙公司", kind="enterprise", territory=world.zhonghuamen_community)
    Unit.objects.create(name="玄武公司", kind="enterprise", territory=world.huaqiaolu)
    client.force_login(qinhuai_organizer)
    page = client.get(reverse("organizations:coverage") + "?by=street").content.decode()
    assert "export=xlsx" in page and "list=should_build" in page and "list=violations" in page
    rows = _rows(client.get(reverse("organizations:coverage") + "?by=street&territory=320104&export=xlsx"))
    assert rows[0][0] == "秦淮区 · 党组织覆盖情况（按街道）"
    assert rows[2][:2] == ("街道", "单位数（个）")
    body = {r[0]: r for r in rows[3:]}
    assert set(body) == {"夫子庙街道", "中华门街道", "合计"}  # 玄武 is outside the scope
    assert body["合计"][1] == 2 and body["夫子庙街道"][4] == 1 and body["夫子庙街道"][5] == 0
    response = client.get(reverse("organizations:coverage") + "?territory=320102&export=xlsx")
    assert response.status_code == 302  # another district's code: refused with a message, no file


def test_should_build_and_violation_exports(client, world, qinhuai_organizer):
    unit = Unit.objects.create(name="应建公司", kind="enterprise", territory=world.chaokujie)
    Unit.objects.filter(pk=unit.pk).update(full_member_count=5)
    add_node(
        PartyOrganization,
        PartyOrganization.objects.get(pk=world.fuzimiao_org.pk),
        code="ZB-EMPTY",
        name="空支部",
        kind="branch",
        territory=world.chaokujie,
        status="active",
        founded_on=dt.date(2020, 1, 1),
    )
    client.force_login(qinhuai_organizer)
    rows = _rows(client.get(reverse("organizations:coverage") + "?list=should_build&export=xlsx"))
    assert rows[0][0].startswith("应建未建单位")
    assert rows[3][0] == "应建公司" and rows[3][3] == 5 and rows[-1][0] == "合计"
    rows = _rows(client.get(reverse("organizations:coverage") + "?list=violations&export=xlsx"))
    assert rows[0][0] == "组织设置规则问题（按区）"
    assert rows[3][0] == "秦淮区" and rows[3][-1] >= 1


def test_scores_export_lists_every_organization_with_flags(client, world, qinhuai_organizer):
    for name, where in (("夫子庙支部", world.chaokujie), ("玄武支部", world.huaqiaolu)):
        add_node(
            PartyOrganization,
            PartyOrganization.objects.get(pk=world.fuzimiao_org.pk),
            code=name,
            name=name,
            kind="branch",
            territory=where,
            status="active",
            founded_on=dt.date(2020, 1, 1),
        )
    client.force_login(qinhuai_organizer)
    assert "export=xlsx" in client.get(reverse("organizations:scores")).content.decode()
    rows = _rows(client.get(reverse("organizations:scores") + "?export=xlsx"))
    header = list(rows[2])
    assert header[:4] == ["党组织", "类型", "属地", "得分（分）"]
    body = rows[3:]
    assert [r[0] for r in body] == ["夫子庙支部"]  # 玄武's branch is outside the district's scope
    assert body[0][header.index("配备书记")] == "否" and body[0][header.index("候选")] == "软弱涣散候选"


def test_organization_export_reads_parents_without_a_query_per_row(
    world, qinhuai_organizer, django_assert_max_num_queries
):
    parent = PartyOrganization.objects.get(pk=world.fuzimiao_org.pk)
    for n in range(15):
        add_node(
            PartyOrganization,
            parent,
            code=f"ZB-{n:02}",
            name=f"第{n}支部",
            kind="branch",
            territory=world.chaokujie,
            status="active",
            founded_on=dt.date(2020, 1, 1),
        )
    key = "admin:organizations.partyorganization"
    with django_assert_max_num_queries(20):
        _, content, _ = exports.export_sync(user=qinhuai_organizer, key=key, params={"query": ""})
    rows = list(load_workbook(BytesIO(content)).active.iter_rows(values_only=True))
    header = list(rows[2])
    parents = {r[header.index("组织编码")]: r[header.index("上级党组织")] for r in rows[3:] if r[0] != "合计"}
    assert parents["ZB-07"] == parent.name
