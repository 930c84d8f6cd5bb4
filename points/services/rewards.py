"""Redemption: points out, stock out, in one transaction; cancellation puts both back."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import date, datetime

from auditlog.context import disable_auditlog
from django.contrib.contenttypes.models import ContentType
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.signals import post_save
from django.utils import timezone

from core.audit import changes_json, created_log_entry
from members.models import Person
from points.models import HomeStation, LotDraw, PointAccount, PointEntry, PointLot, Redemption, Reward, RewardNight
from points.services.ledger import PointsError, _Fallback, debit, refund
from points.services.statements import account_update_sql, insert_columns, run_fast


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

    An item in stock (not a night) is redeemed in one round trip when the account covers it and
    the key is new (``_redeem_fast``, PostgreSQL); anything else takes the locked path, which says
    why not.
    """
    at = at or timezone.now()
    if not reward.is_nightly and reward.is_active and connection.vendor == "postgresql":
        try:
            return _redeem_fast(person=person, reward=reward, idempotency_key=idempotency_key, actor=actor, at=at)
        except (_Fallback, DataError, IntegrityError):
            # Nothing was written: not enough points, no stock, not in the person's district, no
            # account, a key seen before (or committed by a concurrent redemption), or lots that
            # cannot back the balance. The locked path finds out which and says so.
            pass
    return _redeem_locked(
        person=person, reward=reward, idempotency_key=idempotency_key, actor=actor, night_date=night_date, at=at
    )


def _debit_and_take_stock_sql() -> str:
    """Statement 1: the account's conditional debit (``_account_update_sql``: it also takes the
    account lock) and the reward's conditional stock decrement. The stock row is joined to the
    debit's result, so it is locked after the account (the order every path keeps) and only when
    the debit happened. It fails (division by zero, a DataError) unless both happened, so the
    statement after it never runs on a refusal."""
    reward, territory = Reward._meta.db_table, Reward._meta.get_field("territory").related_model._meta.db_table
    return (
        f"WITH moved AS ({account_update_sql(True)}), "
        f"stock AS (UPDATE {reward} AS r SET stock = r.stock - 1 FROM {territory} AS rt, moved "
        f"WHERE r.id = %(reward)s AND rt.id = r.territory_id AND r.is_active AND r.stock >= 1 "
        f"AND moved.person_path LIKE rt.path || '%%' RETURNING r.id) "
        f"SELECT 1 / (SELECT COUNT(*)::int FROM stock)"
    )


def _record_sql(redemption: Redemption, entry: PointEntry, audit) -> tuple[str, dict]:
    """Statement 2, under the account lock statement 1 took (so it reads the lots in a snapshot
    taken after the lock, never a stale one): the redemption, its debit entry (each naming the
    other: the entry's id is drawn first; its balance, territory and station read from the locked
    account), the FIFO draws from the lots, the lots' new remainders and — when ``audit`` is given
    — the redemption's audit entry (``core.audit``: the row auditlog would write, its id fields
    filled in here). Returns the redemption's id, the entry's id and what the entry took from the
    account; fails (a DataError) if the lots do not cover the cost."""
    red_table, entry_table = Redemption._meta.db_table, PointEntry._meta.db_table
    lot, draw = PointLot._meta.db_table, LotDraw._meta.db_table
    account, person, home = PointAccount._meta.db_table, Person._meta.db_table, HomeStation._meta.db_table
    entry_pk = PointEntry._meta.pk.column
    red_columns, red_values, red_params = insert_columns(redemption, _RED_EXPRS, "r")
    entry_columns, entry_values, entry_params = insert_columns(entry, _ENTRY_EXPRS, "e")
    audit_cte, audit_params = "", {}
    if audit is not None:
        audit_columns, audit_values, audit_params = insert_columns(audit, _AUDIT_EXPRS, "g")
        audit_params["changes"] = changes_json(audit)
        audit_cte = (
            f", audit AS (INSERT INTO {audit._meta.db_table} ({audit_columns}) SELECT {audit_values} FROM ids, red)"
        )
    sql = (
        f"WITH acc AS (SELECT a.id AS account_id, a.balance, p.territory_id, "
        f"(SELECT h.station_id FROM {home} AS h WHERE h.person_id = p.id) AS home_station_id "
        f"FROM {account} AS a JOIN {person} AS p ON p.id = a.person_id WHERE a.person_id = %(person)s), "
        f"ids AS (SELECT nextval(pg_get_serial_sequence('{entry_table}', '{entry_pk}')) AS entry_id), "
        f"red AS (INSERT INTO {red_table} ({red_columns}) SELECT {red_values} FROM ids RETURNING id), "
        f"entry AS (INSERT INTO {entry_table} ({entry_columns}) SELECT {entry_values} FROM ids, red, acc "
        f"RETURNING {entry_pk} AS id), "
        f"ordered AS (SELECT id, remaining, SUM(remaining) OVER (ORDER BY expires_at ASC NULLS LAST, id) "
        f"AS upto FROM {lot} WHERE account_id = (SELECT account_id FROM acc) AND remaining > 0), "
        f"taken AS (SELECT id, LEAST(remaining, %(cost)s - (upto - remaining)) AS amount FROM ordered "
        f"WHERE upto - remaining < %(cost)s), "
        f"lots AS (UPDATE {lot} AS l SET remaining = l.remaining - taken.amount FROM taken WHERE l.id = taken.id), "
        f"draws AS (INSERT INTO {draw} (entry_id, lot_id, amount) SELECT entry.id, taken.id, taken.amount "
        f"FROM entry, taken RETURNING amount)"
        f"{audit_cte} "
        # Fails (division by zero: a DataError) unless the lots covered the whole cost, so nothing
        # stays written after an incomplete redemption. Not a constant: never folded.
        f"SELECT red.id, entry.id / (CASE WHEN (SELECT COALESCE(SUM(amount), 0) FROM draws) = %(cost)s THEN 1 "
        f"ELSE 0 END), acc.account_id, acc.balance, acc.territory_id, acc.home_station_id FROM red, entry, acc"
    )
    return sql, {**red_params, **entry_params, **audit_params}


_RED_EXPRS = {"debit_entry_id": "ids.entry_id"}
_ENTRY_EXPRS = {
    "id": "ids.entry_id", "source_id": "red.id", "account_id": "acc.account_id", "balance_after": "acc.balance",
    "territory_id": "acc.territory_id", "station_id": "acc.home_station_id",
}  # fmt: skip
# The audit entry's fields the database assigns in the same statement (``created_log_entry``'s
# ``pending``): the redemption's id and its debit entry, as auditlog's diff would show them.
_AUDIT_PENDING = ("id", "debit_entry")
_AUDIT_EXPRS = {
    "object_pk": "red.id::text",
    "object_id": "red.id",
    "changes": "%(changes)s::jsonb || jsonb_build_object('id', jsonb_build_array('None', red.id::text), "
    "'debit_entry', jsonb_build_array('None', ids.entry_id::text))",
}


def _redeem_fast(*, person: Person, reward: Reward, idempotency_key: str, actor, at: datetime) -> Redemption:
    """Statement 1 (``_debit_and_take_stock_sql``) and statement 2 (``_record_sql``) in one round
    trip (``run_fast``: with the savepoint that undoes both on an error, inside a transaction). A
    refusal or lots that cannot cover the cost fail with a DataError, a key committed by a
    concurrent redemption with an IntegrityError: nothing stays written, and the caller takes the
    locked path. PostgreSQL only.

    Each statement gets its own snapshot (PostgreSQL takes one per statement of a multi-statement
    query in READ COMMITTED), so statement 2 reads the lots after statement 1 holds the lock."""
    cost = reward.cost
    redemption = Redemption(
        person=person, reward=reward, night=None, cost=cost, requested_at=at, status=Redemption.Status.REQUESTED
    )
    entry = PointEntry(
        kind=PointEntry.Kind.REDEMPTION,
        delta=-cost,
        actor=actor,
        idempotency_key=idempotency_key,
        note=f"兑换 {reward.name}"[:200],
        created_at=at,
        source_type=ContentType.objects.get_for_model(Redemption),
    )
    audit = created_log_entry(redemption, pending=_AUDIT_PENDING)
    sql, params = _record_sql(redemption, entry, audit)
    params.update(delta=-cost, earned=0, at=at, person=person.pk, key=idempotency_key, reward=reward.pk, cost=cost)
    row = run_fast(f"{_debit_and_take_stock_sql()}; {sql}", params, statements=2)
    if row is None:
        raise _Fallback
    redemption_id, entry_id, entry.account_id, entry.balance_after, entry.territory_id, entry.station_id = row
    entry.pk, entry.source_id = entry_id, redemption_id
    redemption.pk, redemption.debit_entry = redemption_id, entry
    for instance in (entry, redemption):
        instance._state.adding = False
        instance._state.db = connection.alias
    # What the ORM's save would tell its listeners; the audit entry is written already (unless
    # ``created_log_entry`` left it to auditlog), so auditlog's own receiver stands aside.
    post_save.send(PointEntry, instance=entry, created=True, update_fields=None, raw=False, using=connection.alias)
    with disable_auditlog() if audit is not None else nullcontext():
        post_save.send(
            Redemption, instance=redemption, created=True, update_fields=None, raw=False, using=connection.alias
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
