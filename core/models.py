"""The ground floor's one model: the working-day calendar every deadline and schedule reads."""

from __future__ import annotations

from django.db import models


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
