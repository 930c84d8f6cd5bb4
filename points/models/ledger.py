from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from organizations.scope import ScopedQuerySet, ScopeSpec


class PointAccount(models.Model):
    """积分账户 — one per person. ``balance`` is a cache of the sum of the account's entries, kept
    in the same transaction as every entry and held non-negative by a database constraint."""

    person = models.OneToOneField(
        "members.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="point_account"
    )
    balance = models.IntegerField("当前余额", default=0)
    earned_total = models.IntegerField("累计获得", default=0, help_text="授予减去冲正，不含兑换、退还与过期")
    updated_at = models.DateTimeField("最近变动", default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="person__territory", station_post="person__home_station_link__station__manager_post")

    class Meta:
        verbose_name = "积分账户"
        verbose_name_plural = "积分账户"
        constraints = [
            models.CheckConstraint(name="pointaccount_balance_not_negative", condition=models.Q(balance__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.person} 的积分账户"


class ImmutableEntryError(Exception):
    pass


class PointEntry(models.Model):
    """积分流水 — an immutable ledger line. Corrections are new lines (冲正), never edits.

    ``idempotency_key`` is unique per source event (``photo-report:12:award``), so the same event
    can never pay twice. ``territory``/``station`` record where the points were earned, at the
    time, so leaderboards stay right after a person moves.

    On PostgreSQL the table is partitioned by month of ``created_at`` (migration 0005,
    ``core.partitions``): the primary key is ``(id, created_at)``, so no database FK can point at
    ``id`` alone (lots, draws, reversals, redemptions, photo reports and task claims reference it without
    one), and the uniqueness of ``idempotency_key`` and ``reverses`` is kept by a trigger in side
    tables (``points_pointentry_key``, ``points_pointentry_reversal``) — a duplicate still raises
    IntegrityError, concurrent ones wait on each other as on a unique index.
    """

    class Kind(models.TextChoices):
        AWARD = "award", "授予"
        REVERSAL = "reversal", "冲正"
        REDEMPTION = "redemption", "兑换"
        REFUND = "refund", "兑换退还"
        EXPIRY = "expiry", "过期"

    EARNING_KINDS = (Kind.AWARD, Kind.REVERSAL)

    account = models.ForeignKey(PointAccount, verbose_name="账户", on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    delta = models.IntegerField("变动")
    balance_after = models.IntegerField("变动后余额")
    rule = models.ForeignKey(
        "points.PointRule", verbose_name="积分项目", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_type = models.ForeignKey(
        ContentType, verbose_name="来源类型", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    source_id = models.PositiveBigIntegerField("来源编号", null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    reverses = models.OneToOneField(
        "self",
        verbose_name="冲正的流水",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        db_constraint=False,  # the ledger is partitioned by month (see the Meta note below)
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    idempotency_key = models.CharField("幂等键", max_length=128, unique=True)
    note = models.CharField("说明", max_length=200, blank=True)
    territory = models.ForeignKey(
        "organizations.Territory", verbose_name="所在辖区", on_delete=models.PROTECT, related_name="+"
    )
    station = models.ForeignKey(
        "stations.Station", verbose_name="驿站", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("时间", default=timezone.now)

    # Append-only (a database trigger refuses UPDATE/DELETE); every field is the event.
    EVENT_FIELDS = ("account", "kind", "delta", "balance_after", "rule", "reverses", "territory", "station")
    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory", station_post="station__manager_post")

    class Meta:
        verbose_name = "积分流水"
        verbose_name_plural = "积分流水"
        permissions = [("reverse_pointentry", "可冲正积分流水")]
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(name="pointentry_delta_nonzero", condition=~models.Q(delta=0)),
            models.CheckConstraint(
                name="pointentry_balance_after_not_negative", condition=models.Q(balance_after__gte=0)
            ),
            models.CheckConstraint(
                name="pointentry_sign_matches_kind",
                condition=(
                    models.Q(kind__in=["award", "refund"], delta__gt=0)
                    | models.Q(kind__in=["reversal", "redemption", "expiry"], delta__lt=0)
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["account", "-created_at"], name="pointentry_account_time"),
            # The lists' default order (admin, API): a page is the index's first rows, not a
            # sort of the whole ledger.
            models.Index(fields=["-created_at", "-id"], name="pointentry_list_order"),
            # caps: the person's awards of one rule today / this month
            models.Index(fields=["account", "rule", "created_at"], name="pointentry_caps"),
            # leaderboards: earned points in a territory subtree over a period
            models.Index(fields=["territory", "created_at"], name="pointentry_territory_time"),
            models.Index(fields=["station", "created_at"], name="pointentry_station_time"),
            models.Index(fields=["source_type", "source_id"], name="pointentry_source"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.delta:+d}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableEntryError("积分流水不可修改，请以冲正流水更正")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableEntryError("积分流水不可删除，请以冲正流水更正")


class PointLot(models.Model):
    """积分批次 — what is left of one credit (an award or refund), so points with an expiry date
    are spent soonest-expiring first and the rest expire on time. The remaining amounts of an
    account's lots always add up to its balance."""

    account = models.ForeignKey(PointAccount, verbose_name="账户", on_delete=models.PROTECT, related_name="lots")
    # No database FK: the ledger is partitioned (PointEntry's note); the lot is written with its
    # entry in one transaction and entries are never deleted, so the entry is always there.
    entry = models.OneToOneField(
        PointEntry, verbose_name="入账流水", on_delete=models.PROTECT, related_name="lot", db_constraint=False
    )
    amount = models.PositiveIntegerField("入账")
    remaining = models.PositiveIntegerField("剩余")
    expires_at = models.DateTimeField("过期时间", null=True, blank=True)

    class Meta:
        verbose_name = "积分批次"
        verbose_name_plural = "积分批次"
        constraints = [
            models.CheckConstraint(
                name="pointlot_remaining_le_amount", condition=models.Q(remaining__lte=models.F("amount"))
            ),
        ]
        indexes = [
            models.Index(
                fields=["expires_at"],
                name="pointlot_expiring",
                condition=models.Q(remaining__gt=0, expires_at__isnull=False),
            ),
            models.Index(
                fields=["account", "expires_at"], name="pointlot_account_order", condition=models.Q(remaining__gt=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.remaining}/{self.amount}"


class LotDraw(models.Model):
    """How much a debit took from which lot, so a refund can put the points back where they were."""

    entry = models.ForeignKey(PointEntry, on_delete=models.PROTECT, related_name="draws", db_constraint=False)
    lot = models.ForeignKey(PointLot, on_delete=models.PROTECT, related_name="draws")
    amount = models.PositiveIntegerField()

    class Meta:
        verbose_name = "批次扣减"
        verbose_name_plural = "批次扣减"

    def __str__(self) -> str:
        return f"{self.lot_id}: -{self.amount}"
