"""Issue 22: an intake's abuse counters and the API's rate cost one Redis round trip, counting as
before; one whole intake (form and API) is pinned, statement by statement."""

import json
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from redis.client import Pipeline
from redis.connection import Connection

from core import queue
from grievances import abuse
from grievances.models import Grievance

pytestmark = [
    pytest.mark.skipif(not hasattr(cache, "incr_many"), reason="counters in Redis only"),
    pytest.mark.django_db,
]


def test_both_submit_counters_in_one_round_trip_with_their_windows(settings):
    settings.GRIEVANCES = {"RATE_LIMITS": {"submit_ip": (2, 3600), "submit_phone": (3, 86400)}}
    ip, phone = "198.51.100.22", "13900000022"
    cache.delete_many([f"grv:rl:submit_ip:{ip}", f"grv:rl:submit_phone:{phone}"])
    with mock.patch.object(Pipeline, "execute", autospec=True, side_effect=Pipeline.execute) as execute:
        assert abuse.hit_all(("submit_ip", ip), ("submit_phone", phone))
    assert execute.call_count == 1
    assert abuse.hit_all(("submit_ip", ip), ("submit_phone", phone))
    assert cache.get(f"grv:rl:submit_ip:{ip}") == 2 and cache.get(f"grv:rl:submit_phone:{phone}") == 2
    ttl = cache._cache.get_client().ttl
    assert 3500 < ttl(cache.make_key(f"grv:rl:submit_ip:{ip}")) <= 3600
    assert 86000 < ttl(cache.make_key(f"grv:rl:submit_phone:{phone}")) <= 86400
    # The third attempt passes the phone's limit but not the address's.
    assert not abuse.hit_all(("submit_ip", ip), ("submit_phone", phone))
    assert not abuse._within("submit_ip", ip) and abuse._within("submit_phone", phone)


# --- one whole intake, pinned ------------------------------------------------------------------


def _statements(queries) -> list[str]:
    """Each statement as its verb and table: what an intake costs, readable in a failure."""
    out = []
    for query in queries:
        words = query["sql"].replace('"', "").split()
        verb = words[0]
        depth, table = 0, None
        for i, word in enumerate(words):  # the outer query's FROM, not a subquery's
            if word == "FROM" and depth == 0:
                table = words[i + 1]
                break
            depth += word.count("(") - word.count(")")
        if verb == "SELECT" and table:
            out.append(f"SELECT {table}")
        elif verb == "SELECT":
            out.append(" ".join(words[:2]).split("(")[0])
        elif verb in ("INSERT", "UPDATE"):
            out.append(f"{verb} {words[2 if verb == 'INSERT' else 1]}")
        else:
            out.append(verb)
    return out


@pytest.fixture
def counted(django_capture_on_commit_callbacks):
    """Run one request and its after-commit work; return (response, statements, Redis round
    trips, tasks published). The test's own transaction shows as the SAVEPOINT pair that stands
    for the request's BEGIN … COMMIT (the intake views take no request-wide transaction)."""

    def run(send):
        sends, published = [], []
        send_packed = Connection.send_packed_command

        def spy(self, command, check_health=True):
            sends.append(command)
            return send_packed(self, command, check_health)

        with (
            mock.patch.object(Connection, "send_packed_command", spy),
            mock.patch.object(queue, "send_task", side_effect=lambda *a: published.append(a[0])),
            CaptureQueriesContext(connection) as ctx,
            django_capture_on_commit_callbacks(execute=True),
        ):
            response = send()
        return response, _statements(ctx.captured_queries), len(sends), published

    return run


WRITES = [
    "SAVEPOINT",  # BEGIN outside the test's transaction
    "SELECT grievance_next_ticket",  # the day's sequence: no row lock held across the request
    "INSERT grievances_grievance",
    "INSERT auditlog_logentry",
    "INSERT grievances_grievanceevent",
    "INSERT core_outboxmessage",  # triage and the receipt SMS, one INSERT
    "RELEASE",  # COMMIT
    "UPDATE core_outboxmessage",  # both published after commit, marked sent in one UPDATE
]


def test_one_form_intake_is_one_read_its_writes_and_one_redis_round_trip(client, managed_station, categories, counted):
    url = reverse("grievances:station-new", kwargs={"code": managed_station.code})

    def post(n):
        data = {"text": f"驿站门口的充电桩坏了（{n}）", "contact_phone": f"1381234560{n}"}
        return client.post(url, {**data, "category": categories["meals"].pk})

    post(0)  # the content type of the audit log is cached by Django after the first
    response, statements, redis_round_trips, published = counted(lambda: post(1))
    assert response.status_code == 302
    assert statements == [
        # The station, with the blocklist's answer for this address and phone and the chosen
        # active category (the form and the service take it from there): one read.
        "SELECT stations_station",
        *WRITES,
    ]
    assert redis_round_trips == 1  # the address and phone counters (no session: nothing else)
    assert published == ["grievances.tasks.triage_grievance", "core.send_sms"]
    assert "sessionid" not in response.cookies
    assert Grievance.objects.count() == 2


def test_one_api_intake_is_one_read_its_writes_and_one_redis_round_trip(managed_station, categories, counted):
    client = Client()
    url = reverse("grievance-intake")

    def post(n):
        payload = {"station": managed_station.code, "text": f"充电桩坏了（{n}）", "contact_phone": f"1391234560{n}"}
        return client.post(url, json.dumps({**payload, "category": "meals"}), content_type="application/json")

    post(0)
    response, statements, redis_round_trips, published = counted(lambda: post(1))
    assert response.status_code == 201, response.content
    assert statements == [
        # The station, with the blocklist's answer for this address and phone and the chosen
        # active category (the form and the service take it from there): one read.
        "SELECT stations_station",
        *WRITES,
    ]
    # The public rate (DRF's throttle before), the address and the phone: one pipeline.
    assert redis_round_trips == 1
    assert published == ["grievances.tasks.triage_grievance", "core.send_sms"]


def test_the_api_rate_counts_invalid_requests_too_and_answers_429(managed_station, categories, counted, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "public": "2/min"},
    }
    client = Client()
    url = reverse("grievance-intake")
    bad = json.dumps({"station": managed_station.code, "text": "", "contact_phone": "13912345600"})
    first, _, redis_round_trips, _ = counted(lambda: client.post(url, bad, content_type="application/json"))
    assert first.status_code == 400 and redis_round_trips == 1
    assert client.post(url, bad, content_type="application/json").status_code == 400
    third = client.post(url, bad, content_type="application/json")
    assert third.status_code == 429 and third["Retry-After"] == "60"
    assert "请求" in third.json()["detail"]


def test_the_blocklist_asked_in_the_station_query_still_refuses(client, managed_station, categories):
    from grievances.models import BlockedSubmitter

    BlockedSubmitter.objects.create(kind=BlockedSubmitter.Kind.PHONE, value="13912345699")
    form = client.post(
        reverse("grievances:station-new", kwargs={"code": managed_station.code}),
        {"text": "充电桩坏了", "contact_phone": "139 1234 5699"},
    )
    assert form.status_code == 429 and "已被限制" in form.content.decode()
    assert not Grievance.objects.exists()
    api = Client().post(
        reverse("grievance-intake"),
        json.dumps({"station": managed_station.code, "text": "充电桩坏了", "contact_phone": "+86 13912345699"}),
        content_type="application/json",
    )
    assert api.status_code == 429 and "已被限制" in api.json()["detail"]


def test_the_category_read_with_the_station_is_checked_as_before(client, managed_station, categories):
    meals = categories["meals"]
    form_url = reverse("grievances:station-new", kwargs={"code": managed_station.code})
    data = {"text": "充电桩坏了", "contact_phone": "13912345698"}
    client.post(form_url, {**data, "category": meals.pk})
    assert Grievance.objects.get().category == meals and Grievance.objects.get().priority == meals.default_priority
    meals.is_active = False
    meals.save()
    refused = client.post(form_url, {**data, "category": meals.pk})
    assert refused.status_code == 200 and "有效的选项" in refused.content.decode()  # the form, with the error
    assert Grievance.objects.count() == 1
    api = Client().post(
        reverse("grievance-intake"),
        json.dumps({**data, "station": managed_station.code, "category": "meals"}),
        content_type="application/json",
    )
    assert api.status_code == 400 and "不存在或已停用" in api.json()["category"][0]
