"""The case changelist in the admin: ticket search by prefix, inside the scope, with a fixed
number of queries whatever the page holds."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = reverse("admin:grievances_grievance_changelist")


def test_ticket_prefix_search_stays_in_scope(client, submit, fuzimiao_cadre, xinjiekou_cadre, world):
    grievance = submit()
    row_link = reverse("admin:grievances_grievance_change", args=[grievance.pk])
    client.force_login(fuzimiao_cadre)
    prefix = grievance.ticket[:8].lower()  # typed in lower case
    assert row_link in client.get(URL, {"q": prefix}).content.decode()
    # A fragment from the middle is not a ticket prefix.
    assert row_link not in client.get(URL, {"q": grievance.ticket[3:]}).content.decode()
    client.force_login(xinjiekou_cadre)
    assert row_link not in client.get(URL, {"q": grievance.ticket}).content.decode()


def test_changelist_queries_do_not_grow_with_rows(client, submit, fuzimiao_cadre, django_assert_max_num_queries):
    submit()
    client.force_login(fuzimiao_cadre)
    client.get(URL)
    with django_assert_max_num_queries(14) as one:
        assert client.get(URL).status_code == 200
    for n in range(6):
        submit(text=f"第{n}件：夜间照明不足")
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get(URL).status_code == 200


def test_read_only_case_form_is_a_view_in_chinese(client, submit, fuzimiao_cadre):
    from grievances.models import Grievance

    grievance = submit()
    Grievance.objects.filter(pk=grievance.pk).update(sla_resolve_unit="hours")
    client.force_login(fuzimiao_cadre)
    page = client.get(reverse("admin:grievances_grievance_change", args=[grievance.pk])).content.decode()
    assert 'name="_save"' not in page and "保存" not in page
    assert "自然小时" in page and ">hours<" not in page
    # Posting anyway changes nothing and reports no change.
    assert client.post(reverse("admin:grievances_grievance_change", args=[grievance.pk]), {}).status_code == 403
