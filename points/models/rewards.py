from django.conf import settings
from django.db import models
from django.utils import timezone

from organizations.scope import ScopedQuerySet, ScopeSpec


class Reward(models.Model):
    """兑换商品 — goods, courses, or nights in 小蜂公寓, each with a cost in points.

    Goods and courses hold a ``stock``; apartment nights are sold per date from
    ``RewardNight`` rows instead (each night its own inventory).
    """

    class Kind(models.TextChoices):
        GOODS = "goods", "实物"
        COURSE = "course", "课程"
        APARTMENT_NIGHT = "apartment_night", "小蜂公寓住宿"

    kind = models.CharField("类型", max_length=16, choices=Kind.choices, default=Kind.GOODS)
    name = models.CharField("名称", max_length=100)
    description = models.TextField("说明", blank=True)
    cost = models.PositiveIntegerField("所需积分")
    stock = models.PositiveIntegerField("库存", default=0, help_text="小蜂公寓按日期设置房量，此处不用")
    territory = models.ForeignKey(
        "organizations.Territory",
        verbose_name="适用辖区",
        on_delete=models.PROTECT,
        related_name="rewards",
        help_text="该辖区内（含下级）登记的人员可兑换",
    )
    station = models.ForeignKey(
        "stations.Station",
        verbose_name="领取驿站",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rewards",
    )
    is_active = models.BooleanField("上架", default=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory", station_post="station__manager_post")

    class Meta:
        verbose_name = "兑换商品"
        verbose_name_plural = "兑换商品"
        ordering = ["sort_order", "cost", "id"]
        constraints = [models.CheckConstraint(name="reward_cost_positive", condition=models.Q(cost__gt=0))]

    def __str__(self) -> str:
        return self.name

    @property
    def is_nightly(self) -> bool:
        return self.kind == self.Kind.APARTMENT_NIGHT


class RewardNight(models.Model):
    """小蜂公寓 — the beds on offer for one night; ``taken`` never exceeds ``capacity``."""

    reward = models.ForeignKey(Reward, verbose_name="公寓", on_delete=models.CASCADE, related_name="nights")
    date = models.DateField("入住日期")
    capacity = models.PositiveIntegerField("房量")
    taken = models.PositiveIntegerField("已兑换", default=0)

    class Meta:
        verbose_name = "公寓房量"
        verbose_name_plural = "公寓房量"
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["reward", "date"], name="rewardnight_one_per_date"),
            models.CheckConstraint(
                name="rewardnight_taken_le_capacity", condition=models.Q(taken__lte=models.F("capacity"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reward} {self.date:%Y-%m-%d}"

    @property
    def left(self) -> int:
        return self.capacity - self.taken


class Redemption(models.Model):
    """兑换 — points are debited and stock taken at request, in one transaction; staff then hand
    the reward over (fulfilled) or cancel, which writes a refund entry and puts the stock back."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "待领取"
        FULFILLED = "fulfilled", "已领取"
        CANCELLED = "cancelled", "已取消"

    person = models.ForeignKey(
        "members.Person", verbose_name="兑换人", on_delete=models.PROTECT, related_name="redemptions"
    )
    reward = models.ForeignKey(Reward, verbose_name="商品", on_delete=models.PROTECT, related_name="redemptions")
    night = models.ForeignKey(
        RewardNight,
        verbose_name="入住日期",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="redemptions",
    )
    cost = models.PositiveIntegerField("消耗积分")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.REQUESTED)
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_at = models.DateTimeField("办结时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    # Null only inside the transaction that creates it: the debit entry names the redemption
    # as its source, so the redemption row is written first and linked right after.
    debit_entry = models.OneToOneField(
        "points.PointEntry",
        verbose_name="扣分流水",
        null=True,
        on_delete=models.PROTECT,
        related_name="redemption",
        db_constraint=False,  # the ledger is partitioned by month: no FK can point at its id alone
    )
    refund_entry = models.OneToOneField(
        "points.PointEntry",
        verbose_name="退还流水",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunded_redemption",
        db_constraint=False,
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="person__territory", station_post="reward__station__manager_post")

    class Meta:
        verbose_name = "积分兑换"
        verbose_name_plural = "积分兑换"
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "requested_at"], name="redemption_status_time")]

    def __str__(self) -> str:
        return f"{self.person} · {self.reward}"
