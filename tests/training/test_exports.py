"""Hours per person and per organization for a year, as the user may see them, in Excel."""

from __future__ import annotations

from io import BytesIO

from openpyxl import load_workbook

from training import services
from training.models import Enrolment


def _rows(response):
    assert response.status_code == 200, response
    return list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))


def test_hours_exports_per_person_and_per_organization(client, world, session, people, qinhuai_organizer, outsider):
    for person, post, org in (
        (people["secretary"], Enrolment.Post.SECRETARY, world.fuzimiao_org),
        (people["worker"], Enrolment.Post.WORKER, None),
    ):
        enrolment = services.enrolment_add(
            session=session, person=person, post=post, organization=org, actor=qinhuai_organizer
        )
        services.attendance_record(enrolment=enrolment, attended=True, actor=qinhuai_organizer)
    client.force_login(qinhuai_organizer)
    page = client.get("/training/?year=2025").content.decode()
    assert "list=organizations&amp;export=xlsx" in page
    rows = _rows(client.get("/training/?year=2025&export=xlsx"))
    assert rows[0][0] == "2025年培训学时（按人）"
    assert rows[2] == ("姓名", "属地", "参训期次（期）", "学时（学时）")
    assert sorted(r[0] for r in rows[3:-1]) == sorted(["王书记", "刘干事"]) and rows[-1][0] == "合计"
    assert rows[-1][2:] == (2, 12)  # two sessions attended, 6 hours each
    rows = _rows(client.get("/training/?year=2025&list=organizations&export=xlsx"))
    body = {r[0]: r for r in rows[3:]}
    assert body[world.fuzimiao_org.name][1:] == (1, 1, 6, "是")
    assert body["（未填所在党组织）"][4] is None
    assert body["合计"][3] == 12
    client.force_login(outsider)
    assert client.get("/training/?year=2025&export=xlsx").status_code == 403
