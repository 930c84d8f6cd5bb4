from django.core.exceptions import ValidationError
from django.db import models

from organizations.scope import ScopedQuerySet, ScopeSpec


class Stage(models.IntegerChoices):
    """发展党员的五个阶段, in order (the number orders them)."""

    APPLICANT = 1, "入党申请人"
    ACTIVIST = 2, "入党积极分子"
    CANDIDATE = 3, "发展对象"
    PROBATIONARY = 4, "预备党员"
    FULL = 5, "正式党员"


# The date column that records reaching each stage.
STAGE_DATE_FIELD = {
    Stage.APPLICANT: "applied_on",
    Stage.ACTIVIST: "activist_on",
    Stage.CANDIDATE: "candidate_on",
    Stage.PROBATIONARY: "admitted_on",
    Stage.FULL: "full_member_on",
}


class DevelopmentQuota(models.Model):
    """年度发展指标 — how many new members a body may admit in a year (e.g. Nanjing reserved
    2,030 for new sectors). Used = admissions (预备党员) counted against it."""

    body = models.ForeignKey(
        "organizations.Body", verbose_name="下达机构", on_delete=models.PROTECT, related_name="development_quotas"
    )
    year = models.PositiveSmallIntegerField("年度")
    amount = models.PositiveIntegerField("发展指标（名）")
    note = models.CharField("说明", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="body__territory", body="body")

    class Meta:
        verbose_name = "年度发展指标"
        verbose_name_plural = "年度发展指标"
        constraints = [models.UniqueConstraint(fields=["body", "year"], name="quota_body_year")]
        ordering = ["-year", "body_id"]

    def __str__(self) -> str:
        return f"{self.body} {self.year}年 {self.amount}名"


class DevelopmentRecord(models.Model):
    """发展党员档案 — one person's way from application to full membership, with dated steps.

    The waiting times between steps are rules in ``members.pipeline_rules`` (data, not code
    paths); ``members.services.development_advance`` checks them before a step is recorded.
    """

    person = models.ForeignKey(
        "members.Person", verbose_name="人员", on_delete=models.PROTECT, related_name="development_records"
    )
    organization = models.ForeignKey(
        "organizations.PartyOrganization",
        verbose_name="培养党组织",
        on_delete=models.PROTECT,
        related_name="development_records",
    )
    stage = models.PositiveSmallIntegerField("当前阶段", choices=Stage.choices, default=Stage.APPLICANT)
    applied_on = models.DateField("递交入党申请书日期")
    activist_on = models.DateField("确定为入党积极分子日期", null=True, blank=True)
    candidate_on = models.DateField("确定为发展对象日期", null=True, blank=True)
    admitted_on = models.DateField("接收为预备党员日期", null=True, blank=True)
    full_member_on = models.DateField("转为正式党员日期", null=True, blank=True)
    probation_extension_months = models.PositiveSmallIntegerField(
        "延长预备期（月）", default=0, help_text="0 表示未延长；延长为6至12个月"
    )
    introducers = models.CharField("入党介绍人", max_length=100, blank=True, help_text="两名正式党员，用顿号分隔")
    quota = models.ForeignKey(
        DevelopmentQuota,
        verbose_name="占用发展指标",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
    )
    is_closed = models.BooleanField("已终止", default=False)
    closed_reason = models.CharField("终止原因", max_length=200, blank=True)
    created_at = models.DateTimeField("建档时间", auto_now_add=True)

    # Changed only by the service that records the event (tests/architecture/test_protected_fields.py).
    EVENT_FIELDS = ("stage", "activist_on", "candidate_on", "admitted_on", "full_member_on", "is_closed")
    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="person__territory", organization="organization")

    class Meta:
        verbose_name = "发展党员档案"
        verbose_name_plural = "发展党员档案"
        indexes = [models.Index(fields=["organization", "stage"], name="devrecord_org_stage")]
        constraints = [
            models.CheckConstraint(
                name="devrecord_extension_range",
                condition=models.Q(probation_extension_months=0)
                | models.Q(probation_extension_months__gte=6, probation_extension_months__lte=12),
                violation_error_message="预备期延长应为6至12个月",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} · {self.get_stage_display()}"

    def clean(self) -> None:
        if self.is_closed and not self.closed_reason.strip():
            raise ValidationError({"closed_reason": "终止发展须填写原因"})

    def date_of(self, stage: int):
        return getattr(self, STAGE_DATE_FIELD[Stage(stage)])

    @property
    def introducer_list(self) -> list[str]:
        text = self.introducers.replace(",", "、").replace("，", "、").replace(" ", "、")
        return [name for name in text.split("、") if name]
