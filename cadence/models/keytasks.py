from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models

from organizations.scope import ScopedQuerySet, ScopeSpec


class WorkPlan(models.Model):
    """工作计划 — the three-year plan (2025–2027) and, under it, each year's work points (工作要点)."""

    class Kind(models.TextChoices):
        MULTI_YEAR = "multi_year", "三年行动计划"
        ANNUAL = "annual", "年度工作要点"

    title = models.CharField("名称", max_length=150)
    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    year_start = models.PositiveSmallIntegerField("起始年度")
    year_end = models.PositiveSmallIntegerField("结束年度")
    parent = models.ForeignKey(
        "self", verbose_name="上位计划", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    territory = models.ForeignKey(
        "organizations.Territory", verbose_name="制定层级", on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField("说明", blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory")

    class Meta:
        verbose_name = "工作计划"
        verbose_name_plural = "工作计划"
        ordering = ["year_start", "kind", "id"]

    def __str__(self) -> str:
        return self.title


class KeyTask(models.Model):
    """重点任务 — a numbered key task of an annual work plan, with a lead unit and supporting units."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "未启动"
        ON_TRACK = "on_track", "推进中"
        AT_RISK = "at_risk", "滞后"
        DONE = "done", "已完成"

    plan = models.ForeignKey(WorkPlan, verbose_name="所属计划", on_delete=models.PROTECT, related_name="key_tasks")
    number = models.PositiveSmallIntegerField("序号")
    title = models.CharField("任务", max_length=200)
    description = models.TextField("内容与标准", blank=True)
    territory = models.ForeignKey(
        "organizations.Territory", verbose_name="层级", on_delete=models.PROTECT, related_name="+"
    )
    lead_body = models.ForeignKey(
        "organizations.Body", verbose_name="牵头单位", on_delete=models.PROTECT, related_name="led_key_tasks"
    )
    supporting_bodies = models.ManyToManyField(
        "organizations.Body", verbose_name="配合单位", blank=True, related_name="supported_key_tasks"
    )
    due_date = models.DateField("完成时限", null=True, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.NOT_STARTED)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0, validators=[MaxValueValidator(100)])

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory", body="lead_body")

    class Meta:
        verbose_name = "重点任务"
        verbose_name_plural = "重点任务"
        ordering = ["plan_id", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="keytask_plan_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


class Milestone(models.Model):
    task = models.ForeignKey(KeyTask, verbose_name="重点任务", on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("节点", max_length=150)
    due_date = models.DateField("计划时间")
    done_on = models.DateField("完成时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="task__territory", body="task__lead_body")

    class Meta:
        verbose_name = "里程碑"
        verbose_name_plural = "里程碑"
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.title


class KeyTaskUpdate(models.Model):
    """进展报送 — a status update with optional evidence (佐证材料)."""

    task = models.ForeignKey(KeyTask, verbose_name="重点任务", on_delete=models.CASCADE, related_name="updates")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="报送人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField("状态", max_length=16, choices=KeyTask.Status.choices)
    progress = models.PositiveSmallIntegerField("进度（%）", validators=[MaxValueValidator(100)])
    text = models.TextField("进展情况")
    evidence = models.FileField("佐证材料", upload_to="cadence/keytasks/%Y/%m/", blank=True)
    created_at = models.DateTimeField("报送时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="task__territory", body="task__lead_body")

    class Meta:
        verbose_name = "任务进展"
        verbose_name_plural = "任务进展"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.task} {self.created_at:%Y-%m-%d}"
