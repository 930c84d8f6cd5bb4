from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone

from organizations.scope import ScopedQuerySet, ScopeSpec


class WeeklyReport(models.Model):
    """周例会报告 — one per street per ISO week.

    The week's figures are prefilled from the data (最多报一次: a figure the portal holds is never
    typed again); the street writes work done, problems, help needed and next week's plan.
    Draft → submitted → reviewed by the district, or returned with comments and resubmitted.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        SUBMITTED = "submitted", "已提交"
        RETURNED = "returned", "退回修改"
        REVIEWED = "reviewed", "已审阅"

    street = models.ForeignKey(
        "organizations.Territory",
        verbose_name="街道",
        on_delete=models.PROTECT,
        related_name="weekly_reports",
        limit_choices_to={"level": "street"},
    )
    iso_year = models.PositiveSmallIntegerField("年度（ISO）")
    iso_week = models.PositiveSmallIntegerField("周次（ISO）")
    due_at = models.DateTimeField("截止时间")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT)
    figures = models.JSONField("本周数据（自动带出）", default=dict, blank=True)
    figures_as_of = models.DateField("数据日期", null=True, blank=True)
    # The week's flows are in ``figures``; the month-to-date of the same flows sits beside them.
    month_figures = models.JSONField("本月累计数据（自动带出）", default=dict, blank=True)
    figures_taken_at = models.DateTimeField("数据取数时间", null=True, blank=True)
    work_done = models.TextField("本周工作", blank=True)
    problems = models.TextField("存在问题", blank=True)
    help_needed = models.TextField("需区里协调事项", blank=True)
    next_week_plan = models.TextField("下周计划", blank=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="提交人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("审阅时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审阅人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    review_comment = models.TextField("审阅意见", blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="street")

    class Meta:
        verbose_name = "周例会报告"
        verbose_name_plural = "周例会报告"
        ordering = ["-iso_year", "-iso_week", "street__path"]
        permissions = [("review_weeklyreport", "可审阅周例会报告")]
        constraints = [
            models.UniqueConstraint(fields=["street", "iso_year", "iso_week"], name="weeklyreport_street_week"),
        ]
        indexes = [models.Index(fields=["iso_year", "iso_week", "status"], name="weeklyreport_week_status")]

    def __str__(self) -> str:
        return f"{self.street} {self.week_label}"

    @property
    def week_label(self) -> str:
        return f"{self.iso_year}年第{self.iso_week}周"

    @property
    def week_start(self) -> date:
        return date.fromisocalendar(self.iso_year, self.iso_week, 1)

    @property
    def week_end(self) -> date:
        return date.fromisocalendar(self.iso_year, self.iso_week, 7)

    @property
    def is_filed(self) -> bool:
        return self.status in (self.Status.SUBMITTED, self.Status.REVIEWED)

    @property
    def is_editable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.RETURNED)

    def is_late(self, now=None) -> bool:
        """Not filed by the due time (a returned report counts as not filed)."""
        now = now or timezone.now()
        return not self.is_filed and now > self.due_at

    @property
    def filed_late(self) -> bool:
        return self.submitted_at is not None and self.submitted_at > self.due_at


class WeeklyReportAttachment(models.Model):
    report = models.ForeignKey(WeeklyReport, verbose_name="周报", on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("附件", upload_to="cadence/weekly/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="report__street")

    class Meta:
        verbose_name = "周报附件"
        verbose_name_plural = "周报附件"

    def __str__(self) -> str:
        return self.name


class WeeklyReportEvent(models.Model):
    """The report's own trail (submitted, returned with a comment, reviewed), shown on its page."""

    class Action(models.TextChoices):
        CREATED = "created", "生成草稿"
        SAVED = "saved", "保存草稿"
        SUBMITTED = "submitted", "提交"
        RETURNED = "returned", "退回修改"
        REVIEWED = "reviewed", "审阅通过"
        REMINDED = "reminded", "催报"

    report = models.ForeignKey(WeeklyReport, verbose_name="周报", on_delete=models.CASCADE, related_name="events")
    action = models.CharField("动作", max_length=16, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.TextField("说明", blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="report__street")

    class Meta:
        verbose_name = "周报流转记录"
        verbose_name_plural = "周报流转记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class WeeklyReportReminder(models.Model):
    """One row per (report, day) a reminder went out: the reminder task is idempotent."""

    report = models.ForeignKey(WeeklyReport, verbose_name="周报", on_delete=models.CASCADE, related_name="reminders")
    sent_on = models.DateField("催报日期")
    recipients = models.PositiveSmallIntegerField("通知人数", default=0)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="report__street")

    class Meta:
        verbose_name = "周报催报记录"
        verbose_name_plural = "周报催报记录"
        constraints = [models.UniqueConstraint(fields=["report", "sent_on"], name="weeklyreminder_report_day")]

    def __str__(self) -> str:
        return f"{self.report} {self.sent_on}"
