"""Redemption: points out, stock out, in one transaction; cancellation puts both back."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, DataError, IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.signals import post_save
from django.utils import timezone

from members.models import Person
from points.models import LotDraw, PointAccount, PointEntry, PointLot, Redemption, Reward, RewardNight
from points.services.ledger import (
    PointsError,
    _account_update_sql,
    _Fallback,
    _Moved,
    debit,
    insert_columns,
    refund,
)


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

    An item in stock (not a night) is redeemed in three round trips when the account covers it and
    the key is new (``_redeem_fast``, PostgreSQL); anything else takes the locked path, which says
    why not.
    """
    at = at or timezone.now()
    if not reward.is_nightly and reward.is_active and connection.vendor == "postgresql":
        if not connection.in_atomic_block:
            with transaction.atomic():  # the fast path's savepoint needs a transaction around it
                return points_redeem(
                    person=person, reward=reward, idempotency_key=idempotency_key, actor=actor,
                    night_date=night_date, at=at,
                )  # fmt: skip
        try:
            return _redeem_fast(person=person, reward=reward, idempotency_key=idempotency_key, actor=actor, at=at)
        except (_Fallback, IntegrityError):
            pass
    return _redeem_locked(
        person=person, reward=reward, idempotency_key=idempotency_key, actor=actor, night_date=night_date, at=at
    )


def _debit_and_take_stock_sql() -> str:
    """The account's conditional debit (``_account_update_sql``: it also takes the account lock)
    and the reward's conditional stock decrement in one statement. The stock row is joined to the
    debit's result, so it is locked after the account (the order every path keeps) and only when
    the debit happened; the last column says whether it was taken."""
    reward, territory = Reward._meta.db_table, Reward._meta.get_field("territory").related_model._meta.db_table
    return (
        f"WITH moved AS ({_account_update_sql(True)}), "
        f"stock AS (UPDATE {reward} AS r SET stock = r.stock - 1 FROM {territory} AS rt, moved "
        f"WHERE r.id = %(reward)s AND rt.id = r.territory_id AND r.is_active AND r.stock >= 1 "
        f"AND moved.person_path LIKE rt.path || '%%' RETURNING r.id) "
        f"SELECT moved.account_id, moved.balance, moved.earned_total, moved.person_path, moved.territory_id, "
        f"moved.home_station_id, EXISTS (SELECT 1 FROM stock) FROM moved"
    )


def _record_sql(redemption: Redemption, entry: PointEntry, cost: int) -> tuple[str, list]:
    """The redemption, its debit entry (each naming the other: the entry's id is drawn first), the
    FIFO draws from the lots and the lots' new remainders, in one statement. Returns the
    redemption's id and the entry's id; fails if the lots do not cover ``cost``."""
    red_table, entry_table = Redemption._meta.db_table, PointEntry._meta.db_table
    lot, draw = PointLot._meta.db_table, LotDraw._meta.db_table
    entry_pk = PointEntry._meta.pk.column
    red_columns, red_values, red_params = insert_columns(
        redemption, {Redemption._meta.get_field("debit_entry").column: "ids.entry_id"}
    )
    entry_columns, entry_values, entry_params = insert_columns(
        entry, {entry_pk: "ids.entry_id", PointEntry._meta.get_field("source_id").column: "red.id"}
    )
    sql = (
        f"WITH ids AS (SELECT nextval(pg_get_serial_sequence('{entry_table}', '{entry_pk}')) AS entry_id), "
        f"red AS (INSERT INTO {red_table} ({red_columns}) SELECT {red_values} FROM ids RETURNING id), "
        f"entry AS (INSERT INTO {entry_table} ({entry_columns}) SELECT {entry_values} FROM ids, red "
        f"RETURNING {entry_pk} AS id), "
        f"ordered AS (SELECT id, remaining, SUM(remaining) OVER (ORDER BY expires_at ASC NULLS LAST, id) "
        f"AS upto FROM {lot} WHERE account_id = %s AND remaining > 0), "
        f"taken AS (SELECT id, LEAST(remaining, %s - (upto - remaining)) AS amount FROM ordered "
        f"WHERE upto - remaining < %s), "
        f"lots AS (UPDATE {lot} AS l SET remaining = l.remaining - taken.amount FROM taken WHERE l.id = taken.id), "
        f"draws AS (INSERT INTO {draw} (entry_id, lot_id, amount) SELECT entry.id, taken.id, taken.amount "
        f"FROM entry, taken RETURNING amount) "
        # Fails (division by zero: a DataError) unless the lots covered the whole cost, so the
        # savepoint is released only after a complete redemption. Not a constant: never folded.
        f"SELECT red.id, entry.id / (CASE WHEN (SELECT COALESCE(SUM(amount), 0) FROM draws) = %s THEN 1 ELSE 0 END) "
        f"FROM red, entry"
    )
    return sql, [*red_params, *entry_params, entry.account_id, cost, cost, cost]


# The fast path's own savepoint, sent in the same round trip as its first statement and released
# in the same round trip as its second: three round trips in all instead of five.
SAVEPOINT = "points_redeem_fast"


def _undo(cursor) -> None:
    cursor.execute(f"ROLLBACK TO SAVEPOINT {SAVEPOINT}; RELEASE SAVEPOINT {SAVEPOINT}")


def _redeem_fast(*, person: Person, reward: Reward, idempotency_key: str, actor, at: datetime) -> Redemption:
    """1. ``SAVEPOINT``, then the balance (and the account lock) and the stock, by conditional
    UPDATEs in one statement; 2. the redemption, its entry, the lots drawn and the draws in one
    statement, then ``RELEASE``; 3. the redemption's audit entry (its ``post_save``, sent as the
    ORM would). A refusal or a failure rolls back to the savepoint, undoing the debit; a key
    committed by a concurrent redemption (``IntegrityError``) and anything else undecided
    (``_Fallback``) send the caller to the locked path. Inside a transaction, PostgreSQL only."""
    cost = reward.cost
    params = {"delta": -cost, "earned": 0, "at": at, "person": person.pk, "key": idempotency_key, "reward": reward.pk}
    with connection.cursor() as cursor:
        try:
            cursor.execute(f"SAVEPOINT {SAVEPOINT}; {_debit_and_take_stock_sql()}", params)
            cursor.nextset()
            row = cursor.fetchone()
        except DatabaseError:
            _undo(cursor)
            raise
        if row is None or not row[6]:
            _undo(cursor)
            if row is None:
                raise _Fallback  # no account, a key seen before, or not enough points: the locked path says which
            if not reward_available_to(reward, person):
                raise PointsError(f"“{reward.name}”不在您可兑换的范围内或已下架")
            raise PointsError(f"“{reward.name}”已兑完")
        moved = _Moved(*row[:6])
        redemption = Redemption(
            person=person, reward=reward, night=None, cost=cost, requested_at=at, status=Redemption.Status.REQUESTED
        )
        entry = PointEntry(
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
            source_type=ContentType.objects.get_for_model(Redemption),
        )
        sql, record_params = _record_sql(redemption, entry, cost)
        try:
            cursor.execute(f"{sql}; RELEASE SAVEPOINT {SAVEPOINT}", record_params)
        except DataError as exc:
            _undo(cursor)
            # The lots could not cover what the balance said was there (see ``_record_sql``):
            # the two caches disagree. Refuse loudly rather than write an entry they cannot back.
            raise PointsError("积分批次与余额不一致，请联系管理员核对") from exc
        except DatabaseError:
            _undo(cursor)
            raise
        redemption_id, entry_id = cursor.fetchone()
    entry.pk, entry.source_id = entry_id, redemption_id
    redemption.pk, redemption.debit_entry = redemption_id, entry
    for instance in (entry, redemption):
        instance._state.adding = False
        instance._state.db = connection.alias
        # What the ORM's save would tell its listeners (the redemption's audit entry).
        post_save.send(
            type(instance), instance=instance, created=True, update_fields=None, raw=False, using=connection.alias
        )
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
