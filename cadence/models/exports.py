from django.conf import settings
from django.db import models


class ExportJob(models.Model):
    """导出任务 — a big Excel export running in Celery, with progress and a download link.

    Only its owner sees it; the rows it writes are read through the owner's scope.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.CASCADE, related_name="export_jobs"
    )
    dataset = models.CharField("数据集", max_length=48)
    params = models.JSONField("条件", default=dict, blank=True)
    title = models.CharField("标题", max_length=150)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    done_rows = models.PositiveIntegerField("已写行数", default=0)
    total_rows = models.PositiveIntegerField("总行数", default=0)
    file = models.FileField("文件", upload_to="cadence/exports/%Y/%m/", blank=True)
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
