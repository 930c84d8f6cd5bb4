"""A ticket typed as a clerk or a submitter types it — full-width from a Chinese input method,
lower case, spaces — finds its case at every door; a note's line breaks reach the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from grievances.models import Grievance

pytestmark = pytest.mark.django_db


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def test_duplicate_takes_a_full_width_ticket(client, submit, fuzimiao_cadre):
    first, second = submit("一号小区保安不让进"), submit("二号小区的保安不让快递员进")
    client.force_login(fuzimiao_cadre)
    client.post(reverse("grievances:act", args=[second.ticket, "duplicate"]), {"master": full_width(first.ticket)})
    second.refresh_from_db()
    assert second.state == Grievance.State.DUPLICATE and second.duplicate_of == first


def inbox_rows(client, q: str) -> str:
    """The inbox table for ``q`` (the page's 新通知 card links every new case whatever the search)."""
    page = client.get(reverse("grievances:inbox"), {"tab": "all", "q": q}).content.decode()
    if 'id="inbox"' not in page:
        return ""
    rows = page[page.index('id="inbox"') :]
    return rows[: rows.index("</table>")]


def test_inbox_search_and_status_lookup_take_a_full_width_ticket(client, submit, fuzimiao_cadre):
    case = submit("小区保安不让快递员进门", contact_phone="13812345678")
    client.force_login(fuzimiao_cadre)
    link = f'href="{reverse("grievances:detail", args=[case.ticket])}"'
    assert link not in inbox_rows(client, "SQ19990101-00001")  # the helper can tell a miss
    assert link in inbox_rows(client, full_width(case.ticket))
    assert link in inbox_rows(client, full_width("5678"))
    client.logout()
    typed = f" {full_width(case.ticket.lower())} "
    response = client.post(reverse("grievances:lookup"), {"ticket": typed, "phone_tail": full_width("5678")})
    assert response.status_code == 302 and response["Location"] == reverse("grievances:status", args=[case.ticket])


def test_timeline_keeps_the_line_breaks_of_a_reply(client, submit, fuzimiao_cadre):
    case = submit("小区保安不让快递员进门", contact_phone="13812345678")
    client.force_login(fuzimiao_cadre)
    text = "已联系物业　张经理，\n明天上午处理；\n\n如有问题请拨打 12345。"
    client.post(reverse("grievances:act", args=[case.ticket, "reply"]), {"text": text})
    assert case.events.filter(note=text).exists()
    page = client.get(reverse("grievances:detail", args=[case.ticket])).content.decode()
    assert "已联系物业　张经理，<br>明天上午处理；<br><br>如有问题请拨打 12345。" in page
    client.logout()
    client.post(reverse("grievances:lookup"), {"ticket": case.ticket, "phone_tail": "5678"})
    page = client.get(reverse("grievances:status", args=[case.ticket])).content.decode()
    assert "已联系物业　张经理，<br>明天上午处理；" in page


def test_api_takes_a_ticket_typed_full_width_or_lower_case(api_client, submit, fuzimiao_cadre):
    """The API is a door too: the case by its ticket and the ``?search=`` by ticket fold it."""
    case = submit("小区保安不让快递员进门", contact_phone="13812345678")
    api_client.force_authenticate(fuzimiao_cadre)
    for typed in (case.ticket.lower(), full_width(case.ticket)):
        response = api_client.get(f"/api/v1/grievances/{typed}/")
        assert response.status_code == 200 and response.json()["ticket"] == case.ticket
        rows = api_client.get("/api/v1/grievances/", {"search": f" {typed} "}).json()["results"]
        assert [row["ticket"] for row in rows] == [case.ticket]


def test_inbox_searches_a_phone_by_the_one_rule(client, submit, fuzimiao_cadre):
    """The inbox searches phones as every phone search does (members.selectors.phone_search_q):
    the whole number or the 4 digits the mask shows, spaces and full width folded; never a
    longer tail, which would tell a masked digit."""
    case = submit("小区保安不让快递员进门", contact_phone="13812345678")
    client.force_login(fuzimiao_cadre)
    link = f'href="{reverse("grievances:detail", args=[case.ticket])}"'

    def found(q):
        return link in inbox_rows(client, q)

    assert found("138 1234 5678") and found(full_width("13812345678")) and found("56 78")
    assert not found("45678") and not found("2345678")
