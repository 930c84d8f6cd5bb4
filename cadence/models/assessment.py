from django.conf import settings
from django.db import models

from organizations.scope import ScopedQuerySet, ScopeSpec


class ScoringScheme(models.Model):
    """覆盖质量考核方案 — a year's configurable scoring of districts on coverage quality.

    Each criterion scores one KPI of the monthly dispatch (see ``cadence.kpis``) linearly
    between a floor (0 points) and a target (full weight); the total is the sum.
    """

    year = models.PositiveSmallIntegerField("年度", unique=True)
    name = models.CharField("名称", max_length=120)
    description = models.TextField("口径说明", blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(reference_data=True)

    class Meta:
        verbose_name = "考核方案"
        verbose_name_plural = "考核方案"
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.name


class ScoringCriterion(models.Model):
    scheme = models.ForeignKey(ScoringScheme, verbose_name="方案", on_delete=models.CASCADE, related_name="criteria")
    kpi = models.CharField("指标", max_length=32)
    weight = models.DecimalField("分值", max_digits=5, decimal_places=1)
    floor = models.DecimalField("零分线（%）", max_digits=6, decimal_places=2, default=0)
    target = models.DecimalField("满分线（%）", max_digits=6, decimal_places=2, default=100)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(reference_data=True)

    class Meta:
        verbose_name = "考核指标"
        verbose_name_plural = "考核指标"
        constraints = [models.UniqueConstraint(fields=["scheme", "kpi"], name="criterion_scheme_kpi")]

    def __str__(self) -> str:
        return f"{self.kpi_label} {self.weight}"

    @property
    def kpi_label(self) -> str:
        """The KPI's Chinese name (组织覆盖率), the key itself when the KPI is not known."""
        from cadence.kpis import KPIS

        return next((kpi.label for kpi in KPIS if kpi.key == self.kpi), self.kpi)


class AssessmentResult(models.Model):
    scheme = models.ForeignKey(ScoringScheme, verbose_name="方案", on_delete=models.CASCADE, related_name="results")
    district = models.ForeignKey(
        "organizations.Territory", verbose_name="区", on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField("得分", max_digits=6, decimal_places=2)
    breakdown = models.JSONField("分项", default=list)
    computed_at = models.DateTimeField("计算时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="district")

    class Meta:
        verbose_name = "考核结果"
        verbose_name_plural = "考核结果"
        ordering = ["-score"]
        constraints = [models.UniqueConstraint(fields=["scheme", "district"], name="assessment_scheme_district")]

    def __str__(self) -> str:
        return f"{self.district} {self.score}"


class SecretaryProject(models.Model):
    """书记项目 — each secretary leads one or two a year; closed by acceptance (验收)."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", "推进中"
        AWAITING = "awaiting", "待验收"
        ACCEPTED = "accepted", "验收通过"
        REJECTED = "rejected", "验收未通过"

    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("项目名称", max_length=150)
    secretary = models.CharField("书记", max_length=64)
    organization = models.ForeignKey(
        "organizations.PartyOrganization", verbose_name="党组织", on_delete=models.PROTECT, related_name="+"
    )
    territory = models.ForeignKey(
        "organizations.Territory", verbose_name="属地", on_delete=models.PROTECT, related_name="+"
    )
    goal = models.TextField("目标与举措")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    acceptance_comment = models.TextField("验收意见", blank=True)
    accepted_at = models.DateTimeField("验收时间", null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="验收人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory", organization="organization")

    class Meta:
        verbose_name = "书记项目"
        verbose_name_plural = "书记项目"
        permissions = [("accept_secretaryproject", "可验收书记项目")]
        ordering = ["-year", "id"]

    def __str__(self) -> str:
        return self.title


class RectificationList(models.Model):
    """整改清单 — a list of problems closed item by item (对账销账)."""

    title = models.CharField("清单名称", max_length=150)
    source = models.CharField("问题来源", max_length=100, help_text="如：年度考核、巡察反馈、月调度")
    territory = models.ForeignKey(
        "organizations.Territory", verbose_name="责任辖区", on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField("整改时限", null=True, blank=True)
    created_at = models.DateTimeField("下发时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory")

    class Meta:
        verbose_name = "整改清单"
        verbose_name_plural = "整改清单"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class RectificationItem(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "整改中"
        CLOSED = "closed", "已销号"

    rectification = models.ForeignKey(
        RectificationList, verbose_name="清单", on_delete=models.CASCADE, related_name="items"
    )
    number = models.PositiveSmallIntegerField("序号")
    problem = models.TextField("问题")
    measure = models.TextField("整改措施", blank=True)
    responsible = models.CharField("责任人/单位", max_length=100)
    due_date = models.DateField("时限", null=True, blank=True)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.OPEN)
    closing_note = models.TextField("销号说明", blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="销号人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="rectification__territory")

    class Meta:
        verbose_name = "整改事项"
        verbose_name_plural = "整改事项"
        ordering = ["rectification_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["rectification", "number"], name="rectitem_list_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.problem[:30]}"
