"""共建协议 in the admin: signed with its parties through ``agreement_sign`` (refusals shown on
the form, nothing half-written), scoped choices, and read-only once signed."""

from __future__ import annotations

from django.urls import reverse

from cobuild.models import Agreement, AgreementParty


def _post(fzm, parties):
    data = {
        "alliance": fzm["alliance"].pk,
        "title": "寅春路网约车综合服务中心共建协议",
        "content": "提供充电、住宿、培训",
        "signed_on": "2026-03-01",
        "starts_on": "2026-03-01",
        "ends_on": "2027-02-28",
        "parties-TOTAL_FORMS": str(len(parties)),
        "parties-INITIAL_FORMS": "0",
        "parties-MIN_NUM_FORMS": "0",
        "parties-MAX_NUM_FORMS": "1000",
    }
    for i, (member, obligations) in enumerate(parties):
        data[f"parties-{i}-member"] = member.pk if member else ""
        data[f"parties-{i}-obligations"] = obligations
    return data


def test_sign_in_admin_through_the_service(client, fzm, xjk, fuzimiao_cadre):
    client.force_login(fuzimiao_cadre)
    add = reverse("admin:cobuild_agreement_add")
    form = client.get(add).content.decode()
    assert "夫子庙商圈党建联盟" in form and "新街口CBD党建联盟" not in form  # scoped choices
    first, second = fzm["members"]
    # One party and one without obligations: refused on the form, nothing written.
    response = client.post(add, _post(fzm, [(first, "提供充电"), (None, "")]))
    assert response.status_code == 200 and "至少两家单位" in response.content.decode()
    response = client.post(add, _post(fzm, [(first, "提供充电"), (second, "  ")]))
    assert response.status_code == 200 and response.context_data["errors"]  # obligations are required
    # Another alliance's member is refused too (its own alliance is out of this user's reach).
    response = client.post(add, _post(fzm, [(first, "提供充电"), (xjk["members"][0], "提供场地")]))
    assert response.status_code == 200 and response.context_data["errors"]
    assert not Agreement.objects.exists() and not AgreementParty.objects.exists()

    response = client.post(add, _post(fzm, [(first, "提供充电"), (second, "提供住宿")]))
    agreement = Agreement.objects.get()
    assert response.status_code == 302
    assert sorted(agreement.parties.values_list("obligations", flat=True)) == ["提供住宿", "提供充电"]
    # Signed: a record. The page shows no inputs for its fields or parties.
    page = client.get(reverse("admin:cobuild_agreement_change", args=[agreement.pk])).content.decode()
    assert 'name="title"' not in page and 'name="parties-0-obligations"' not in page
    assert "寅春路网约车综合服务中心共建协议" in page and "提供住宿" in page
