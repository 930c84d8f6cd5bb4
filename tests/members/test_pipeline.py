from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.dates import add_months
from members.models import DevelopmentQuota, PartyMembership, Stage
from members.rules import pipeline_errors
from members.selectors import candidate_reserve, pipeline_counts, quota_usage
from members.services import development_advance, development_extend_probation, development_start, quota_used
from tests.members.factories import make_person

TODAY = timezone.localdate


def test_add_months_clamps_to_month_end():
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert add_months(date(2024, 3, 15), -3) == date(2023, 12, 15)


def test_applicant_must_be_18(world):
    today = TODAY()
    young = make_person(world.fuzimiao, name="小明", birth=today.replace(year=today.year - 17) - timedelta(days=30))
    with pytest.raises(ValidationError) as exc:
        development_start(person=young, organization=world.fuzimiao_org, applied_on=today)
    assert "年满18周岁" in str(exc.value)


def _record(world, applied_on):
    person = make_person(world.fuzimiao, name="赵六", birth=date(1995, 3, 3))
    return development_start(person=person, organization=world.fuzimiao_org, applied_on=applied_on)


def test_one_year_as_activist_before_candidate(world, qinhuai_organizer):
    today = TODAY()
    start = add_months(today, -30)
    record = _record(world, start)
    activist_on = add_months(today, -12) + timedelta(days=1)  # one day short of a year
    development_advance(record=record, stage=Stage.ACTIVIST, on=activist_on, actor=qinhuai_organizer)
    with pytest.raises(ValidationError) as exc:
        development_advance(record=record, stage=Stage.CANDIDATE, on=today, introducers="王一、王二")
    message = str(exc.value)
    assert "一年以上" in message and f"{add_months(activist_on, 12):%Y-%m-%d}" in message
    record.refresh_from_db()
    assert record.stage == Stage.ACTIVIST and record.candidate_on is None


def test_stages_cannot_be_skipped_and_candidate_needs_two_introducers(world):
    today = TODAY()
    record = _record(world, add_months(today, -30))
    with pytest.raises(ValidationError, match="下一步只能是"):
        development_advance(record=record, stage=Stage.CANDIDATE, on=today)
    development_advance(record=record, stage=Stage.ACTIVIST, on=add_months(today, -24))
    with pytest.raises(ValidationError, match="两名正式党员"):
        development_advance(record=record, stage=Stage.CANDIDATE, on=today, introducers="王一")


def test_full_pipeline_uses_quota_and_enforces_probation(world):
    today = TODAY()
    quota = DevelopmentQuota.objects.create(body=world.scjg, year=today.year, amount=1)
    record = _record(world, add_months(today, -30))
    development_advance(record=record, stage=Stage.ACTIVIST, on=add_months(today, -28))
    development_advance(record=record, stage=Stage.CANDIDATE, on=add_months(today, -14), introducers="王一、王二")
    with pytest.raises(ValidationError, match="发展指标"):
        development_advance(record=record, stage=Stage.PROBATIONARY, on=today)  # no quota chosen
    development_advance(record=record, stage=Stage.PROBATIONARY, on=today, quota=quota)
    membership = PartyMembership.objects.get(person=record.person)
    assert membership.status == PartyMembership.Status.PROBATIONARY
    assert membership.probation_ends_on == add_months(today, 12)
    assert quota_used(quota) == 1
    world.fuzimiao_org.refresh_from_db()
    assert world.fuzimiao_org.member_count == 1 and world.fuzimiao_org.full_member_count == 0
    # The quota is used up for the next admission.
    other = _record(world, add_months(today, -30))
    development_advance(record=other, stage=Stage.ACTIVIST, on=add_months(today, -28))
    development_advance(record=other, stage=Stage.CANDIDATE, on=add_months(today, -14), introducers="王一、王二")
    with pytest.raises(ValidationError, match="已用完"):
        development_advance(record=other, stage=Stage.PROBATIONARY, on=today, quota=quota)
    # Probation: a year, plus any extension.
    record.refresh_from_db()
    development_extend_probation(record=record, months=6)
    membership.refresh_from_db()
    assert membership.probation_ends_on == add_months(today, 18)


def test_probation_rule_reads_the_extension():
    class Record:
        stage = Stage.PROBATIONARY
        admitted_on = date(2024, 1, 10)
        introducer_list = ["a", "b"]

    errors = pipeline_errors(
        record=Record(),
        stage=Stage.FULL,
        on=date(2025, 3, 1),
        birth_date=None,
        today=date(2026, 1, 1),
        extension_months=6,
    )
    assert errors and "2025-07-10" in errors[0] and "延长预备期6个月" in errors[0]
    assert not pipeline_errors(
        record=Record(), stage=Stage.FULL, on=date(2025, 1, 10), birth_date=None, today=date(2026, 1, 1)
    )


def test_extension_must_be_6_to_12_months(world):
    today = TODAY()
    quota = DevelopmentQuota.objects.create(body=world.scjg, year=today.year, amount=5)
    record = _record(world, add_months(today, -30))
    development_advance(record=record, stage=Stage.ACTIVIST, on=add_months(today, -28))
    development_advance(record=record, stage=Stage.CANDIDATE, on=add_months(today, -14), introducers="王一、王二")
    development_advance(record=record, stage=Stage.PROBATIONARY, on=today, quota=quota)
    with pytest.raises(ValidationError, match="6至12个月"):
        development_extend_probation(record=record, months=3)


def test_counts_and_quota_usage_are_scoped(world, fuzimiao_cadre, xinjiekou_cadre, municipal):
    today = TODAY()
    DevelopmentQuota.objects.create(body=world.scjg, year=today.year, amount=10)
    record = _record(world, add_months(today, -30))
    development_advance(record=record, stage=Stage.ACTIVIST, on=add_months(today, -28))
    development_advance(record=record, stage=Stage.CANDIDATE, on=add_months(today, -14), introducers="王一、王二")
    assert candidate_reserve(fuzimiao_cadre) == 1
    assert candidate_reserve(xinjiekou_cadre) == 0
    assert pipeline_counts(fuzimiao_cadre)["发展对象"] == 1
    assert [u.quota.amount for u in quota_usage(municipal, year=today.year)] == [10]
    assert quota_usage(fuzimiao_cadre, year=today.year) == []
