"""The public doors' one read (``selectors.intake_station``): the station with its territory, the
blocklist's answer and the chosen active category, in one statement whose SQL is written once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grievances import abuse
from grievances.models import BlockedSubmitter
from grievances.selectors import intake_station
from stations.models import Station

pytestmark = pytest.mark.django_db

IP, PHONE = "198.51.100.30", "13912345630"


def test_one_statement_gives_the_whole_rows(managed_station, categories):
    meals = categories["meals"]
    with CaptureQueriesContext(connection) as ctx:
        found = intake_station(managed_station.code.lower(), ip=IP, phone=PHONE, category_pk=meals.pk)
        # Everything the intake reads afterwards is there: no further statement.
        territory, category = found.station.territory, found.category
    assert len(ctx.captured_queries) == 1
    assert found.blocked is False
    expected = Station.objects.select_related("territory").get(pk=managed_station.pk)
    for field in Station._meta.concrete_fields:
        assert getattr(found.station, field.attname) == getattr(expected, field.attname), field.name
    assert territory == expected.territory and territory.path == expected.territory.path
    assert category == meals and category.default_priority == meals.default_priority
    assert category.is_active is True and category.keywords == meals.keywords
    by_code = intake_station(managed_station.code, ip=IP, phone=PHONE, category_code="meals")
    assert by_code.category == meals


def test_no_category_chosen_unknown_or_inactive(managed_station, categories):
    meals = categories["meals"]
    assert intake_station(managed_station.code, ip=IP, phone=PHONE).category is None
    assert intake_station(managed_station.code, ip=IP, phone=PHONE, category_code="nope").category is None
    # A key beyond the column's range is no category (not a database error).
    assert intake_station(managed_station.code, ip=IP, phone=PHONE, category_pk=10**30).category is None
    meals.is_active = False
    meals.save()
    assert intake_station(managed_station.code, ip=IP, phone=PHONE, category_pk=meals.pk).category is None
    assert intake_station("NXF-NONE-999", ip=IP, phone=PHONE) is None


@pytest.mark.parametrize(
    ("kind", "value", "until", "blocked"),
    [
        (BlockedSubmitter.Kind.PHONE, PHONE, None, True),
        (BlockedSubmitter.Kind.IP, IP, None, True),
        (BlockedSubmitter.Kind.PHONE, PHONE, timedelta(hours=1), True),
        (BlockedSubmitter.Kind.PHONE, PHONE, timedelta(hours=-1), False),  # expired
        (BlockedSubmitter.Kind.IP, PHONE, None, False),  # the phone's number as an address
        (BlockedSubmitter.Kind.PHONE, "13912345631", None, False),
    ],
)
def test_the_blocklist_rule(managed_station, kind, value, until, blocked):
    BlockedSubmitter.objects.create(
        kind=kind, value=value, reason="测试", until=timezone.now() + until if until is not None else None
    )
    assert intake_station(managed_station.code, ip=IP, phone=PHONE).blocked is blocked
    # The same rule asked on its own (a phone the door did not ask about).
    assert abuse.is_blocked(ip=IP, phone=PHONE) is blocked
    assert intake_station(managed_station.code, ip="192.0.2.1", phone="").blocked is False


def test_the_station_form_names_each_field_in_chinese(client, managed_station, categories):
    from django.urls import reverse

    from grievances.models import Grievance

    url = reverse("grievances:station-new", kwargs={"code": managed_station.code})
    response = client.post(url, {"text": "", "contact_phone": "12345", "category": "99999999999999999999"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "请填写诉求内容" in body and "手机号应为11位大陆手机号码" in body and "有效的选项" in body
    assert 'id="row-territory"' not in body  # the station fixes the place
    response = client.post(url, {"text": "长" * 2001, "contact_phone": "13912345630"})
    assert "诉求内容不能超过 2000 字" in response.content.decode()
    assert client.post(url, {"text": "x", "contact_phone": ""}).content.decode().count("请填写手机号") == 1
    missing = reverse("grievances:station-new", kwargs={"code": "NXF-NONE-999"})
    assert client.post(missing, {"text": "充电桩坏了", "contact_phone": "13912345630"}).status_code == 404
    assert not Grievance.objects.exists()


def test_the_api_names_each_field_in_chinese(managed_station, categories):
    import json

    from django.test import Client
    from django.urls import reverse

    url = reverse("grievance-intake")

    def post(**payload):
        return Client().post(url, json.dumps(payload), content_type="application/json")

    bad_phone = post(station=managed_station.code, text="充电桩坏了", contact_phone="12345")
    assert bad_phone.status_code == 400 and "手机号" in bad_phone.json()["contact_phone"][0]
    unknown = post(station="NXF-NONE-999", text="充电桩坏了", contact_phone="13912345630")
    assert unknown.status_code == 400 and "驿站编码 NXF-NONE-999 不存在" in unknown.json()["station"][0]
    category = post(station=managed_station.code, text="充电桩坏了", contact_phone="13912345630", category="nope")
    assert category.status_code == 400 and "不存在或已停用" in category.json()["category"][0]
    ok = post(station=managed_station.code.lower(), text="充电桩坏了", contact_phone="13912345630", category="meals")
    assert ok.status_code == 201, ok.content
