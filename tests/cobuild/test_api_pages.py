"""/api/v1/cobuild/… and the matching board: scoped lists, 404 for outsiders, writes through
services, Excel export."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from cobuild.models import Claim, Need, Project
from tests.cobuild.conftest import make_need, make_resource

pytestmark = pytest.mark.django_db

LISTS = ["alliances", "needs", "resources", "claims", "projects", "agreements"]


@pytest.fixture
def data(fzm, xjk):
    need = make_need(fzm["alliance"])
    resource = make_resource(fzm["alliance"], fzm["members"][0])
    make_need(xjk["alliance"], title="楼宇午休场地")
    return {"need": need, "resource": resource}


@pytest.mark.parametrize("name", LISTS)
def test_outsider_is_refused_lists(api_client, outsider, data, name):
    api_client.force_authenticate(outsider)
    assert api_client.get(f"/api/v1/cobuild/{name}/").status_code == 403


def test_outsider_and_other_street_get_404(api_client, outsider, xinjiekou_cadre, data):
    for user in (outsider, xinjiekou_cadre):
        api_client.force_authenticate(user)
        assert api_client.get(f"/api/v1/cobuild/needs/{data['need'].pk}/").status_code == 404
        assert api_client.get(f"/api/v1/cobuild/resources/{data['resource'].pk}/").status_code == 404
        response = api_client.post(f"/api/v1/cobuild/needs/{data['need'].pk}/claim/", {"resource": data["resource"].pk})
        assert response.status_code == 404
    assert not Claim.objects.exists()


def test_lists_are_scoped(api_client, fuzimiao_cadre, xinjiekou_cadre, municipal, qinhuai_organizer, data):
    def titles(user):
        api_client.force_authenticate(user)
        return sorted(n["title"] for n in api_client.get("/api/v1/cobuild/needs/").json()["results"])

    assert titles(fuzimiao_cadre) == ["夜间充电难"]
    assert titles(qinhuai_organizer) == ["夜间充电难"]
    assert titles(xinjiekou_cadre) == ["楼宇午休场地"]
    assert titles(municipal) == ["夜间充电难", "楼宇午休场地"]


def test_two_way_claim_through_the_api(api_client, fuzimiao_cadre, data):
    api_client.force_authenticate(fuzimiao_cadre)
    need, resource = data["need"], data["resource"]
    suggestions = api_client.get(f"/api/v1/cobuild/needs/{need.pk}/suggestions/").json()
    assert [s["resource"]["id"] for s in suggestions] == [resource.pk]
    response = api_client.post(f"/api/v1/cobuild/needs/{need.pk}/claim/", {"resource": resource.pk, "note": "认领"})
    assert response.status_code == 201, response.content
    claim_id = response.json()["id"]
    again = api_client.post(f"/api/v1/cobuild/resources/{resource.pk}/request/", {"need": need.pk})
    assert again.status_code == 400 and "已对接过" in again.json()["detail"]
    assert api_client.post(f"/api/v1/cobuild/claims/{claim_id}/decide/", {"accept": True}).status_code == 200
    assert api_client.post(f"/api/v1/cobuild/claims/{claim_id}/fulfil/").json()["status"] == "fulfilled"
    need.refresh_from_db()
    assert need.status == Need.Status.MET


def test_create_need_and_project_through_services(api_client, fuzimiao_cadre, fzm, xjk, data):
    api_client.force_authenticate(fuzimiao_cadre)
    created = api_client.post(
        "/api/v1/cobuild/needs/",
        {"alliance": fzm["alliance"].pk, "raised_by": "站长", "category": "meals", "title": "午餐难", "status": "met"},
    )
    assert created.status_code == 201 and created.json()["status"] == "open"
    # Another street's alliance is not a valid choice: the scoped FK refuses it.
    refused = api_client.post(
        "/api/v1/cobuild/needs/", {"alliance": xjk["alliance"].pk, "raised_by": "x", "category": "meals", "title": "x"}
    )
    assert refused.status_code == 400
    foreign_member = api_client.post(
        "/api/v1/cobuild/resources/",
        {"alliance": fzm["alliance"].pk, "owner": xjk["members"][0].pk, "kind": "service", "category": "legal"}
        | {"name": "法律咨询"},
    )
    assert foreign_member.status_code == 400
    project = api_client.post(
        "/api/v1/cobuild/projects/",
        {"alliance": fzm["alliance"].pk, "lead": fzm["members"][0].pk, "title": "暖心餐桌", "needs": [data["need"].pk]},
        format="json",
    )
    assert project.status_code == 201, project.content
    pk = project.json()["id"]
    review = api_client.post(f"/api/v1/cobuild/projects/{pk}/review/", {"approve": True, "opinion": "可行"})
    assert review.json()["status"] == "approved"
    done = api_client.post(f"/api/v1/cobuild/projects/{pk}/progress/", {"progress": 100, "note": "完成"})
    assert done.json()["status"] == "done"
    assert Project.objects.get(pk=pk).updates.count() == 1


def test_schema_lists_the_interfaces(api_client, municipal):
    api_client.force_authenticate(municipal)
    schema = api_client.get("/api/schema/?format=json").json()
    for path in ("/api/v1/cobuild/needs/", "/api/v1/cobuild/resources/", "/api/v1/cobuild/projects/"):
        assert path in schema["paths"]


def test_board_and_claim_buttons(client, fuzimiao_cadre, xinjiekou_cadre, outsider, password, data):
    client.force_login(outsider)
    assert client.get("/cobuild/").status_code == 403
    client.force_login(xinjiekou_cadre)
    page = client.get("/cobuild/").content.decode()
    assert "楼宇午休场地" in page and "夜间充电难" not in page
    response = client.post("/cobuild/claim/", {"need": data["need"].pk, "resource": data["resource"].pk})
    assert response.status_code == 404
    client.force_login(fuzimiao_cadre)
    page = client.get("/cobuild/").content.decode()
    assert "夜间充电难" in page and "充电桩" in page
    client.post("/cobuild/claim/", {"need": data["need"].pk, "resource": data["resource"].pk, "direction": "request"})
    claim = Claim.objects.get()
    assert claim.direction == Claim.Direction.NEED_REQUESTS_RESOURCE
    client.post(f"/cobuild/claims/{claim.pk}/decide/", {"decision": "accept"})
    client.post(f"/cobuild/claims/{claim.pk}/decide/", {"decision": "fulfil"})
    assert Need.objects.get(pk=data["need"].pk).status == Need.Status.MET
    assert "1 / 1" in client.get("/cobuild/").content.decode()


def test_export_is_scoped_xlsx(client, xinjiekou_cadre, data):
    client.force_login(xinjiekou_cadre)
    response = client.get("/cobuild/export/needs/")
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    # The one writer: title, subtitle (where, when, by whom), then the header and the rows.
    assert rows[2][1] == "需求名称" and [r[1] for r in rows[3:]] == ["楼宇午休场地"]
    assert client.get("/cobuild/export/nothing/").status_code == 404
