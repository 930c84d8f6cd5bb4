"""Redemption: points out, stock out, in one transaction; cancellation puts both back."""

from __future__ import annotations

from datetime import date, datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from members.models import Person
from points.models import PointAccount, PointEntry, Redemption, Reward, RewardNight
from points.services.ledger import PointsError, _Fallback, _move_fast, _source_fields, debit, draw_fifo, refund


def reward_available_to(reward: Reward, person: Person) -> bool:
    return reward.is_active and person.territory.path.startswith(reward.territory.path)


def points_redeem(
    *,
    person: Person,
    reward: Reward,
    idempotency_key: str,
    actor=None,
    night_date: date | None = None,
    at: datetime | None = None,
) -> Redemption:
    """Redeem ``reward`` for ``person``: debit the cost and take one from stock, atomically.

    Lock order: the person's account row first, then the stock row by a conditional UPDATE
    (``stock = stock - 1 WHERE stock >= 1``), so N simultaneous redemptions against one balance
    fulfil exactly as many as the balance affords and never oversell the stock.
    The same ``idempotency_key`` (a form token) gives back the first redemption.

    An item in stock (not a night) is redeemed in five statements (six with its audit entry) when
    the account covers it and the key is new (``_redeem_fast``); anything else takes the locked
    path, which says why not.
    """
    at = at or timezone.now()
    if not reward.is_nightly and reward.is_active:
        try:
            with transaction.atomic():
                return _redeem_fast(person=person, reward=reward, idempotency_key=idempotency_key, actor=actor, at=at)
        except (_Fallback, IntegrityError):
            pass
    return _redeem_locked(
        person=person, reward=reward, idempotency_key=idempotency_key, actor=actor, night_date=night_date, at=at
    )


def _redeem_fast(*, person: Person, reward: Reward, idempotency_key: str, actor, at: datetime) -> Redemption:
    """1. the balance (and the account lock) by a conditional UPDATE; 2. the stock by a
    conditional UPDATE that also hands back the reward's territory path; 3. the redemption;
    4. the entry; 5. the lots drawn, the draws and the redemption's link to its entry, in one
    statement. A refusal after 1. raises inside the caller's savepoint, undoing the debit."""
    cost = reward.cost
    moved = _move_fast(person_id=person.pk, delta=-cost, earned=0, key=idempotency_key, at=at)
    if moved is None:
        raise _Fallback  # no account, a key seen before, or not enough points: the locked path says which
    table, territory = Reward._meta.db_table, Reward._meta.get_field("territory").related_model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS r SET stock = r.stock - 1 FROM {territory} AS t "
            f"WHERE r.id = %s AND t.id = r.territory_id AND r.is_active AND r.stock >= 1 "
            f"AND %s LIKE t.path || '%%' RETURNING r.id",
            [reward.pk, moved.person_path],
        )
        taken = cursor.fetchone()
    if taken is None:
        if not reward_available_to(reward, person):
            raise PointsError(f"“{reward.name}”不在您可兑换的范围内或已下架")
        raise PointsError(f"“{reward.name}”已兑完")
    redemption = Redemption.objects.create(
        person=person, reward=reward, night=None, cost=cost, requested_at=at, status=Redemption.Status.REQUESTED
    )
    entry = PointEntry.objects.create(
        account_id=moved.account_id,
        kind=PointEntry.Kind.REDEMPTION,
        delta=-cost,
        balance_after=moved.balance,
        actor=actor,
        idempotency_key=idempotency_key,
        note=f"兑换 {reward.name}"[:200],
        territory_id=moved.territory_id,
        station_id=moved.home_station_id,
        created_at=at,
        **_source_fields(redemption),
    )
    link = f"UPDATE {Redemption._meta.db_table} SET debit_entry_id = %s WHERE id = %s"
    draw_fifo(account_id=moved.account_id, entry_id=entry.pk, amount=cost, also=(link, [entry.pk, redemption.pk]))
    redemption.debit_entry = entry
    return redemption


@transaction.atomic
def _redeem_locked(
    *, person: Person, reward: Reward, idempotency_key: str, actor, night_date: date | None, at: datetime
) -> Redemption:
    PointAccount.objects.get_or_create(person=person)
    account = PointAccount.objects.select_for_update().get(person=person)  # the lock everything below relies on
    existing = PointEntry.objects.filter(idempotency_key=idempotency_key).select_related("redemption").first()
    if existing is not None:
        return existing.redemption
    if not reward_available_to(reward, person):
        raise PointsError(f"“{reward.name}”不在您可兑换的范围内或已下架")
    if account.balance < reward.cost:
        raise PointsError(f"积分不足：兑换“{reward.name}”需要 {reward.cost} 分，您当前有 {account.balance} 分")
    night = None
    if reward.is_nightly:
        if night_date is None:
            raise PointsError("请选择入住日期")
        if night_date < timezone.localdate(at):
            raise PointsError("入住日期不能早于今天")
        night = RewardNight.objects.filter(reward=reward, date=night_date).first()
        taken = (
            RewardNight.objects.filter(pk=getattr(night, "pk", None), taken__lt=F("capacity")).update(
                taken=F("taken") + 1
            )
            if night
            else 0
        )
        if taken != 1:
            raise PointsError(f"{night_date:%Y年%m月%d日}的“{reward.name}”已无空房，请选择其他日期")
    else:
        if Reward.objects.filter(pk=reward.pk, stock__gte=1).update(stock=F("stock") - 1) != 1:
            raise PointsError(f"“{reward.name}”已兑完")
    redemption = Redemption.objects.create(
        person=person, reward=reward, night=night, cost=reward.cost, requested_at=at, status=Redemption.Status.REQUESTED
    )
    label = f"{reward.name}（{night_date:%m月%d日}）" if night else reward.name
    redemption.debit_entry = debit(
        person=person,
        amount=reward.cost,
        kind=PointEntry.Kind.REDEMPTION,
        actor=actor,
        source=redemption,
        idempotency_key=idempotency_key,
        note=f"兑换 {label}",
        at=at,
    )
    redemption.save(update_fields=["debit_entry"])
    return redemption


@transaction.atomic
def points_redemption_fulfil(*, redemption: Redemption, actor, at: datetime | None = None) -> Redemption:
    """The reward was handed over (待领取 → 已领取)."""
    at = at or timezone.now()
    changed = Redemption.objects.filter(pk=redemption.pk, status=Redemption.Status.REQUESTED).update(
        status=Redemption.Status.FULFILLED, decided_at=at, decided_by=actor
    )
    redemption.refresh_from_db()
    if not changed and redemption.status != Redemption.Status.FULFILLED:
        raise PointsError(f"该兑换已{redemption.get_status_display()}，不能再领取")
    return redemption


@transaction.atomic
def points_redemption_cancel(*, redemption: Redemption, actor, reason: str, at: datetime | None = None) -> Redemption:
    """Cancel a pending redemption: a refund entry gives the points back and the stock returns."""
    reason = (reason or "").strip()
    if not reason:
        raise PointsError("请填写取消原因")
    at = at or timezone.now()
    # Account first, then the redemption row: the same order as points_redeem.
    PointAccount.objects.select_for_update().get(person_id=redemption.person_id)
    redemption = Redemption.objects.select_for_update(of=("self",)).select_related("reward").get(pk=redemption.pk)
    if redemption.status == Redemption.Status.CANCELLED:
        return redemption
    if redemption.status != Redemption.Status.REQUESTED:
        raise PointsError(f"该兑换已{redemption.get_status_display()}，不能取消")
    redemption.refund_entry = refund(
        debit_entry=redemption.debit_entry,
        actor=actor,
        source=redemption,
        note=f"取消兑换 {redemption.reward.name}：{reason}",
        at=at,
    )
    if redemption.night_id:
        RewardNight.objects.filter(pk=redemption.night_id).update(taken=F("taken") - 1)
    else:
        Reward.objects.filter(pk=redemption.reward_id).update(stock=F("stock") + 1)
    redemption.status = Redemption.Status.CANCELLED
    redemption.decided_at = at
    redemption.decided_by = actor
    redemption.cancel_reason = reason[:200]
    redemption.save(update_fields=["refund_entry", "status", "decided_at", "decided_by", "cancel_reason"])
    return redemption
