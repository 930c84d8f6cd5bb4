import json
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from redis.connection import Connection

pytestmark = pytest.mark.django_db


def run(client, fn):
    sends = []
    orig = Connection.send_packed_command

    def spy(self, command, check_health=True):
        sends.append(command)
        return orig(self, command, check_health)

    from core import queue
    published = []
    with mock.patch.object(Connection, "send_packed_command", spy), mock.patch.object(queue, "send_task", side_effect=lambda *a: published.append(a)):
        with CaptureQueriesContext(connection) as ctx:
            r = fn()
    print("STATUS", r.status_code, "queries", len(ctx.captured_queries), "redis sends", len(sends), "published", published)
    for q in ctx.captured_queries:
        print("   ", q["sql"][:200])
    for s in sends:
        print("   R", str(s)[:200])


def test_profile(client, managed_station, categories, django_capture_on_commit_callbacks):
    url = reverse("grievances:station-new", kwargs={"code": managed_station.code})
    client.get(url)
    for i in range(2):
        data = {"text": f"驿站门口的充电桩坏了{i}", "contact_name": "王", "contact_phone": f"1381234567{i}", "category": categories["meals"].pk}
        with django_capture_on_commit_callbacks(execute=True):
            run(client, lambda: client.post(url, data))
    api = reverse("grievance-intake")
    for i in range(2):
        payload = {"station": managed_station.code, "text": f"充电桩坏了{i}", "contact_phone": f"1391234567{i}", "category": "meals"}
        with django_capture_on_commit_callbacks(execute=True):
            run(client, lambda: client.post(api, json.dumps(payload), content_type="application/json"))
