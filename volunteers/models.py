"""Volunteer teams of the new employment groups (25 新就业群体志愿服务队, the 宁驿先蜂 traffic
publicity team, 食安卫士 and 流动网格员 squads): members from the register, activities and the
hours each member gave, appointments such as the 五大员 with their terms, and the 随手拍
reports members file as the city's 移动探头."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from organizations.scope import ScopedQuerySet, ScopeSpec

VIA_TEAM = ScopeSpec(
    territory="team__territory", organization="team__organization", station_post="team__station__manager_post"
)


class Team(models.Model):
    """志愿服务队 — a team homed at a street (and often a station), guided by a Party organization."""

    class Kind(models.TextChoices):
        SERVICE = "service", "志愿服务队"
        TRAFFIC = "traffic", "交通宣传队"
        FOOD_SAFETY = "food_safety", "食安卫士队"
        GRID = "grid", "流动网格员队"

    name = models.CharField("队伍名称", max_length=100, unique=True)
    kind = models.CharField("队伍类型", max_length=16, choices=Kind.choices, default=Kind.SERVICE)
    territory = models.ForeignKey(
        "organizations.Territory", verbose_name="所在街道", on_delete=models.PROTECT, related_name="volunteer_teams"
    )
    station = models.ForeignKey(
        "stations.Station",
        verbose_name="依托驿站",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer_teams",
    )
    organization = models.ForeignKey(
        "organizations.PartyOrganization",
        verbose_name="指导党组织",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="volunteer_teams",
    )
    leader = models.ForeignKey(
        "members.Person",
        verbose_name="队长",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )
    founded_on = models.DateField("成立日期", default=timezone.localdate)
    description = models.TextField("队伍简介", blank=True)
    is_active = models.BooleanField("在册", default=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory", organization="organization", station_post="station__manager_post")

    class Meta:
        verbose_name = "志愿服务队"
        verbose_name_plural = "志愿服务队"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    """队员 — a person of the register in a team; leaving sets ``left_on`` (history is kept)."""

    class Role(models.TextChoices):
        LEADER = "leader", "队长"
        DEPUTY = "deputy", "副队长"
        MEMBER = "member", "队员"

    team = models.ForeignKey(Team, verbose_name="队伍", on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        "members.Person", verbose_name="队员", on_delete=models.PROTECT, related_name="volunteer_memberships"
    )
    role = models.CharField("职务", max_length=16, choices=Role.choices, default=Role.MEMBER)
    joined_on = models.DateField("入队日期", default=timezone.localdate)
    left_on = models.DateField("离队日期", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = VIA_TEAM

    class Meta:
        verbose_name = "队员"
        verbose_name_plural = "队员"
        ordering = ["team", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "person"],
                condition=models.Q(left_on__isnull=True),
                name="teammember_active_once",
                violation_error_message="此人已在该队伍中",
            )
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.person}"


class Activity(models.Model):
    """志愿活动 — one activity of a team; each participant's hours are a Participation."""

    team = models.ForeignKey(Team, verbose_name="队伍", on_delete=models.PROTECT, related_name="activities")
    title = models.CharField("活动名称", max_length=100)
    held_on = models.DateField("活动日期")
    place = models.CharField("活动地点", max_length=200)
    description = models.TextField("活动内容", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope = VIA_TEAM

    class Meta:
        verbose_name = "志愿活动"
        verbose_name_plural = "志愿活动"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"


class Participation(models.Model):
    """参与记录 — the hours one member gave at one activity."""

    activity = models.ForeignKey(Activity, verbose_name="活动", on_delete=models.CASCADE, related_name="participations")
    person = models.ForeignKey(
        "members.Person", verbose_name="参与人", on_delete=models.PROTECT, related_name="volunteer_participations"
    )
    hours = models.DecimalField("服务时长（小时）", max_digits=5, decimal_places=1, default=Decimal("2.0"))

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(
        territory="activity__team__territory",
        organization="activity__team__organization",
        station_post="activity__team__station__manager_post",
    )

    class Meta:
        verbose_name = "参与记录"
        verbose_name_plural = "参与记录"
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], name="participation_once"),
            models.CheckConstraint(name="participation_hours_positive", condition=models.Q(hours__gt=0)),
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.hours}小时"


class Appointment(models.Model):
    """聘任 — an appointment with a term, e.g. one of the 五大员 (文明创建宣传员, 党建督导员,
    经济包干员, 市场监管员, 公安联络员, 消防辅导员)."""

    person = models.ForeignKey(
        "members.Person", verbose_name="受聘人", on_delete=models.PROTECT, related_name="volunteer_appointments"
    )
    title = models.CharField("聘任职务", max_length=32, help_text="如 文明创建宣传员、消防辅导员")
    team = models.ForeignKey(
        Team, verbose_name="所在队伍", null=True, blank=True, on_delete=models.SET_NULL, related_name="appointments"
    )
    territory = models.ForeignKey(
        "organizations.Territory", verbose_name="聘任辖区", on_delete=models.PROTECT, related_name="+"
    )
    issued_by = models.CharField("聘任单位", max_length=100)
    certificate_no = models.CharField("聘书编号", max_length=32, blank=True)
    starts_on = models.DateField("聘期开始")
    ends_on = models.DateField("聘期结束")

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory", organization="team__organization")

    class Meta:
        verbose_name = "聘任"
        verbose_name_plural = "聘任（五大员等）"
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(name="appointment_term_order", condition=models.Q(ends_on__gt=models.F("starts_on")))
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.person}"


class ProbeReport(models.Model):
    """移动探头 — a 随手拍 report filed by a team member, counted for the team."""

    team = models.ForeignKey(Team, verbose_name="队伍", on_delete=models.CASCADE, related_name="probe_reports")
    report = models.OneToOneField(
        "points.PhotoReport", verbose_name="随手拍", on_delete=models.CASCADE, related_name="volunteer_tie"
    )

    objects = ScopedQuerySet.as_manager()
    scope = VIA_TEAM

    class Meta:
        verbose_name = "移动探头上报"
        verbose_name_plural = "移动探头上报"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.team} · {self.report_id}"
