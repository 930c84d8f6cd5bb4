"""The ground floor's models: the working-day calendar, the task outbox and export jobs."""

from __future__ import annotations

from django.conf import settings
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


class ExportJob(models.Model):
    """导出任务 — a big export running in Celery, with progress and a download link.

    Only its owner sees it; the rows it writes are read through the owner's scope when it runs
    (a post revoked meanwhile no longer counts). ``source`` names a registered export (see
    ``core.exports``) and ``params`` the filters the owner was looking at.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    class Format(models.TextChoices):
        XLSX = "xlsx", "Excel"
        CSV = "csv", "CSV"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.CASCADE, related_name="export_jobs"
    )
    dataset = models.CharField("数据集", max_length=96)
    params = models.JSONField("条件", default=dict, blank=True)
    format = models.CharField("格式", max_length=8, choices=Format.choices, default=Format.XLSX)
    title = models.CharField("标题", max_length=150)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    done_rows = models.PositiveIntegerField("已写行数", default=0)
    total_rows = models.PositiveIntegerField("总行数", default=0)
    file = models.FileField("文件", upload_to="exports/%Y/%m/", blank=True)
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, self.done_rows * 100 // self.total_rows)
