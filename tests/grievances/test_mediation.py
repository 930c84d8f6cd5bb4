"""劳动争议调解: only labour cases, one record per case, sessions, the endings, the rates, the doors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from grievances import mediation as services
from grievances.models import Mediation, MediationCommittee

pytestmark = pytest.mark.django_db


@pytest.fixture
def committee(world):
    return MediationCommittee.objects.create(
        name="夫子庙街道劳动争议调解委员会", kind=MediationCommittee.Kind.STREET, territory=world.fuzimiao
    )


@pytest.fixture
def centre(world):
    return MediationCommittee.objects.create(
        name="一站式矛盾纠纷调解中心", kind=MediationCommittee.Kind.CENTRE, territory=world.city
    )


@pytest.fixture
def labour_case(submit, categories):
    return submit(text="站点拖欠两个月工资，要求结清", category_code="labour")


def _open(case, committee, actor=None):
    return services.mediation_open(grievance=case, committee=committee, mediator="李秀英", actor=actor)


def test_only_labour_cases_are_mediated_once(labour_case, submit, committee, qinhuai_organizer):
    parking = submit(text="电动车没地方停", category_code="parking")
    with pytest.raises(ValidationError, match="不是“劳动权益”类"):
        _open(parking, committee)
    mediation = _open(labour_case, committee, qinhuai_organizer)
    assert mediation.status == Mediation.Status.OPEN
    assert "进入劳动争议调解" in labour_case.events.order_by("-id").first().note
    with pytest.raises(ValidationError, match="已有调解记录"):
        _open(labour_case, committee)


def test_committee_must_have_jurisdiction(labour_case, world):
    xinjiekou = MediationCommittee.objects.create(
        name="新街口街道劳动争议调解委员会", kind=MediationCommittee.Kind.STREET, territory=world.xinjiekou
    )
    with pytest.raises(ValidationError, match="不管辖"):
        _open(labour_case, xinjiekou)


def test_agreement_needs_a_session_and_text_and_closes_once(labour_case, committee, qinhuai_organizer):
    mediation = _open(labour_case, committee)
    with pytest.raises(ValidationError, match="尚未记录调解会"):
        services.mediation_close(mediation=mediation, outcome="agreed", agreement="支付", actor=qinhuai_organizer)
    with pytest.raises(ValidationError):
        services.mediation_session_record(
            mediation=mediation, held_on=timezone.localdate() + timedelta(days=1), notes="x", actor=None
        )
    services.mediation_session_record(mediation=mediation, held_on=timezone.localdate(), notes="双方到场", actor=None)
    with pytest.raises(ValidationError, match="协议内容"):
        services.mediation_close(mediation=mediation, outcome="agreed", actor=qinhuai_organizer)
    done = services.mediation_close(
        mediation=mediation,
        outcome="agreed",
        agreement="十日内支付工资 6,400 元",
        amount_fen=services.parse_amount_fen("6,400.00"),
        actor=qinhuai_organizer,
    )
    assert (done.status, done.amount_fen, done.amount_yuan) == ("agreed", 640000, "6400.00")
    with pytest.raises(ValidationError, match="已结案"):
        services.mediation_close(mediation=done, outcome="failed", actor=qinhuai_organizer)
    with pytest.raises(ValidationError, match="已结案"):
        services.mediation_session_record(mediation=done, held_on=timezone.localdate(), notes="x", actor=None)


def test_referral_names_where_and_amount_parsing(labour_case, centre):
    mediation = _open(labour_case, centre)
    with pytest.raises(ValidationError, match="移交机构"):
        services.mediation_close(mediation=mediation, outcome="referred", actor=None)
    done = services.mediation_close(mediation=mediation, outcome="referred", referral_to="arbitration", actor=None)
    assert done.get_referral_to_display() == "劳动人事争议仲裁委员会"
    for bad in ("abc", "-5", "1.234"):
        with pytest.raises(ValidationError):
            services.parse_amount_fen(bad)
    assert services.parse_amount_fen("") is None
    assert services.parse_amount_fen("１,２００.５") == 120050


def test_figures_and_rates_follow_the_scope(
    labour_case, submit, committee, centre, fuzimiao_cadre, xinjiekou_cadre, municipal
):
    other = submit(text="工伤医疗费没人管", category_code="labour")
    third = submit(text="不签劳动合同", category_code="labour")
    agreed = _open(labour_case, committee)
    services.mediation_session_record(mediation=agreed, held_on=timezone.localdate(), notes="到场", actor=None)
    services.mediation_close(mediation=agreed, outcome="agreed", agreement="支付", amount_fen=50000, actor=None)
    referred = _open(other, centre)
    services.mediation_close(mediation=referred, outcome="referred", referral_to="inspection", actor=None)
    assert third.category.code == "labour"  # received, never mediated: lowers the intake rate
    now = timezone.now()
    since, until = now - timedelta(days=1), now + timedelta(days=1)
    mine = services.mediation_figures(user=fuzimiao_cadre, since=since, until=until)
    assert (mine.labour_cases, mine.mediated, mine.closed, mine.agreed, mine.referred) == (3, 2, 2, 1, 1)
    assert (mine.intake_rate, mine.agreement_rate, mine.referral_rate) == (66.7, 50.0, 50.0)
    assert mine.sessions == 1 and mine.amount_fen == 50000
    theirs = services.mediation_figures(user=xinjiekou_cadre, since=since, until=until)
    assert (theirs.labour_cases, theirs.closed, theirs.agreement_rate) == (0, 0, None)


def test_metrics_provider_is_registered():
    from cadence.metrics import PROVIDERS, autodiscover

    autodiscover()
    figures = {f.key for f in PROVIDERS["mediation"].figures}
    assert {"agreement_rate", "referral_rate", "intake_rate"} <= figures


def test_api_opens_records_and_closes(api_client, labour_case, committee, fuzimiao_cadre, xinjiekou_cadre, outsider):
    api_client.force_authenticate(fuzimiao_cadre)
    created = api_client.post(
        "/api/v1/mediations/",
        {"grievance": labour_case.ticket.lower(), "committee": committee.pk, "mediator": "李秀英"},
        format="json",
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    session = api_client.post(
        f"/api/v1/mediations/{pk}/sessions/",
        {"held_on": timezone.localdate().isoformat(), "notes": "到场"},
        format="json",
    )
    assert session.status_code == 201, session.content
    bad = api_client.post(f"/api/v1/mediations/{pk}/close/", {"outcome": "agreed"}, format="json")
    assert bad.status_code == 400 and "协议内容" in str(bad.json())
    closed = api_client.post(
        f"/api/v1/mediations/{pk}/close/",
        {"outcome": "agreed", "agreement": "支付工资", "amount_yuan": "3200"},
        format="json",
    )
    assert closed.status_code == 200 and closed.json()["amount_yuan"] == "3200.00"
    api_client.force_authenticate(xinjiekou_cadre)
    assert api_client.get(f"/api/v1/mediations/{pk}/").status_code == 404
    assert api_client.post(f"/api/v1/mediations/{pk}/close/", {"outcome": "failed"}, format="json").status_code == 404
    api_client.force_authenticate(outsider)
    assert api_client.get("/api/v1/mediations/").status_code == 403


def test_admin_opens_and_closes_through_the_services(client, labour_case, committee, fuzimiao_cadre):
    client.force_login(fuzimiao_cadre)
    added = client.post(
        "/admin/grievances/mediation/add/",
        {
            "grievance": labour_case.pk,
            "committee": committee.pk,
            "mediator": "王志强",
            "sessions-TOTAL_FORMS": "0",
            "sessions-INITIAL_FORMS": "0",
        },
    )
    assert added.status_code == 302, added.content.decode()[:3000]
    mediation = Mediation.objects.get()
    url = f"/admin/grievances/mediation/{mediation.pk}/change/"
    form = {
        "outcome": "agreed",
        "agreement_text": "",
        "amount": "",
        "referral": "",
        "note": "",
        "sessions-TOTAL_FORMS": "1",
        "sessions-INITIAL_FORMS": "0",
        "sessions-0-held_on": timezone.localdate().isoformat(),
        "sessions-0-notes": "双方到场",
        "sessions-0-place": "",
        "sessions-0-attendees": "",
    }
    refused = client.post(url, form)
    assert refused.status_code == 200 and "达成调解协议须填写协议内容" in refused.content.decode()
    form.update(outcome="", agreement_text="")
    assert client.post(url, form).status_code == 302
    assert mediation.sessions.count() == 1
    form.update(outcome="agreed", agreement_text="支付工资", amount="1,000", **{"sessions-TOTAL_FORMS": "0"})
    form = {k: v for k, v in form.items() if not k.startswith("sessions-0")}
    form["sessions-INITIAL_FORMS"] = "1"
    form["sessions-TOTAL_FORMS"] = "1"
    form["sessions-0-id"] = str(mediation.sessions.get().pk)
    form["sessions-0-mediation"] = str(mediation.pk)
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    mediation.refresh_from_db()
    assert (mediation.status, mediation.amount_fen) == ("agreed", 100000)


def test_admin_search_takes_a_ticket_typed_full_width(client, labour_case, committee, fuzimiao_cadre):
    """The mediation changelist's search is a door that takes a ticket: folded like every other."""
    mediation = _open(labour_case, committee, fuzimiao_cadre)
    client.force_login(fuzimiao_cadre)
    change = f"/admin/grievances/mediation/{mediation.pk}/change/"
    wide = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in labour_case.ticket.lower())
    assert change not in client.get("/admin/grievances/mediation/", {"q": "SQ19990101-00001"}).content.decode()
    for typed in (labour_case.ticket, wide):
        assert change in client.get("/admin/grievances/mediation/", {"q": typed}).content.decode()
    assert change in client.get("/admin/grievances/mediation/", {"q": "李秀英"}).content.decode()
