"""The ledger: every change of a balance is an immutable entry written here, nowhere else.

Invariants (tested in tests/points/test_ledger.py):

* ``account.balance`` = sum of the account's entries = sum of its lots' ``remaining``;
* the balance never goes below zero (a CHECK constraint backs the code);
* an idempotency key pays once: the same source event twice gives the first entry back;
* corrections are reversal entries, never edits.

Concurrency: every operation locks the account row first (one row, so there is no lock order to
get wrong), and the balance itself is written by a conditional
``UPDATE … SET balance = balance - x WHERE balance >= x``, so even a code path that forgot the
lock could not overdraw. Stock rows are touched only after the account lock, always in the same
order (account, then reward or night).

The common award (a rule without caps, an account that exists, a rule that applies to the person,
a new key) is one statement in one round trip (``_award_fast``, PostgreSQL): a conditional
``UPDATE … RETURNING`` that changes the balance and takes the account lock, the entry and its lot
inserted from what it returned, in data-modifying CTEs; inside a transaction the round trip also
carries the savepoint that undoes it on an error. Anything unusual (no account yet, a key seen
before, caps, a rule of another district) writes nothing there and falls back to the locked path,
which re-checks everything under ``SELECT … FOR UPDATE`` and says why. The key's ``NOT EXISTS`` in
the UPDATE may have read a snapshot older than the lock wait; the key's uniqueness (a trigger on
the partitioned ledger) is the last word there, and ``points_award`` answers its violation with the
first entry, as the locked path would. Nothing in the statement reads the ledger or the lots, so
the snapshot taken before a lock wait cannot make it write a stale balance: ``balance_after`` is
what the UPDATE returned from the locked row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q, Sum
from django.db.models.signals import post_save
from django.utils import timezone

from members.models import Person
from points.models import HomeStation, LotDraw, PointAccount, PointEntry, PointLot, PointRule
from points.selectors import roles_of
from points.services.statements import account_update_sql, insert_columns, run_fast

Kind = PointEntry.Kind


class PointsError(Exception):
    """A refusal a person can read (Chinese), e.g. not enough points or a cap reached."""


class InsufficientPoints(PointsError):
    pass


class CapReached(PointsError):
    pass


def account_for(person: Person) -> PointAccount:
    account, _ = PointAccount.objects.get_or_create(person=person)
    return account


def _locked_account(person: Person) -> PointAccount:
    """The person's account row, locked until the transaction ends (created on first use)."""
    locked = PointAccount.objects.select_for_update(of=("self",)).select_related("person")
    account = locked.filter(person=person).first()
    if account is None:
        account_for(person)
        account = locked.get(person=person)
    return account


def _source_fields(source) -> dict:
    if source is None:
        return {"source_type": None, "source_id": None}
    return {"source_type": ContentType.objects.get_for_model(type(source)), "source_id": source.pk}


def _existing(idempotency_key: str) -> PointEntry | None:
    return PointEntry.objects.filter(idempotency_key=idempotency_key).first()


def _award_sql(entry: PointEntry, lot: PointLot) -> tuple[str, dict]:
    """The common award as one statement: the conditional balance change (which takes the account
    lock), the entry with what it returned, the entry's lot; returns the entry's id, account,
    balance after, territory, station and the lot's id — no row when the UPDATE found nothing
    to do (then nothing was written).

    Hand-written SQL, not the ORM: the ORM needs three statements (three round trips) for this,
    and its two ``create()`` calls (INSERT compilation, value preparation, save machinery) were
    the largest Python cost in the award's profile. The SQL text is built once per shape
    (``insert_columns``); the values are bound."""
    entry_columns, entry_values, entry_params = insert_columns(entry, _AWARD_ENTRY_EXPRS[entry.station_id is None], "e")
    lot_columns, lot_values, lot_params = insert_columns(lot, _AWARD_LOT_EXPRS, "l")
    sql = (
        f"WITH moved AS ({account_update_sql(False, True)}), "
        f"entry AS (INSERT INTO {PointEntry._meta.db_table} ({entry_columns}) SELECT {entry_values} FROM moved "
        f"RETURNING id, station_id), "
        f"lot AS (INSERT INTO {PointLot._meta.db_table} ({lot_columns}) SELECT {lot_values} FROM moved, entry "
        f"RETURNING id) "
        f"SELECT entry.id, moved.account_id, moved.balance, moved.territory_id, entry.station_id, lot.id "
        f"FROM moved, entry, lot"
    )
    return sql, {**entry_params, **lot_params}


# The entry's and the lot's columns that come from the UPDATE's RETURNING (the station too, unless
# the award names one).
_AWARD_ENTRY_EXPRS = {
    False: {"account_id": "moved.account_id", "balance_after": "moved.balance", "territory_id": "moved.territory_id"},
    True: {
        "account_id": "moved.account_id", "balance_after": "moved.balance", "territory_id": "moved.territory_id",
        "station_id": "moved.home_station_id",
    },
}  # fmt: skip
_AWARD_LOT_EXPRS = {"account_id": "moved.account_id", "entry_id": "entry.id"}


def _write_entry(account: PointAccount, *, kind: str, delta: int, **fields) -> PointEntry:
    """Move the cached balance by ``delta`` and write the entry, under the account lock."""
    changes = {"balance": F("balance") + delta, "updated_at": fields["created_at"]}
    if kind in PointEntry.EARNING_KINDS:
        changes["earned_total"] = F("earned_total") + delta
    rows = PointAccount.objects.filter(pk=account.pk)
    if delta < 0:
        # The conditional UPDATE is the last word on overdraft, lock or no lock.
        rows = rows.filter(balance__gte=-delta)
    if rows.update(**changes) != 1:
        raise InsufficientPoints(f"积分余额不足：需要 {-delta} 分，当前余额 {account.balance} 分")
    if kind in PointEntry.EARNING_KINDS:
        account.earned_total += delta
    account.balance += delta
    person = account.person
    fields.setdefault("territory_id", person.territory_id)
    if fields.get("station_id") is None:
        fields["station_id"] = HomeStation.station_id_of(person)
    return PointEntry.objects.create(account=account, kind=kind, delta=delta, balance_after=account.balance, **fields)


def _draw(account: PointAccount, entry: PointEntry, amount: int, first_lot: PointLot | None = None) -> None:
    """Take ``amount`` from the account's lots, soonest-expiring first (lots without expiry last)."""
    lots = list(
        PointLot.objects.filter(account=account, remaining__gt=0).order_by(F("expires_at").asc(nulls_last=True), "id")
    )
    if first_lot is not None:
        lots.sort(key=lambda lot: lot.pk != first_lot.pk)
    draws, left = [], amount
    for lot in lots:
        if left == 0:
            break
        take = min(lot.remaining, left)
        lot.remaining -= take
        left -= take
        draws.append(LotDraw(entry=entry, lot=lot, amount=take))
    if left:
        # The balance said yes but the lots say no: the two caches disagree. Refuse loudly
        # rather than write an entry the lots cannot back.
        raise PointsError("积分批次与余额不一致，请联系管理员核对")
    PointLot.objects.bulk_update([d.lot for d in draws], ["remaining"])
    LotDraw.objects.bulk_create(draws)


def _period_starts(at: datetime) -> tuple[datetime, datetime]:
    local = timezone.localtime(at)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return day, day.replace(day=1)


def cap_room(account: PointAccount, rule: PointRule, at: datetime) -> tuple[int | None, str]:
    """How many more points ``rule`` may pay this person at ``at`` (None: unlimited), and why.

    One query: the rule's net earnings (awards minus reversals) this month and this day.
    """
    if rule.daily_cap is None and rule.monthly_cap is None:
        return None, ""
    day, month = _period_starts(at)
    next_day, next_month = day + timedelta(days=1), (month + timedelta(days=32)).replace(day=1)
    got = PointEntry.objects.filter(
        account=account, rule=rule, kind__in=PointEntry.EARNING_KINDS, created_at__gte=month, created_at__lt=next_month
    ).aggregate(month=Sum("delta"), day=Sum("delta", filter=Q(created_at__gte=day, created_at__lt=next_day)))
    got_day, got_month = got["day"] or 0, got["month"] or 0
    room, why = None, ""
    if rule.daily_cap is not None:
        room, why = max(rule.daily_cap - got_day, 0), f"每人每日上限 {rule.daily_cap} 分，当日已得 {got_day} 分"
    if rule.monthly_cap is not None:
        month_room = max(rule.monthly_cap - got_month, 0)
        if room is None or month_room < room:
            room, why = month_room, f"每人每月上限 {rule.monthly_cap} 分，当月已得 {got_month} 分"
    return room, why


def rule_awardable_by(rule: PointRule, user) -> bool:
    if user is not None and user.is_superuser:
        return True
    return bool(_roles(user) & set(rule.award_roles))


def _roles(user) -> set[str]:
    """The user's roles, read once per user object (a request's, a task's): a page awarding
    fifty people asks once."""
    if user is None:
        return set()
    cached = getattr(user, "_points_roles", None)
    if cached is None:
        cached = roles_of(user)
        if getattr(user, "pk", None) is not None:
            user._points_roles = cached  # noqa: SLF001 — a per-request memo on the user object
    return cached


def rule_applies_to(rule: PointRule, person: Person) -> bool:
    """City items apply to everyone; district-local items to people placed in that district."""
    return person.territory.path.startswith(rule.territory.path)


@dataclass(frozen=True)
class AwardResult:
    entry: PointEntry | None
    created: bool
    note: str = ""


class _Fallback(Exception):
    """The fast path cannot decide: undo its savepoint and take the locked path."""


def points_award(
    *,
    person: Person,
    rule: PointRule,
    actor,
    source=None,
    idempotency_key: str,
    points: int | None = None,
    note: str = "",
    station=None,
    truncate_to_cap: bool = False,
    check_award_roles: bool = True,
    at: datetime | None = None,
) -> AwardResult:
    """Award ``rule`` (or ``points`` under it) to ``person``, once per ``idempotency_key``.

    Caps per day/month are enforced under the account lock, so two concurrent awards cannot
    both squeeze under a cap. A manual award over the cap is refused; an automatic one (task
    completion, photo report) with ``truncate_to_cap`` pays what room is left, possibly nothing.
    """
    at = at or timezone.now()
    args = {
        "person": person, "rule": rule, "actor": actor, "source": source, "idempotency_key": idempotency_key,
        "points": points, "note": note, "station": station, "check_award_roles": check_award_roles, "at": at,
    }  # fmt: skip
    if rule.daily_cap is None and rule.monthly_cap is None and rule.is_active:
        try:
            return _award_fast(**args)
        except (_Fallback, IntegrityError):
            # No account yet, a key seen before, or (IntegrityError) a concurrent award with this
            # key committed while the UPDATE waited for the lock: the locked path sorts it out.
            pass
    return _award_locked(**args, truncate_to_cap=truncate_to_cap)


@transaction.atomic
def _award_locked(
    *, person, rule, actor, source, idempotency_key, points, note, station, truncate_to_cap, check_award_roles, at
) -> AwardResult:
    account = _locked_account(person)
    existing = _existing(idempotency_key)
    if existing is not None:
        return AwardResult(existing, created=False)
    if not rule.is_active:
        raise PointsError(f"积分项目“{rule.name}”已停用")
    if not rule_applies_to(rule, person):
        raise PointsError(f"积分项目“{rule.name}”只适用于{rule.territory.name}登记的人员")
    if check_award_roles and not rule_awardable_by(rule, actor):
        raise PointsError(f"您的岗位不能授予积分项目“{rule.name}”（可授予：{rule.award_role_labels}）")
    amount = rule.points if points is None else int(points)
    if amount <= 0:
        raise PointsError("授予的积分必须大于 0")
    room, why = cap_room(account, rule, at)
    if room is not None and amount > room:
        if not truncate_to_cap:
            raise CapReached(f"超出积分上限：{why}，本次最多还能授予 {room} 分")
        if room == 0:
            return AwardResult(None, created=False, note=f"已达上限，未计分（{why}）")
        note = f"{note}（受上限限制，由 {amount} 分减为 {room} 分）".strip()
        amount = room
    entry = _write_entry(
        account,
        kind=Kind.AWARD,
        delta=amount,
        rule=rule,
        actor=actor,
        idempotency_key=idempotency_key,
        note=note[:200],
        station_id=getattr(station, "pk", None),
        created_at=at,
        **_source_fields(source),
    )
    expires_at = at + timedelta(days=rule.valid_days) if rule.valid_days else None
    PointLot.objects.create(account=account, entry=entry, amount=amount, remaining=amount, expires_at=expires_at)
    return AwardResult(entry, created=True, note=note)


def _award_fast(
    *, person, rule, actor, source, idempotency_key, points, note, station, check_award_roles, at
) -> AwardResult:
    """The common award in one statement and one round trip (see the module docstring and
    ``_award_sql``); ``_Fallback``: nothing was written, take the locked path."""
    amount = rule.points if points is None else int(points)
    if amount <= 0 or (check_award_roles and not rule_awardable_by(rule, actor)):
        raise _Fallback  # refused, unless the key was paid before: the locked path says which
    if connection.vendor != "postgresql":
        raise _Fallback  # SQLite's RETURNING cannot name joined tables: the locked path, same result
    entry = PointEntry(
        kind=Kind.AWARD,
        delta=amount,
        rule=rule,
        actor=actor,
        idempotency_key=idempotency_key,
        note=note[:200],
        station_id=getattr(station, "pk", None),
        created_at=at,
        **_source_fields(source),
    )
    lot = PointLot(
        amount=amount, remaining=amount, expires_at=at + timedelta(days=rule.valid_days) if rule.valid_days else None
    )
    sql, params = _award_sql(entry, lot)
    params.update(
        delta=amount, earned=amount, at=at, person=person.pk, key=idempotency_key, under=_territory_path(rule)
    )
    row = run_fast(sql, params)
    if row is None:
        raise _Fallback  # no account yet, a key seen before, or a rule of another district
    entry.pk, entry.account_id, entry.balance_after, entry.territory_id, entry.station_id, lot.pk = row
    lot.account_id, lot.entry = entry.account_id, entry
    for instance in (entry, lot):
        instance._state.adding = False
        instance._state.db = connection.alias
        # What the ORM's save would tell its listeners (none today: the ledger is not audited twice).
        post_save.send(
            type(instance), instance=instance, created=True, update_fields=None, raw=False, using=connection.alias
        )
    return AwardResult(entry, created=True, note=note)


def _territory_path(obj) -> str:
    """The path of ``obj.territory``, read once per object (rules and rewards are reused)."""
    cached = getattr(obj, "_territory_path", None)
    if cached is None:
        cached = obj._territory_path = obj.territory.path  # noqa: SLF001 — a memo on the rule/reward object
    return cached


@transaction.atomic
def points_reverse(*, entry: PointEntry, actor, reason: str, at: datetime | None = None) -> PointEntry:
    """Correct a wrong award with a reversal entry (the award itself is never touched).

    The points come off the award's own lot first; if they were already spent, the reversal
    needs the balance to cover them and is refused otherwise (a balance never goes negative).
    """
    reason = (reason or "").strip()
    if not reason:
        raise PointsError("请填写冲正原因")
    at = at or timezone.now()
    account = _locked_account(entry.account.person)
    key = f"reversal:{entry.pk}"
    existing = _existing(key)
    if existing is not None:
        return existing
    if entry.kind != Kind.AWARD:
        raise PointsError(f"只有“授予”流水可以冲正，这是一条“{entry.get_kind_display()}”流水")
    amount = entry.delta
    if account.balance < amount:
        raise InsufficientPoints(
            f"无法冲正：该笔 {amount} 分已被使用，当前余额 {account.balance} 分不足以扣回。"
            "请先取消相关兑换，或与本人协商。"
        )
    reversal = _write_entry(
        account,
        kind=Kind.REVERSAL,
        delta=-amount,
        rule=entry.rule,
        reverses=entry,
        actor=actor,
        idempotency_key=key,
        note=f"冲正：{reason}"[:200],
        territory_id=entry.territory_id,
        station_id=entry.station_id,
        created_at=at,
        source_type=entry.source_type,
        source_id=entry.source_id,
    )
    _draw(account, reversal, amount, first_lot=getattr(entry, "lot", None))
    return reversal


def debit(
    *, person: Person, amount: int, kind: str, actor, source, idempotency_key: str, note: str, at: datetime
) -> PointEntry:
    """A debit under a lock the caller already holds (see ``points_redeem``)."""
    account = PointAccount.objects.select_for_update(of=("self",)).select_related("person").get(person=person)
    if account.balance < amount:
        raise InsufficientPoints(f"积分余额不足：需要 {amount} 分，当前余额 {account.balance} 分")
    entry = _write_entry(
        account,
        kind=kind,
        delta=-amount,
        actor=actor,
        idempotency_key=idempotency_key,
        note=note[:200],
        created_at=at,
        **_source_fields(source),
    )
    _draw(account, entry, amount)
    return entry


def refund(*, debit_entry: PointEntry, actor, source, note: str, at: datetime) -> PointEntry:
    """Give a debit back, into the very lots it was drawn from (so expiry dates are kept)."""
    account = (
        PointAccount.objects.select_for_update(of=("self",)).select_related("person").get(pk=debit_entry.account_id)
    )
    key = f"refund:{debit_entry.pk}"
    existing = _existing(key)
    if existing is not None:
        return existing
    entry = _write_entry(
        account,
        kind=Kind.REFUND,
        delta=-debit_entry.delta,
        actor=actor,
        idempotency_key=key,
        note=note[:200],
        created_at=at,
        **_source_fields(source),
    )
    draws = list(debit_entry.draws.select_related("lot"))
    for draw in draws:
        draw.lot.remaining += draw.amount
    PointLot.objects.bulk_update([d.lot for d in draws], ["remaining"])
    return entry


def points_expire_due(*, now: datetime | None = None, batch_size: int = 500) -> int:
    """Write expiry entries for lots past their date; returns how many lots expired.

    Each account is handled in its own short transaction under its lock, so a long run never
    blocks redemptions for long, and a rerun finds nothing left to do (idempotent).
    """
    now = now or timezone.now()
    done = 0
    while True:
        account_ids = list(
            PointLot.objects.filter(remaining__gt=0, expires_at__lte=now)
            .order_by("account_id")
            .values_list("account_id", flat=True)
            .distinct()[:batch_size]
        )
        if not account_ids:
            return done
        for account_id in account_ids:
            done += _expire_account(account_id, now)


@transaction.atomic
def _expire_account(account_id: int, now: datetime) -> int:
    account = PointAccount.objects.select_for_update(of=("self",)).select_related("person").get(pk=account_id)
    lots = list(
        PointLot.objects.filter(account=account, remaining__gt=0, expires_at__lte=now).order_by("expires_at", "id")
    )
    for lot in lots:
        # A lot can expire twice if a refund put points back after it expired once.
        round_no = PointEntry.objects.filter(kind=Kind.EXPIRY, draws__lot=lot).count() + 1
        entry = _write_entry(
            account,
            kind=Kind.EXPIRY,
            delta=-lot.remaining,
            rule_id=lot.entry.rule_id,
            actor=None,
            idempotency_key=f"expiry:lot:{lot.pk}:{round_no}",
            note=f"积分到期（{timezone.localtime(lot.expires_at):%Y-%m-%d}）",
            territory_id=lot.entry.territory_id,
            created_at=now,
        )
        LotDraw.objects.create(entry=entry, lot=lot, amount=lot.remaining)
        lot.remaining = 0
        lot.save(update_fields=["remaining"])
    return len(lots)


__all__ = [
    "AwardResult",
    "CapReached",
    "InsufficientPoints",
    "PointsError",
    "account_for",
    "cap_room",
    "debit",
    "points_award",
    "points_expire_due",
    "points_reverse",
    "refund",
    "rule_applies_to",
    "rule_awardable_by",
]
