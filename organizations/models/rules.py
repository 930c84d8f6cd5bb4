from django.core.exceptions import ValidationError
from django.db import models

from organizations.scope import ScopedQuerySet, ScopeSpec


class BranchRule(models.Model):
    """组织设置规则 — a threshold from the Party's branch regulations, editable by the municipal
    committee so a changed regulation is a data edit, not a release.

    The rule *codes* are fixed (the checks that read them live in ``organizations.rules``); the
    threshold, severity, wording and on/off switch are data. Meeting cadences (三会一课) are rules
    too: their threshold is the period in months.
    """

    class Severity(models.TextChoices):
        ERROR = "error", "错误"
        WARNING = "warning", "警示"
        ADVISORY = "advisory", "建议"

    code = models.SlugField("规则代码", max_length=48, unique=True)
    name = models.CharField("规则名称", max_length=64)
    threshold = models.PositiveIntegerField("阈值")
    severity = models.CharField("级别", max_length=16, choices=Severity.choices)
    message = models.CharField("提示语", max_length=200, help_text="可用 {threshold} 代表阈值")
    basis = models.CharField("依据", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    objects = ScopedQuerySet.as_manager()
    # Shared configuration: readable by every post holder, edited by the municipal committee.
    scope = ScopeSpec(reference_data=True)

    class Meta:
        verbose_name = "组织设置规则"
        verbose_name_plural = "组织设置规则"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.threshold == 0:
            errors["threshold"] = "阈值必须大于 0"
        try:
            self.message.format(threshold=self.threshold)
        except (KeyError, IndexError, ValueError):
            errors["message"] = "提示语中只能使用 {threshold} 占位"
        if errors:
            raise ValidationError(errors)

    @property
    def text(self) -> str:
        return self.message.format(threshold=self.threshold)
