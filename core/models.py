"""The ground floor's models: the working-day calendar and the task outbox."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class Holiday(models.Model):
    """节假日 — days that are not working days, and make-up working days (调休) on weekends."""

    date = models.DateField("日期", unique=True)
    name = models.CharField("名称", max_length=32)
    is_workday = models.BooleanField("调休上班", default=False, help_text="勾选表示该日虽是周末但需上班")

    class Meta:
        verbose_name = "节假日"
        verbose_name_plural = "节假日"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class OutboxMessage(models.Model):
    """任务发件箱 — a task a write started, recorded in the write's own transaction.

    Published to the broker right after commit; if the broker is away, the relay
    (``core.tasks.relay_outbox``, on the beat and at worker start) retries until it takes it. So a
    committed write never loses its follow-up work and never fails because Redis is down.
    """

    task = models.CharField("任务", max_length=200)
    args = models.JSONField("参数", default=list)
    created_at = models.DateTimeField("记录时间", default=timezone.now)
    next_attempt_at = models.DateTimeField("下次发送", default=timezone.now)
    attempts = models.PositiveIntegerField("发送次数", default=0)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    last_error = models.TextField("最近错误", blank=True)

    class Meta:
        verbose_name = "任务发件箱"
        verbose_name_plural = "任务发件箱"
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(sent_at__isnull=True), name="core_outbox_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.task}{self.args}"
