"""Training of secretaries and Party workers: the 专项 budget lines, courses (a plan at a level:
市级示范培训, 区级, 头雁圆桌…), their sessions (期次) and each person's enrolment and attendance.

Hours per person per year, the coverage of secretaries trained and money spent against each
budget line are computed from these rows (``training.selectors``), never stored twice.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from organizations.scope import ScopedQuerySet, ScopeSpec


class Budget(models.Model):
    """培训经费 — a funding line for a year (市管党费专项列支 30 万元用于新兴领域党组织培训)."""

    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("经费名称", max_length=100)
    amount_yuan = models.DecimalField("预算金额（元）", max_digits=12, decimal_places=2)
    body = models.ForeignKey(
        "organizations.Body", verbose_name="管理机构", on_delete=models.PROTECT, related_name="training_budgets"
    )
    territory = models.ForeignKey(
        "organizations.Territory", verbose_name="适用辖区", on_delete=models.PROTECT, related_name="training_budgets"
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory", body="body")

    class Meta:
        verbose_name = "培训经费"
        verbose_name_plural = "培训经费"
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "name"], name="budget_year_name"),
            models.CheckConstraint(name="budget_amount_positive", condition=models.Q(amount_yuan__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.name}"


class Course(models.Model):
    """培训项目 — what is taught, to whom, at which level, organised by which body."""

    class Level(models.TextChoices):
        CITY = "city", "市级"
        DISTRICT = "district", "区级"
        STREET = "street", "街道级"
        INDUSTRY = "industry", "行业"

    class Kind(models.TextChoices):
        DEMONSTRATION = "demonstration", "示范培训"
        ROUNDTABLE = "roundtable", "头雁圆桌会"
        LAYERED = "layered", "分层分类培训"
        ONLINE = "online", "网络培训"

    class Audience(models.TextChoices):
        SECRETARIES = "secretaries", "党组织书记"
        WORKERS = "workers", "党务工作者"
        BOTH = "both", "书记及党务工作者"
        MEMBERS = "members", "党员"

    title = models.CharField("培训名称", max_length=100)
    kind = models.CharField("培训形式", max_length=16, choices=Kind.choices, default=Kind.DEMONSTRATION)
    level = models.CharField("层级", max_length=16, choices=Level.choices)
    audience = models.CharField("培训对象", max_length=16, choices=Audience.choices, default=Audience.BOTH)
    organiser = models.ForeignKey(
        "organizations.Body", verbose_name="主办机构", on_delete=models.PROTECT, related_name="training_courses"
    )
    territory = models.ForeignKey(
        "organizations.Territory", verbose_name="所在辖区", on_delete=models.PROTECT, related_name="training_courses"
    )
    year = models.PositiveSmallIntegerField("年度")
    description = models.TextField("培训内容", blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory", body="organiser")

    class Meta:
        verbose_name = "培训项目"
        verbose_name_plural = "培训项目"
        ordering = ["-year", "level", "id"]

    def __str__(self) -> str:
        return self.title


class Session(models.Model):
    """培训期次 — one run of a course (第 n 期), with its hours, place and cost."""

    course = models.ForeignKey(Course, verbose_name="培训项目", on_delete=models.PROTECT, related_name="sessions")
    number = models.PositiveSmallIntegerField("期次")
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    place = models.CharField("培训地点", max_length=200)
    hours = models.DecimalField("学时", max_digits=5, decimal_places=1, default=Decimal("8.0"))
    capacity = models.PositiveIntegerField("计划人数")
    budget = models.ForeignKey(
        Budget, verbose_name="经费来源", null=True, blank=True, on_delete=models.PROTECT, related_name="sessions"
    )
    cost_yuan = models.DecimalField("支出金额（元）", max_digits=12, decimal_places=2, default=0)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="course__territory", body="course__organiser")

    class Meta:
        verbose_name = "培训期次"
        verbose_name_plural = "培训期次"
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="session_course_number"),
            models.CheckConstraint(name="session_dates_order", condition=models.Q(ends_on__gte=models.F("starts_on"))),
            models.CheckConstraint(name="session_hours_positive", condition=models.Q(hours__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.course} 第{self.number}期"


class Enrolment(models.Model):
    """参训 — a secretary or Party worker enrolled in a session, then present or absent."""

    class Post(models.TextChoices):
        SECRETARY = "secretary", "党组织书记"
        WORKER = "worker", "党务工作者"
        MEMBER = "member", "党员"

    class Status(models.TextChoices):
        ENROLLED = "enrolled", "已报名"
        ATTENDED = "attended", "已参训"
        ABSENT = "absent", "缺训"

    session = models.ForeignKey(Session, verbose_name="期次", on_delete=models.PROTECT, related_name="enrolments")
    person = models.ForeignKey(
        "members.Person", verbose_name="学员", on_delete=models.PROTECT, related_name="training_enrolments"
    )
    post = models.CharField("身份", max_length=16, choices=Post.choices)
    organization = models.ForeignKey(
        "organizations.PartyOrganization",
        verbose_name="所在党组织",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_enrolments",
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.ENROLLED)
    hours_credited = models.DecimalField("认定学时", max_digits=5, decimal_places=1, default=0)
    enrolled_at = models.DateTimeField("报名时间", default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="考勤登记人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    # A trainee's record is seen where the person is placed (the street sees its secretaries'
    # training, whoever organised it), by the industry committee over their organization, and
    # by the course organiser.
    scope = ScopeSpec(territory="person__territory", organization="organization", body="session__course__organiser")

    class Meta:
        verbose_name = "参训记录"
        verbose_name_plural = "参训记录"
        ordering = ["session", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "person"], name="enrolment_once_per_session")]
        indexes = [models.Index(fields=["person", "status"], name="enrolment_person_status")]

    def __str__(self) -> str:
        return f"{self.person} · {self.session}"
