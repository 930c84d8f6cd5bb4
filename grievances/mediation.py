"""劳动争议调解: the writes (open, record a session, close) and the figures (rates) of mediation
on 劳动权益 cases. Kept beside the grievance services, which stay about the case itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from grievances.models import Grievance, GrievanceEvent, Mediation, MediationCommittee, MediationSession
from grievances.services.base import record_event
from organizations.scope import restrict

LABOUR_CATEGORY = "labour"
CLOSED_STATUSES = (
    Mediation.Status.AGREED,
    Mediation.Status.REFERRED,
    Mediation.Status.FAILED,
    Mediation.Status.WITHDRAWN,
)


def _check_committee(committee: MediationCommittee, grievance: Grievance) -> None:
    if not committee.is_active:
        raise ValidationError({"committee": f"“{committee.name}”已停用"})
    # A committee mediates where it sits and below: the case's place must lie under it.
    if grievance.territory_id and not grievance.territory.path.startswith(committee.territory.path):
        raise ValidationError(
            {"committee": f"“{committee.name}”不管辖{grievance.territory.name}，请选择案件所在地的调解组织"}
        )


def mediation_open_check(*, grievance: Grievance, committee: MediationCommittee, mediator: str) -> None:
    """The rules of opening, without writing (the admin form shows them next to the fields)."""
    if grievance.category is None or grievance.category.code != LABOUR_CATEGORY:
        raise ValidationError({"grievance": f"诉求 {grievance.ticket} 不是“劳动权益”类，不能进入劳动争议调解"})
    if grievance.state in (Grievance.State.DUPLICATE, Grievance.State.REJECTED):
        raise ValidationError({"grievance": f"诉求 {grievance.ticket} 已{grievance.get_state_display()}，不能调解"})
    mediator = (mediator or "").strip()
    if not mediator:
        raise ValidationError({"mediator": "请填写调解员"})
    _check_committee(committee, grievance)
    if Mediation.objects.filter(grievance=grievance).exists():
        raise ValidationError({"grievance": f"诉求 {grievance.ticket} 已有调解记录"})


@transaction.atomic
def mediation_open(*, grievance: Grievance, committee: MediationCommittee, mediator: str, actor) -> Mediation:
    """受理调解 on a 劳动权益 case (欠薪、劳动合同、社保、工伤…)."""
    mediation_open_check(grievance=grievance, committee=committee, mediator=mediator)
    mediator = mediator.strip()
    try:
        with transaction.atomic():
            mediation = Mediation.objects.create(
                grievance=grievance, committee=committee, mediator=mediator, opened_at=timezone.now(), opened_by=actor
            )
    except IntegrityError as exc:
        raise ValidationError({"grievance": f"诉求 {grievance.ticket} 已有调解记录"}) from exc
    record_event(
        grievance, GrievanceEvent.Kind.NOTE, actor=actor, note=f"进入劳动争议调解：{committee.name}，调解员 {mediator}"
    )
    return mediation


@transaction.atomic
def mediation_session_record(
    *, mediation: Mediation, held_on: date, notes: str, actor, place: str = "", attendees: str = ""
) -> MediationSession:
    if mediation.status != Mediation.Status.OPEN:
        raise ValidationError(f"调解已结案（{mediation.get_status_display()}），不能再记录调解会")
    if not (notes or "").strip():
        raise ValidationError({"notes": "请填写调解情况"})
    session = MediationSession(
        mediation=mediation, held_on=held_on, notes=notes, place=place, attendees=attendees, recorded_by=actor
    )
    session.full_clean()
    session.save()
    return session


def parse_amount_fen(value) -> int | None:
    """“1,200.50” yuan → 120050 fen; blank → None. Money never passes through a float."""
    if value is None or str(value).strip() == "":
        return None
    try:
        amount = Decimal(str(value).replace(",", "").replace("，", "").strip())
    except InvalidOperation as exc:
        raise ValidationError({"amount": f"协议金额“{value}”不是有效的数字（单位：元）"}) from exc
    if amount < 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": "协议金额须为不小于 0 的金额，最多两位小数（单位：元）"})
    return int(amount * 100)


def mediation_close_check(
    *, mediation: Mediation, outcome: str, agreement: str = "", amount_fen: int | None = None, referral_to: str = ""
) -> None:
    """The rules of closing, without writing."""
    agreement = (agreement or "").strip()
    if mediation.status != Mediation.Status.OPEN:
        raise ValidationError("调解已结案，不能重复结案")
    if outcome not in CLOSED_STATUSES:
        raise ValidationError({"outcome": "请选择结案方式"})
    if outcome == Mediation.Status.AGREED and not agreement:
        raise ValidationError({"agreement": "达成调解协议须填写协议内容"})
    if outcome == Mediation.Status.REFERRED and referral_to not in Mediation.Referral.values:
        raise ValidationError({"referral_to": "转出须选择移交机构（仲裁、法院、劳动监察或法律援助）"})
    if outcome in (Mediation.Status.AGREED, Mediation.Status.FAILED) and not mediation.sessions.exists():
        raise ValidationError({"outcome": "尚未记录调解会：请先记录至少一次调解会再结案"})
    if outcome != Mediation.Status.AGREED and amount_fen is not None:
        raise ValidationError({"amount": "只有达成调解协议时才填写协议金额"})


@transaction.atomic
def mediation_close(
    *,
    mediation: Mediation,
    outcome: str,
    actor,
    agreement: str = "",
    amount_fen: int | None = None,
    referral_to: str = "",
    note: str = "",
) -> Mediation:
    """结案: an agreement (text, optional amount), a referral (to whom), no agreement, or withdrawn."""
    mediation_close_check(
        mediation=mediation, outcome=outcome, agreement=agreement, amount_fen=amount_fen, referral_to=referral_to
    )
    agreement, note = (agreement or "").strip(), (note or "").strip()
    now = timezone.now()
    # A conditional update: two officers closing at once cannot both succeed.
    updated = Mediation.objects.filter(pk=mediation.pk, status=Mediation.Status.OPEN).update(
        status=outcome,
        closed_at=now,
        agreement=agreement,
        amount_fen=amount_fen,
        referral_to=referral_to if outcome == Mediation.Status.REFERRED else "",
        outcome_note=note,
    )
    if not updated:
        raise ValidationError("调解已结案，不能重复结案")
    mediation.refresh_from_db()
    label = mediation.get_status_display()
    if outcome == Mediation.Status.REFERRED:
        label += f"（{mediation.get_referral_to_display()}）"
    record_event(mediation.grievance, GrievanceEvent.Kind.NOTE, actor=actor, note=f"劳动争议调解结案：{label}")
    return mediation


# --- figures ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MediationFigures:
    labour_cases: int
    mediated: int
    opened: int
    open_now: int
    closed: int
    agreed: int
    referred: int
    failed: int
    withdrawn: int
    sessions: int
    amount_fen: int

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(part * 100 / whole, 1) if whole else None

    @property
    def intake_rate(self) -> float | None:
        """调解介入率: labour cases received in the period that went to mediation."""
        return self._rate(self.mediated, self.labour_cases)

    @property
    def agreement_rate(self) -> float | None:
        """调解成功率: agreements ÷ mediations closed in the period."""
        return self._rate(self.agreed, self.closed)

    @property
    def referral_rate(self) -> float | None:
        return self._rate(self.referred, self.closed)


def mediation_figures(*, user, since: datetime, until: datetime, territory=None) -> MediationFigures:
    """THE mediation selector: figures for mediations the user may see (the case's scope), for
    labour cases received / mediations opened / closed within [since, until)."""
    mediations = restrict(Mediation.objects.all(), user)
    labour = restrict(Grievance.objects.filter(category__code=LABOUR_CATEGORY), user).exclude(
        state__in=[Grievance.State.DUPLICATE, Grievance.State.REJECTED]
    )
    if territory is not None:
        mediations = mediations.filter(grievance__territory__path__startswith=territory.path)
        labour = labour.filter(territory__path__startswith=territory.path)
    labour = labour.filter(submitted_at__gte=since, submitted_at__lt=until)
    in_period = Q(closed_at__gte=since, closed_at__lt=until)
    totals = mediations.aggregate(
        opened=Count("id", filter=Q(opened_at__gte=since, opened_at__lt=until)),
        open_now=Count("id", filter=Q(status=Mediation.Status.OPEN)),
        closed=Count("id", filter=in_period),
        agreed=Count("id", filter=in_period & Q(status=Mediation.Status.AGREED)),
        referred=Count("id", filter=in_period & Q(status=Mediation.Status.REFERRED)),
        failed=Count("id", filter=in_period & Q(status=Mediation.Status.FAILED)),
        withdrawn=Count("id", filter=in_period & Q(status=Mediation.Status.WITHDRAWN)),
        amount=Sum("amount_fen", filter=in_period & Q(status=Mediation.Status.AGREED)),
    )
    labour_totals = labour.aggregate(cases=Count("id"), mediated=Count("id", filter=Q(mediation__isnull=False)))
    sessions = MediationSession.objects.filter(
        mediation__in=mediations,
        held_on__gte=timezone.localtime(since).date(),
        held_on__lt=timezone.localtime(until).date(),
    ).count()
    return MediationFigures(
        labour_cases=labour_totals["cases"],
        mediated=labour_totals["mediated"],
        opened=totals["opened"],
        open_now=totals["open_now"],
        closed=totals["closed"],
        agreed=totals["agreed"],
        referred=totals["referred"],
        failed=totals["failed"],
        withdrawn=totals["withdrawn"],
        sessions=sessions,
        amount_fen=totals["amount"] or 0,
    )
