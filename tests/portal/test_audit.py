import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from organizations.models import Unit

pytestmark = pytest.mark.django_db


def test_admin_change_is_audited_with_actor(client, fuzimiao_cadre, world):
    unit = Unit.objects.create(name="夫子庙美食城", kind="market", territory=world.chaokujie)
    client.force_login(fuzimiao_cadre)
    response = client.post(
        reverse("admin:organizations_unit_change", args=[unit.pk]),
        {
            "name": "夫子庙美食广场",
            "kind": "market",
            "territory": world.chaokujie.pk,
            "credit_code": "",
            "industry": "other",
            "employee_count": 0,
            "new_employment_worker_count": 0,
        },
    )
    assert response.status_code == 302, response.content[:400]
    entry = LogEntry.objects.get_for_object(unit).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == fuzimiao_cadre
    assert entry.changes_dict["name"] == ["夫子庙美食城", "夫子庙美食广场"]


def test_object_history_page_respects_scope(client, fuzimiao_cadre, xinjiekou_cadre, world):
    unit = Unit.objects.create(name="夫子庙美食城", kind="market", territory=world.chaokujie)
    url = reverse("admin:organizations_unit_auditlog", args=[unit.pk])
    client.force_login(fuzimiao_cadre)
    assert client.get(url).status_code == 200
    client.force_login(xinjiekou_cadre)
    assert client.get(url).status_code == 404


def test_full_audit_log_is_for_the_municipal_committee(client, municipal, fuzimiao_cadre):
    url = reverse("admin:auditlog_logentry_changelist")
    client.force_login(municipal)
    assert client.get(url).status_code == 200
    client.force_login(fuzimiao_cadre)
    assert client.get(url).status_code == 403


def test_audit_log_page_never_counts_the_whole_trail(client, municipal, fuzimiao_cadre, world, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.ADMIN_COUNT_CAP = 2
    for i in range(4):
        Unit.objects.create(name=f"审计企业{i}", kind="enterprise", territory=world.chaokujie)
    client.force_login(municipal)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("admin:auditlog_logentry_changelist"))
    assert response.status_code == 200 and "2+" in response.content.decode()
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"]]
    assert counts and all("LIMIT 3" in sql for sql in counts)
