from django.conf import settings
from django.db import models
from django.utils import timezone

from organizations.scope import ScopedQuerySet, ScopeSpec


class VolunteerTask(models.Model):
    """志愿任务 — published by a leadership body or a station, claimed by workers (双向认领);
    the publisher confirms completion and the points are paid. Standing grid duties are tasks
    of their own kinds: 流动网格员 (mobile grid worker) and 食安卫士 (food-safety guard)."""

    class Kind(models.TextChoices):
        VOLUNTEER = "volunteer", "志愿服务"
        GRID_WORKER = "grid_worker", "流动网格员"
        FOOD_SAFETY = "food_safety", "食安卫士"

    class Status(models.TextChoices):
        OPEN = "open", "认领中"
        CLOSED = "closed", "已结束"
        CANCELLED = "cancelled", "已取消"

    kind = models.CharField("类型", max_length=16, choices=Kind.choices, default=Kind.VOLUNTEER)
    title = models.CharField("任务名称", max_length=100)
    description = models.TextField("任务内容", blank=True)
    place = models.CharField("地点", max_length=200)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    slots = models.PositiveIntegerField("名额")
    points = models.PositiveIntegerField("完成积分")
    rule = models.ForeignKey(
        "points.PointRule", verbose_name="积分项目", on_delete=models.PROTECT, related_name="tasks"
    )
    publisher_body = models.ForeignKey(
        "organizations.Body",
        verbose_name="发布机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_tasks",
    )
    station = models.ForeignKey(
        "stations.Station",
        verbose_name="发布驿站",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_tasks",
    )
    territory = models.ForeignKey(
        "organizations.Territory", verbose_name="所在辖区", on_delete=models.PROTECT, related_name="volunteer_tasks"
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发布人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("发布时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory", body="publisher_body", station_post="station__manager_post")

    class Meta:
        verbose_name = "志愿任务"
        verbose_name_plural = "志愿任务"
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                name="volunteertask_one_publisher",
                condition=(
                    models.Q(publisher_body__isnull=False, station__isnull=True)
                    | models.Q(publisher_body__isnull=True, station__isnull=False)
                ),
            ),
            models.CheckConstraint(
                name="volunteertask_ends_after_start", condition=models.Q(ends_at__gt=models.F("starts_at"))
            ),
            models.CheckConstraint(name="volunteertask_slots_positive", condition=models.Q(slots__gt=0)),
        ]
        indexes = [models.Index(fields=["status", "territory", "starts_at"], name="task_open_territory")]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if (self.station_id is None) == (self.publisher_body_id is None):
            raise ValidationError("发布方：请在发布驿站与发布机构中选择且只选择一个")
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": "结束时间必须晚于开始时间"})

    @property
    def publisher(self):
        return self.publisher_body or self.station


class TaskClaim(models.Model):
    """认领 — a worker's claim of a task (or the publisher's assignment of one), then its outcome."""

    class Status(models.TextChoices):
        CLAIMED = "claimed", "已认领"
        COMPLETED = "completed", "已完成"
        NOT_COMPLETED = "not_completed", "未完成"
        WITHDRAWN = "withdrawn", "已退出"

    HOLDING_SLOT = (Status.CLAIMED, Status.COMPLETED)

    task = models.ForeignKey(VolunteerTask, verbose_name="任务", on_delete=models.PROTECT, related_name="claims")
    person = models.ForeignKey(
        "members.Person", verbose_name="认领人", on_delete=models.PROTECT, related_name="task_claims"
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.CLAIMED)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="指派人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="由发布方指派时填写；本人认领时为空",
    )
    claimed_at = models.DateTimeField("认领时间", default=timezone.now)
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    entry = models.ForeignKey(
        "points.PointEntry",
        verbose_name="积分流水",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,  # the ledger is partitioned by month: no FK can point at its id alone
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(
        territory="task__territory", body="task__publisher_body", station_post="task__station__manager_post"
    )

    class Meta:
        verbose_name = "任务认领"
        verbose_name_plural = "任务认领"
        ordering = ["claimed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["task", "person"], name="taskclaim_once_per_person")]

    def __str__(self) -> str:
        return f"{self.person} · {self.task}"
