"""Status look-ups are limited per ticket as well as per address: guessing one ticket's phone
tail from many addresses stops after a few tries."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_lookup_limit_per_ticket_across_addresses(client, submit, settings):
    settings.GRIEVANCES = {"RATE_LIMITS": {"lookup_ticket": (3, 3600)}}
    grievance = submit(contact_phone="13812345678")
    for i in range(3):
        response = client.post(
            reverse("grievances:lookup"),
            {"ticket": grievance.ticket, "phone_tail": f"000{i}"},
            REMOTE_ADDR=f"10.1.0.{i}",
        )
        assert response.status_code == 200
    response = client.post(
        reverse("grievances:lookup"), {"ticket": grievance.ticket, "phone_tail": "5678"}, REMOTE_ADDR="10.1.0.99"
    )
    assert response.status_code == 429
    assert "该受理编号查询次数过多" in response.content.decode()
