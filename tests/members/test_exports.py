"""The members staff pages export what they show: the distribution figures with the page's
territory filter, and the board's two lists (open transfers, dues arrears) whole."""

from __future__ import annotations

from io import BytesIO

from django.urls import reverse
from openpyxl import load_workbook

from members.services import transfer_request
from tests.members.factories import make_member


def _rows(response):
    assert response.status_code == 200, response
    return list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))


def test_distribution_export_follows_the_territory(client, world, municipal):
    make_member(world.chaokujie, world.fuzimiao_org, name="王一")
    make_member(world.huaqiaolu, world.xinjiekou_org, name="钱二")
    client.force_login(municipal)
    assert "export=xlsx" in client.get(reverse("members:distribution")).content.decode()
    rows = _rows(client.get(reverse("members:distribution") + "?territory=320104&export=xlsx"))
    assert rows[0][0].startswith("党员分布分析（") and "秦淮区" in rows[0][0]
    assert rows[2] == ("分组", "类别", "人数（人）")
    body = {(r[0], r[1]): r[2] for r in rows[3:]}
    assert body[("总体", "党员总数")] == 1 and body[("按区分布", "秦淮区")] == 1
    assert ("按区分布", "玄武区") not in body
    assert all(r[0] != "合计" for r in rows[3:])  # groupings overlap: no sum


def test_board_exports_open_transfers_and_arrears(client, world, qinhuai_organizer):
    membership = make_member(world.chaokujie, world.fuzimiao_org, name="王一")
    transfer_request(membership=membership, to_organization=world.xinjiekou_org, reason="工作变动")
    client.force_login(qinhuai_organizer)
    page = client.get(reverse("members:board")).content.decode()
    assert "list=transfers&amp;export=xlsx" in page and "list=arrears&amp;export=csv" in page
    rows = _rows(client.get(reverse("members:board") + "?list=transfers&export=xlsx"))
    assert rows[0][0] == "办理中的组织关系转接"
    assert rows[3][0] == "王一" and rows[3][2] == str(world.xinjiekou_org) and rows[3][4] is not None
    rows = _rows(client.get(reverse("members:board") + "?list=arrears&export=xlsx"))
    assert rows[0][0].startswith("党费欠缴预警")
    assert [r[0] for r in rows[3:]] == ["王一"] and rows[3][2] == "从未交纳"
