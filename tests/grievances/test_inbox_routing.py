"""Issue 16: routing to a body without an account falls back to the street and tells it; every
accepted case has an owner; state follows the assignment; duplicates' submitters hear the
master's outcome; the inbox searches, filters, pages and exports what it shows (phones masked)."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from core import sms
from grievances import inbox as inbox_filters
from grievances import services
from grievances.models import Grievance, Notice, RoutingRule
from organizations.models import Body
from tests.world import post

pytestmark = pytest.mark.django_db
S = Grievance.State


@pytest.fixture
def yzgl(world, categories):
    """进门难 → 邮政管理局, a body nobody has an account for (as in the demo)."""
    body = Body.objects.create(
        code="SJ-YZGL", name="南京市邮政管理局", kind="committee_member_unit", territory=world.city
    )
    RoutingRule.objects.create(category=categories["entry"], territory=world.city, body=body)
    return body


def test_body_without_account_falls_back_to_the_street_and_notifies_it(submit, yzgl, fuzimiao_cadre):
    grievance = submit("小区保安不让快递员进门", category_code="entry")
    assert grievance.body == yzgl  # still the body's responsibility in the metrics
    assert grievance.assignee.user == fuzimiao_cadre
    assert grievance.state == S.ASSIGNED
    assert services.is_fallback(grievance)
    notice = Notice.objects.get(recipient=fuzimiao_cadre, grievance=grievance)
    assert "暂无平台账号" in notice.text
    assert "兜底承办" in grievance.events.get(kind="routed").note


def test_zhonghuamen_case_goes_to_the_district_contact(submit, world, yzgl, qinhuai_organizer):
    grievance = submit("小区门禁不让外卖员进", territory=world.zhonghuamen_community, category_code="entry")
    assert grievance.assignee.user == qinhuai_organizer
    assert Notice.objects.filter(recipient=qinhuai_organizer, grievance=grievance).exists()


def test_accept_always_leaves_an_owner(submit, world, categories, fuzimiao_cadre, outsider):
    grievance = submit("孩子上学的问题", category_code="schooling")
    Grievance.objects.filter(pk=grievance.pk).update(assignee=None, state=S.TRIAGED)
    grievance.refresh_from_db()
    with pytest.raises(ValidationError):
        services.grievance_accept(grievance=grievance, actor=outsider)  # no post: refused, not ownerless
    accepted = services.grievance_accept(grievance=grievance, actor=fuzimiao_cadre)
    assert accepted.state == S.IN_PROGRESS and accepted.assignee.user == fuzimiao_cadre


def test_recategorising_follows_the_new_assignment(submit, yzgl, meals_rule, fuzimiao_cadre, member_unit_officer):
    grievance = submit("小区保安不让快递员进门", category_code="entry")
    services.grievance_accept(grievance=grievance, actor=fuzimiao_cadre)
    moved = services.grievance_recategorize(grievance=grievance, category=meals_rule.category, actor=fuzimiao_cadre)
    assert moved.state == S.ASSIGNED and moved.assignee.user == member_unit_officer
    event = moved.events.filter(kind="routed").last()
    assert (event.old_state, event.new_state) == (S.IN_PROGRESS, S.ASSIGNED)
    assert Notice.objects.filter(recipient=member_unit_officer, grievance=moved).exists()


def test_duplicate_submitters_get_the_outcome_and_their_own_rating(
    submit, fuzimiao_cadre, categories, django_capture_on_commit_callbacks
):
    master = submit("驿站门口路灯坏了", category_code="hazard", contact_phone="13800000001")
    copy = submit("驿站门口路灯坏了，晚上很黑", category_code="hazard", contact_phone="13800000002")
    services.grievance_mark_duplicate(grievance=copy, master=master, actor=fuzimiao_cadre)
    services.grievance_accept(grievance=master, actor=fuzimiao_cadre)
    services.grievance_resolve(grievance=master, actor=fuzimiao_cadre, resolution="路灯已修复")
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.feedback_request(grievance_id=master.pk)
    copy.refresh_from_db()
    assert copy.resolution == "路灯已修复" and services.can_rate(copy)
    assert any(m.phone == "13800000002" and copy.ticket in m.text for m in sms.outbox)
    assert services.duplicates_tell_outcome(master=master) == 0  # told once
    rated = services.grievance_rate(grievance=copy, rating=5)
    assert rated.rating == 5 and rated.state == S.DUPLICATE
    # merged after the outcome went out: told at once
    late = submit("驿站门口路灯又坏了吗", category_code="hazard", contact_phone="13800000003")
    services.grievance_mark_duplicate(grievance=late, master=master, actor=fuzimiao_cadre)
    late.refresh_from_db()
    assert late.feedback_requested_at is not None and late.resolution == "路灯已修复"


def test_inbox_search_filters_and_pages(submit, world, yzgl, municipal):
    first = submit("小区保安不让快递员进门", category_code="entry", contact_phone="13811112222")
    submit("充电桩不够用", territory=world.huaqiaolu, category_code="charging", contact_phone="13933334444")

    def rows(**params):
        return list(inbox_filters.search(municipal, inbox_filters.parse(municipal, {"tab": "all", **params})))

    assert rows(q=first.ticket) == [first]
    assert rows(q="保安") == [first]
    assert rows(q="2222") == [first]  # phone tail, exactly the 4 shown digits
    assert rows(q="1381111") == []  # never a hidden digit
    # codes typed through a Chinese IME: full-width digits and dash are folded
    assert rows(q="２２２２") == [first]
    assert rows(q=first.ticket.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789"}).replace("-", "－")) == [first]
    assert rows(category="charging")[0].territory == world.huaqiaolu
    assert rows(street=world.fuzimiao.code) == [first]
    assert rows(street="nonsense") and rows(state="bogus")  # ignored, never an error
    Grievance.objects.filter(pk=first.pk).update(resolve_due_at=timezone.now() - timedelta(hours=1))
    assert rows(overdue="1") == [first]
    Grievance.objects.filter(pk=first.pk).update(resolve_due_at=timezone.now() + timedelta(days=2))
    assert rows(due_days="3") == [first] and rows(due_days="1") == []
    page, number, has_next = inbox_filters.page_of(Grievance.objects.order_by("pk"), "1", size=1)
    assert (len(page), number, has_next) == (1, 1, True)
    page, number, has_next = inbox_filters.page_of(Grievance.objects.order_by("pk"), "x99", size=1)
    assert number == 1


def test_inbox_page_and_export_follow_the_filter_and_mask_phones(client, submit, world, yzgl, fuzimiao_cadre):
    submit("小区保安不让快递员进门", category_code="entry", contact_phone="13811112222")
    submit("停车难", category_code="parking", contact_phone="13855556666")
    client.force_login(fuzimiao_cadre)
    page = client.get("/grievances/", {"tab": "all", "q": "保安"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "138****2222" in body and "13811112222" not in body and "停车难" not in body
    exported = client.get("/grievances/", {"tab": "all", "q": "保安", "export": "xlsx"})
    assert exported.status_code == 200
    sheet = load_workbook(BytesIO(exported.content)).active
    values = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "138****2222" in values and "13811112222" not in values
    assert not any("停车难" in v for v in values)
    assert any("搜索“保安”" in v for v in values)  # the title says which filter it holds


def test_municipal_with_full_identity_right_sees_the_full_phone(client, submit, yzgl, municipal):
    submit("小区保安不让快递员进门", category_code="entry", contact_phone="13811112222")
    client.force_login(municipal)
    assert "13811112222" in client.get("/grievances/", {"tab": "all"}).content.decode()


def test_a_second_post_at_the_body_takes_over_the_fallback(submit, world, yzgl, fuzimiao_cadre):
    from django.contrib.auth import get_user_model

    officer = get_user_model().objects.create_user("yzgl")
    post(officer, "member_unit", body=yzgl)
    grievance = submit("小区保安不让快递员进门", category_code="entry")
    assert grievance.assignee.user == officer and not services.is_fallback(grievance)
