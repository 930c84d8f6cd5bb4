"""述职评议 and 先锋指数.

* A ``ReviewCycle`` is one year's 书记抓基层党建述职评议考核 run by a body over its territory;
  each ``SecretaryReview`` is one organization's secretary: report (including new-sector work),
  review score and the grade the score gives.
* A ``VanguardIndex`` is a member vanguard index (党员先锋指数) whose ``Indicator`` rows —
  source, weight, full-marks value — are data, not code: points earned, organization life
  (the organization's attendance rate, or the member's own meetings attended where the roll is
  recorded per person), volunteer tasks completed, training hours, or a manual score.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from organizations.scope import ScopedQuerySet, ScopeSpec

GRADE_THRESHOLDS = ((Decimal("90"), "excellent"), (Decimal("80"), "good"), (Decimal("60"), "fair"))


class ReviewCycle(models.Model):
    """述职评议 — one year's cycle for the secretaries under a body's territory."""

    class Status(models.TextChoices):
        OPEN = "open", "进行中"
        CLOSED = "closed", "已结束"

    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("名称", max_length=100)
    body = models.ForeignKey("organizations.Body", verbose_name="组织机构", on_delete=models.PROTECT, related_name="+")
    territory = models.ForeignKey(
        "organizations.Territory", verbose_name="范围", on_delete=models.PROTECT, related_name="review_cycles"
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory", body="body")

    class Meta:
        verbose_name = "述职评议"
        verbose_name_plural = "述职评议"
        ordering = ["-year", "id"]
        constraints = [models.UniqueConstraint(fields=["year", "territory"], name="reviewcycle_year_territory")]

    def __str__(self) -> str:
        return self.title


class SecretaryReview(models.Model):
    """书记述职 — a secretary's report and its review: submitted → reviewed (score, grade)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "待述职"
        SUBMITTED = "submitted", "已述职"
        REVIEWED = "reviewed", "已评议"

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", "好"
        GOOD = "good", "较好"
        FAIR = "fair", "一般"
        POOR = "poor", "差"

    cycle = models.ForeignKey(ReviewCycle, verbose_name="述职评议", on_delete=models.PROTECT, related_name="reviews")
    organization = models.ForeignKey(
        "organizations.PartyOrganization", verbose_name="党组织", on_delete=models.PROTECT, related_name="+"
    )
    secretary_name = models.CharField("书记姓名", max_length=32)
    report = models.TextField("述职报告", blank=True)
    new_sector_work = models.TextField("抓新兴领域党建情况", blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT)
    score = models.DecimalField("评议得分", max_digits=5, decimal_places=1, null=True, blank=True)
    grade = models.CharField("评议等次", max_length=16, choices=Grade.choices, blank=True)
    opinion = models.TextField("评议意见", blank=True)
    submitted_at = models.DateTimeField("述职时间", null=True, blank=True)
    reviewed_at = models.DateTimeField("评议时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评议人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="organization__territory", organization="organization")

    class Meta:
        verbose_name = "书记述职"
        verbose_name_plural = "书记述职"
        ordering = ["cycle", "organization_id"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "organization"], name="secretaryreview_once"),
            models.CheckConstraint(
                name="secretaryreview_score_range",
                condition=models.Q(score__isnull=True) | models.Q(score__gte=0, score__lte=100),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.secretary_name}（{self.organization_id}）"

    @staticmethod
    def grade_for(score: Decimal) -> str:
        for threshold, grade in GRADE_THRESHOLDS:
            if score >= threshold:
                return grade
        return SecretaryReview.Grade.POOR


class VanguardIndex(models.Model):
    """党员先锋指数 — a configurable index for members of an organization subtree (or of a
    territory) in a year; rankings are published only for groups of at least ``min_sample``."""

    name = models.CharField("指数名称", max_length=100)
    year = models.PositiveSmallIntegerField("年度")
    territory = models.ForeignKey(
        "organizations.Territory", verbose_name="适用辖区", on_delete=models.PROTECT, related_name="+"
    )
    organization = models.ForeignKey(
        "organizations.PartyOrganization",
        verbose_name="适用党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="填写时只计该党组织及其下级的党员，如 民办教育机构党委",
    )
    min_sample = models.PositiveIntegerField("最少样本数", default=5, help_text="参与排名的最少人数，不足不排名")
    created_at = models.DateTimeField("创建时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory", organization="organization")

    class Meta:
        verbose_name = "先锋指数"
        verbose_name_plural = "先锋指数"
        ordering = ["-year", "id"]

    def __str__(self) -> str:
        return f"{self.year}年 {self.name}"


class Indicator(models.Model):
    """指标 — one weighted indicator; ``full_marks`` is the raw value that earns the whole weight."""

    class Source(models.TextChoices):
        POINTS = "points", "积分（年度获得）"
        MEETINGS = "meetings", "组织生活（所在党组织年度到会率，%）"
        ATTENDANCE = "attendance", "三会一课出席（本人年度出席次数，按人登记）"
        TASKS = "tasks", "志愿任务（年度完成数）"
        TRAINING = "training", "培训学时（年度）"
        MANUAL = "manual", "评议打分（手工录入）"

    index = models.ForeignKey(
        VanguardIndex, verbose_name="先锋指数", on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.CharField("指标名称", max_length=64)
    source = models.CharField("数据来源", max_length=16, choices=Source.choices)
    weight = models.DecimalField("权重", max_digits=5, decimal_places=1)
    full_marks = models.DecimalField("满分值", max_digits=10, decimal_places=1, help_text="原始值达到此数即得满权重")
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="index__territory", organization="index__organization")

    class Meta:
        verbose_name = "指标"
        verbose_name_plural = "指标"
        ordering = ["index", "sort_order", "id"]
        constraints = [
            models.CheckConstraint(name="indicator_weight_positive", condition=models.Q(weight__gt=0)),
            models.CheckConstraint(name="indicator_full_marks_positive", condition=models.Q(full_marks__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.weight}）"


class ManualScore(models.Model):
    """手工评分 — a member's raw value on a manual indicator (e.g. 思想引导 0–10)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name="指标", on_delete=models.CASCADE, related_name="manual_scores"
    )
    person = models.ForeignKey("members.Person", verbose_name="党员", on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField("得分", max_digits=10, decimal_places=1)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="person__territory", organization="person__membership__organization")

    class Meta:
        verbose_name = "手工评分"
        verbose_name_plural = "手工评分"
        constraints = [models.UniqueConstraint(fields=["indicator", "person"], name="manualscore_once")]

    def __str__(self) -> str:
        return f"{self.person} {self.value}"
