"""The audit trail masks personal numbers by the lists' policy: every phone or ID number a model
registered with auditlog holds is in its ``mask_fields``, except the public service numbers printed
on posters and the map (a station's, a service point's, a mediation committee's office phone)."""

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog

pytestmark = pytest.mark.django_db

PUBLIC_NUMBERS = {
    ("stations.Station", "contact_phone"),
    ("stations.ServicePoint", "contact_phone"),
    ("grievances.MediationCommittee", "phone"),
}


def test_every_personal_number_in_the_audit_trail_is_masked():
    unmasked = []
    for model in auditlog.get_models():
        fields = auditlog.get_model_fields(model)
        for field in model._meta.concrete_fields:
            if not ("phone" in field.name or "id_number" in field.name):
                continue
            if field.name in fields["exclude_fields"] or (
                fields["include_fields"] and field.name not in fields["include_fields"]
            ):
                continue
            if field.name not in fields["mask_fields"] and (model._meta.label, field.name) not in PUBLIC_NUMBERS:
                unmasked.append(f"{model._meta.label}.{field.name}")
    assert unmasked == []


def test_a_merchant_claims_contact_phone_is_masked_in_its_audit_entry(client, world):
    """The 爱'新'商家 form's contact mobile is masked in the admin and the API; its audit entry
    showed it in full to whoever reads the trail."""
    page = client.get("/nx/merchant/")
    assert page.status_code == 200
    response = client.post(
        "/nx/merchant/",
        {
            "merchant_name": "老王面馆",
            "territory": world.fuzimiao.pk,
            "address": "贡院街1号",
            "hours_text": "9:00-21:00",
            "green_channel": "on",
            "contact_name": "王老板",
            "contact_phone": "13951234567",
        },
    )
    assert response.status_code == 302
    entry = LogEntry.objects.get(content_type__model="merchantclaim")
    assert entry.changes["contact_phone"] == ["None", "139****4567"]
