"""Writes of the members app: people, memberships, the pipeline, transfers and dues.

Every function validates first and writes in one transaction; a refusal is a ValidationError
whose message names the field and the reason in Chinese.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.dates import add_months
from core.masking import DUPLICATE_ELSEWHERE
from members import counts
from members.models import (
    DevelopmentQuota,
    DevelopmentRecord,
    DuesPayment,
    PartyMembership,
    Person,
    Stage,
    Transfer,
    TransferEvent,
)
from members.rules import (
    MINIMUM_MONTHLY_DUES,
    extension_error,
    monthly_dues,
    pipeline_errors,
    probation_end,
    quarter_average,
)
from organizations.models import PartyOrganization
from organizations.scope import can_see

LOST_CONTACT_MONTHS = 6
TRANSFER_VALID_MONTHS = 3


def _today() -> date:
    return timezone.localdate()


# --- persons --------------------------------------------------------------------------------


def person_id_clash(*, person: Person, actor=None) -> str | None:
    """Why ``person``'s (normalised) ID number cannot be saved: it is another person's — named only
    when ``actor`` may see that person, else "registered in another jurisdiction" (core.masking).
    The admin form asks this too, in place of the model's bare unique check."""
    if not person.id_number:
        return None
    clash = Person.objects.filter(id_number=person.id_number).exclude(pk=person.pk).first()
    if clash is None:
        return None
    if actor is not None and can_see(actor, clash):
        return f"该身份证号已登记为“{clash.name}”，一人只能登记一次"
    return DUPLICATE_ELSEWHERE


@transaction.atomic
def person_save(*, person: Person, actor=None) -> Person:
    """Create or update a person after normalising and validating every field.

    One person per ID number: a second record with the same number is refused — by name only
    when ``actor`` may see the other record; otherwise "registered in another jurisdiction",
    so the error cannot be used to look people up outside one's scope (core.masking).
    """
    previous_employer_id = (
        Person.objects.filter(pk=person.pk).values_list("employer_id", flat=True).first() if person.pk else None
    )
    person.full_clean(validate_unique=False)
    if message := person_id_clash(person=person, actor=actor):
        raise ValidationError({"id_number": message})
    person.save()
    if previous_employer_id != person.employer_id and PartyMembership.objects.filter(person=person).exists():
        counts.refresh_for_units({previous_employer_id, person.employer_id})
    return person


# --- memberships ----------------------------------------------------------------------------


# A member's organization and standing change through their own procedures only: the
# organization by 组织关系转接 (two officers, a full trail), full membership by the development
# pipeline's 转正 step. A plain edit (admin form, any other door) may not change them.
LIFECYCLE_FIELDS = {
    "organization_id": "所在党组织请通过“组织关系转接”变更（转出审批、转入接收）",
    "status": "党员身份请通过发展党员流程“转正”办理",
    "full_member_on": "转正日期由发展党员流程“转正”记录",
}


@transaction.atomic
def membership_save(*, membership: PartyMembership, lifecycle: bool = False) -> PartyMembership:
    """Create or update a membership; the organizations' member counts follow.

    ``lifecycle=True`` is for the procedures that own ``LIFECYCLE_FIELDS`` (transfer, 转正,
    registering an invisible member); any other update that changes one is refused."""
    previous_org_id = None
    if membership.pk:
        stored = PartyMembership.objects.filter(pk=membership.pk).values(*LIFECYCLE_FIELDS).first() or {}
        previous_org_id = stored.get("organization_id")
        changed = {
            name.removesuffix("_id"): message
            for name, message in LIFECYCLE_FIELDS.items()
            if not lifecycle and stored and stored[name] != getattr(membership, name)
        }
        if changed:
            raise ValidationError(changed)
    if membership.status == PartyMembership.Status.PROBATIONARY and membership.joined_on:
        membership.probation_ends_on = membership.probation_ends_on or probation_end(membership.joined_on)
    if membership.last_contact_on is None:
        membership.last_contact_on = _today()
    membership.full_clean()
    membership.save()
    counts.refresh_for_organizations({previous_org_id, membership.organization_id})
    counts.refresh_for_units({membership.person.employer_id})
    return membership


@transaction.atomic
def membership_record_contact(*, membership: PartyMembership, on: date | None = None) -> PartyMembership:
    """A contact with the member (a visit, a call, a meeting attended) clears the lost flag."""
    on = on or _today()
    if on > _today():
        raise ValidationError({"last_contact_on": "联系日期不能晚于今天"})
    membership.last_contact_on = max(on, membership.last_contact_on or on)
    membership.lost_contact = False
    membership.save(update_fields=["last_contact_on", "lost_contact", "updated_at"])
    return membership


def memberships_mark_lost_contact(*, today: date | None = None) -> int:
    """Flag members not contacted for six months (idempotent; returns how many were flagged)."""
    today = today or _today()
    cutoff = add_months(today, -LOST_CONTACT_MONTHS)
    flagged = PartyMembership.objects.filter(lost_contact=False, last_contact_on__lt=cutoff).update(
        lost_contact=True, updated_at=timezone.now()
    )
    PartyMembership.objects.filter(lost_contact=True, last_contact_on__gte=cutoff).update(
        lost_contact=False, updated_at=timezone.now()
    )
    return flagged


@transaction.atomic
def membership_register_invisible(
    *, membership: PartyMembership, organization: PartyOrganization, actor
) -> PartyMembership:
    """An invisible member found by a survey registers with a local organization."""
    if not membership.is_invisible:
        raise ValidationError("该党员已在本地登记，不是隐形党员")
    if not can_see(actor, organization):
        raise ValidationError({"organization": "只能登记到您管辖范围内的党组织"})
    membership.is_invisible = False
    membership.organization = organization
    return membership_save(membership=membership, lifecycle=True)


# --- development pipeline --------------------------------------------------------------------


@transaction.atomic
def development_start(
    *, person: Person, organization: PartyOrganization, applied_on: date, actor=None
) -> DevelopmentRecord:
    """Open a development record for an applicant (入党申请人)."""
    if hasattr(person, "membership"):
        raise ValidationError(f"{person.name}已是党员，无需建立发展档案")
    if DevelopmentRecord.objects.filter(person=person, is_closed=False).exists():
        raise ValidationError(f"{person.name}已有一份正在进行的发展党员档案")
    if actor is not None and not can_see(actor, organization):
        raise ValidationError({"organization": "只能在您管辖范围内的党组织建立发展档案"})
    record = DevelopmentRecord(person=person, organization=organization, applied_on=applied_on)
    errors = pipeline_errors(
        record=record, stage=Stage.APPLICANT, on=applied_on, birth_date=person.birth_date, today=_today()
    )
    if errors:
        raise ValidationError({"applied_on": errors})
    record.save()
    return record


@transaction.atomic
def development_advance(
    *,
    record: DevelopmentRecord,
    stage: int,
    on: date,
    introducers: str | None = None,
    quota: DevelopmentQuota | None = None,
    actor=None,
) -> DevelopmentRecord:
    """Move a record to the next stage on ``on``, enforcing the waiting times.

    Admission (预备党员) uses one place of a development quota and creates the membership;
    full membership (转正) updates it.
    """
    record = DevelopmentRecord.objects.select_for_update().select_related("person").get(pk=record.pk)
    if record.is_closed:
        raise ValidationError("该发展档案已终止")
    if actor is not None and not can_see(actor, record.organization):
        raise ValidationError("只能办理您管辖范围内党组织的发展档案")
    if introducers is not None:
        record.introducers = introducers.strip()
    stage = Stage(stage)
    errors = pipeline_errors(
        record=record,
        stage=stage,
        on=on,
        birth_date=record.person.birth_date,
        today=_today(),
        extension_months=record.probation_extension_months,
    )
    if stage == Stage.PROBATIONARY:
        quota_error = _quota_check(quota=quota, on=on)
        if quota_error:
            errors.append(quota_error)
    if errors:
        raise ValidationError({"stage": errors})
    from members.models import STAGE_DATE_FIELD

    setattr(record, STAGE_DATE_FIELD[stage], on)
    record.stage = stage
    if stage == Stage.PROBATIONARY:
        # Lock the quota row so two admissions cannot both take its last place.
        record.quota = DevelopmentQuota.objects.select_for_update().get(pk=quota.pk)
        if quota_used(record.quota) >= record.quota.amount:
            raise ValidationError({"stage": [f"{record.quota}已用完，无法再接收预备党员"]})
        membership_save(
            membership=PartyMembership(
                person=record.person,
                status=PartyMembership.Status.PROBATIONARY,
                organization=record.organization,
                joined_on=on,
                probation_ends_on=probation_end(on),
                is_new_employment=record.person.is_new_employment,
            )
        )
    elif stage == Stage.FULL:
        membership = PartyMembership.objects.select_for_update().get(person=record.person)
        membership.status = PartyMembership.Status.FULL
        membership.full_member_on = on
        membership_save(membership=membership, lifecycle=True)
    record.save()
    return record


def _quota_check(*, quota: DevelopmentQuota | None, on: date) -> str | None:
    if quota is None:
        return "接收预备党员须占用一个年度发展指标，请选择发展指标"
    if quota.year != on.year:
        return f"所选发展指标是{quota.year}年的，接收日期在{on.year}年"
    if quota_used(quota) >= quota.amount:
        return f"{quota}已用完，无法再接收预备党员"
    return None


def quota_used(quota: DevelopmentQuota) -> int:
    return quota.records.filter(stage__gte=Stage.PROBATIONARY).count()


@transaction.atomic
def development_extend_probation(*, record: DevelopmentRecord, months: int, actor=None) -> DevelopmentRecord:
    """延长预备期 6–12 months (once); the membership's probation end moves with it."""
    record = DevelopmentRecord.objects.select_for_update().get(pk=record.pk)
    if record.stage != Stage.PROBATIONARY:
        raise ValidationError("只有预备党员可以延长预备期")
    if record.probation_extension_months:
        raise ValidationError(f"预备期已延长{record.probation_extension_months}个月，只能延长一次")
    if error := extension_error(months):
        raise ValidationError({"probation_extension_months": error})
    record.probation_extension_months = months
    record.save(update_fields=["probation_extension_months"])
    PartyMembership.objects.filter(person=record.person).update(
        probation_ends_on=probation_end(record.admitted_on, months)
    )
    return record


@transaction.atomic
def development_close(*, record: DevelopmentRecord, reason: str, actor=None) -> DevelopmentRecord:
    if not reason.strip():
        raise ValidationError({"closed_reason": "终止发展须填写原因"})
    record.is_closed = True
    record.closed_reason = reason.strip()
    record.save(update_fields=["is_closed", "closed_reason"])
    return record


# --- organization-relation transfers ---------------------------------------------------------


def _event(transfer: Transfer, action: str, actor, note: str = "") -> None:
    TransferEvent.objects.create(transfer=transfer, action=action, actor=actor, at=timezone.now(), note=note)


def _require_side(actor, organization: PartyOrganization, side: str) -> None:
    if actor is not None and not can_see(actor, organization):
        raise ValidationError(f"只有{side}（{organization}）的管理人员可以办理此环节")


@transaction.atomic
def transfer_request(
    *, membership: PartyMembership, to_organization: PartyOrganization, reason: str, actor=None
) -> Transfer:
    """Start a transfer of ``membership`` to ``to_organization`` (valid three months)."""
    if membership.is_invisible or membership.organization_id is None:
        raise ValidationError("隐形党员尚未在本地登记，请先登记到本地党组织")
    if membership.organization_id == to_organization.pk:
        raise ValidationError({"to_organization": "转入党组织与当前所在党组织相同"})
    if to_organization.status == PartyOrganization.Status.DISSOLVED:
        raise ValidationError({"to_organization": f"{to_organization}已撤销，不能接收组织关系"})
    if not reason.strip():
        raise ValidationError({"reason": "请填写转接原因"})
    _require_side(actor, membership.organization, "转出党组织")
    now = timezone.now()
    transfer = Transfer(
        membership=membership,
        from_organization_id=membership.organization_id,
        to_organization=to_organization,
        reason=reason.strip(),
        requested_at=now,
        valid_until=add_months(timezone.localdate(now), TRANSFER_VALID_MONTHS),
    )
    try:
        with transaction.atomic():
            transfer.save()
    except IntegrityError as exc:
        raise ValidationError("该党员已有一件正在办理的组织关系转接，请先办结或撤销") from exc
    _event(transfer, TransferEvent.Action.REQUEST, actor, transfer.reason)
    return transfer


def _claim(transfer: Transfer, *, expected: tuple[str, ...], new_status: str, **fields) -> Transfer:
    """Move ``transfer`` from one of ``expected`` to ``new_status`` only if nobody else did first.

    A conditional UPDATE is the lock: of two officers clicking accept and reject at the same
    moment, exactly one changes the row; the other gets a clear message.
    """
    changed = Transfer.objects.filter(pk=transfer.pk, status__in=expected).update(status=new_status, **fields)
    fresh = Transfer.objects.select_related("membership", "from_organization", "to_organization").get(pk=transfer.pk)
    if not changed:
        raise ValidationError(f"该转接当前状态为“{fresh.get_status_display()}”，不能再办理此环节（可能已被他人办理）")
    return fresh


def _expire_if_due(transfer: Transfer) -> None:
    # The daily task marks it expired; until then the step is refused here.
    if transfer.status in Transfer.OPEN_STATUSES and transfer.valid_until < _today():
        raise ValidationError(f"介绍信已于{transfer.valid_until:%Y-%m-%d}过期，请重新发起转接")


@transaction.atomic
def transfer_approve(*, transfer: Transfer, actor=None, note: str = "") -> Transfer:
    """The outgoing organization approves: the letter goes to the receiving organization."""
    _require_side(actor, transfer.from_organization, "转出党组织")
    _expire_if_due(transfer)
    transfer = _claim(transfer, expected=(Transfer.Status.REQUESTED,), new_status=Transfer.Status.APPROVED)
    _event(transfer, TransferEvent.Action.APPROVE, actor, note)
    return transfer


@transaction.atomic
def transfer_accept(*, transfer: Transfer, actor=None, note: str = "") -> Transfer:
    """The receiving organization accepts: only now does the member's organization change."""
    _require_side(actor, transfer.to_organization, "转入党组织")
    _expire_if_due(transfer)
    # Separation of duties: the letter's two ends are checked by two people, even when one
    # officer's posts reach both organizations (an industry committee co-managing both).
    if (
        actor is not None
        and TransferEvent.objects.filter(
            transfer=transfer, action=TransferEvent.Action.APPROVE, actor_id=actor.pk
        ).exists()
    ):
        raise ValidationError("审批转出和接收转入须由不同的人员办理：您已审批转出，请由转入党组织的其他人员接收")
    transfer = _claim(
        transfer, expected=(Transfer.Status.APPROVED,), new_status=Transfer.Status.ACCEPTED, decided_at=timezone.now()
    )
    membership = PartyMembership.objects.select_for_update().get(pk=transfer.membership_id)
    if membership.organization_id != transfer.from_organization_id:
        raise ValidationError("该党员的所在党组织在申请后已变更，请退回后重新发起转接")
    membership.organization_id = transfer.to_organization_id
    membership.last_contact_on = _today()
    membership.lost_contact = False
    membership_save(membership=membership, lifecycle=True)
    _event(transfer, TransferEvent.Action.ACCEPT, actor, note)
    return transfer


@transaction.atomic
def transfer_reject(*, transfer: Transfer, reason: str, actor=None) -> Transfer:
    """Either side sends the transfer back with a reason: outgoing before approval,
    receiving after it."""
    if not (reason or "").strip():
        raise ValidationError({"reject_reason": "退回须填写原因"})
    if transfer.status == Transfer.Status.REQUESTED:
        _require_side(actor, transfer.from_organization, "转出党组织")
    else:
        _require_side(actor, transfer.to_organization, "转入党组织")
    transfer = _claim(
        transfer,
        expected=(transfer.status,) if transfer.status in Transfer.OPEN_STATUSES else (),
        new_status=Transfer.Status.REJECTED,
        reject_reason=reason.strip(),
        decided_at=timezone.now(),
    )
    _event(transfer, TransferEvent.Action.REJECT, actor, reason.strip())
    return transfer


@transaction.atomic
def transfer_cancel(*, transfer: Transfer, actor=None, note: str = "") -> Transfer:
    _require_side(actor, transfer.from_organization, "转出党组织")
    transfer = _claim(
        transfer, expected=Transfer.OPEN_STATUSES, new_status=Transfer.Status.CANCELLED, decided_at=timezone.now()
    )
    _event(transfer, TransferEvent.Action.CANCEL, actor, note)
    return transfer


def transfers_expire(*, today: date | None = None) -> int:
    """Close open transfers whose letter has expired (idempotent)."""
    today = today or _today()
    expired = 0
    for pk in Transfer.objects.filter(status__in=Transfer.OPEN_STATUSES, valid_until__lt=today).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            changed = Transfer.objects.filter(pk=pk, status__in=Transfer.OPEN_STATUSES).update(
                status=Transfer.Status.EXPIRED, decided_at=timezone.now()
            )
            if changed:
                TransferEvent.objects.create(
                    transfer_id=pk, action=TransferEvent.Action.EXPIRE, at=timezone.now(), note="介绍信超过3个月有效期"
                )
                expired += 1
    return expired


# --- dues ---------------------------------------------------------------------------------


@transaction.atomic
def dues_assess(
    *,
    membership: PartyMembership,
    category: str,
    monthly_income: Decimal | None = None,
    quarter_incomes: list[Decimal] | None = None,
    on: date | None = None,
) -> PartyMembership:
    """核定党费: the monthly amount from the category and after-tax income.

    Irregular earners give the previous quarter's three monthly incomes; their average is the basis.
    """
    if category not in PartyMembership.DuesCategory.values:
        raise ValidationError({"dues_category": f"未知的党费计算方式：{category}"})
    try:
        if category == PartyMembership.DuesCategory.IRREGULAR:
            if not quarter_incomes:
                raise ValueError("收入不固定的党员须填写上季度三个月的税后收入")
            basis = quarter_average(quarter_incomes)
        elif category in ("student", "unemployed", "relief"):
            basis = None
        else:
            basis = monthly_income
        amount = monthly_dues(category=category, monthly_income=basis)
    except (ValueError, ArithmeticError) as exc:
        raise ValidationError({"dues_income_basis": str(exc)}) from exc
    membership.dues_category = category
    membership.dues_income_basis = basis
    membership.dues_monthly = amount
    membership.dues_assessed_on = on or _today()
    membership.save(
        update_fields=["dues_category", "dues_income_basis", "dues_monthly", "dues_assessed_on", "updated_at"]
    )
    return membership


@transaction.atomic
def dues_pay(
    *, membership: PartyMembership, period: date, amount: Decimal, paid_on: date | None = None, actor=None, note=""
) -> DuesPayment:
    """Record one month's dues. A month is paid once; the amount may exceed the assessed one
    (members may pay more), never fall below it."""
    period = period.replace(day=1)
    paid_on = paid_on or _today()
    amount = Decimal(amount)
    if period > _today().replace(day=1):
        raise ValidationError({"period": f"不能预先登记{period:%Y年%m月}以后的党费"})
    minimum = membership.dues_monthly or MINIMUM_MONTHLY_DUES
    if amount < minimum:
        raise ValidationError({"amount": f"交纳金额{amount}元低于核定的月交党费{minimum}元"})
    if DuesPayment.objects.filter(membership=membership, period=period).exists():
        raise ValidationError({"period": f"{membership.person.name} {period:%Y年%m月}的党费已登记"})
    payment = DuesPayment(
        membership=membership, period=period, amount=amount, paid_on=paid_on, recorded_by=actor, note=note
    )
    payment.clean()
    payment.save()
    return payment
