"""三张清单 and 共建: an alliance's needs, resources and projects, two-way claims between them,
and the co-building agreements (共建协议) its members sign.

Everything hangs off an ``Alliance`` (党建联盟: a CBD or area committee, a hub, a street's
comprehensive committee) and is placed in the hierarchy through it, so one ScopeSpec shape
serves every table: the alliance's territory (块), its Party organization (条) and its
leading body (member-unit staff of that body).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from organizations.scope import ScopedQuerySet, ScopeSpec

VIA_ALLIANCE = ScopeSpec(territory="alliance__territory", organization="alliance__organization", body="alliance__body")


class Category(models.TextChoices):
    """Kinds of resource and need, so a need finds resources of its kind (供需对接)."""

    VENUE = "venue", "活动场地"
    REST = "rest", "休息驿站"
    CHARGING = "charging", "充电换电"
    LODGING = "lodging", "住宿公寓"
    TRAINING = "training", "教育培训"
    LEGAL = "legal", "法律维权"
    HEALTH = "health", "医疗健康"
    MEALS = "meals", "爱心餐饮"
    EMPLOYMENT = "employment", "就业服务"
    VOLUNTEER = "volunteer", "志愿服务"
    OTHER = "other", "其他"


class Alliance(models.Model):
    """党建联盟 — a co-building alliance: a lead organization and its member units."""

    name = models.CharField("联盟名称", max_length=100, unique=True)
    territory = models.ForeignKey(
        "organizations.Territory", verbose_name="所在辖区", on_delete=models.PROTECT, related_name="alliances"
    )
    organization = models.ForeignKey(
        "organizations.PartyOrganization",
        verbose_name="牵头党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alliances",
    )
    body = models.ForeignKey(
        "organizations.Body",
        verbose_name="牵头机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alliances",
    )
    description = models.TextField("联盟简介", blank=True)
    created_at = models.DateTimeField("建立时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory", organization="organization", body="body")

    class Meta:
        verbose_name = "党建联盟"
        verbose_name_plural = "党建联盟"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class AllianceMember(models.Model):
    """成员单位 — a member of an alliance: a covered unit, a leadership body, or another party
    (交通执法、公安、行业协会) known only by name."""

    alliance = models.ForeignKey(Alliance, verbose_name="联盟", on_delete=models.CASCADE, related_name="members")
    name = models.CharField("成员名称", max_length=100)
    unit = models.ForeignKey(
        "organizations.Unit",
        verbose_name="对应单位",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.ForeignKey(
        "organizations.Body",
        verbose_name="对应机构",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    contact = models.CharField("联系人", max_length=32, blank=True)
    joined_on = models.DateField("加入日期", default=timezone.localdate)

    objects = ScopedQuerySet.as_manager()
    scope = VIA_ALLIANCE

    class Meta:
        verbose_name = "联盟成员单位"
        verbose_name_plural = "联盟成员单位"
        ordering = ["alliance", "id"]
        constraints = [models.UniqueConstraint(fields=["alliance", "name"], name="alliancemember_unique_name")]

    def __str__(self) -> str:
        return self.name


class Located(models.Model):
    """GCJ-02 coordinates, as Amap gives them, used to rank matches by distance."""

    address = models.CharField("地址", max_length=200, blank=True)
    longitude = models.DecimalField("经度（GCJ-02）", max_digits=10, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField("纬度（GCJ-02）", max_digits=10, decimal_places=6, null=True, blank=True)

    class Meta:
        abstract = True


class Resource(Located):
    """资源清单 — what a member unit offers: a place (阵地类) or a service (服务类)."""

    class Kind(models.TextChoices):
        POSITION = "position", "阵地类"
        SERVICE = "service", "服务类"

    alliance = models.ForeignKey(Alliance, verbose_name="联盟", on_delete=models.PROTECT, related_name="resources")
    owner = models.ForeignKey(
        AllianceMember, verbose_name="提供单位", on_delete=models.PROTECT, related_name="resources"
    )
    kind = models.CharField("资源大类", max_length=16, choices=Kind.choices)
    category = models.CharField("资源类别", max_length=16, choices=Category.choices)
    name = models.CharField("资源名称", max_length=100)
    description = models.TextField("资源说明", blank=True)
    capacity = models.PositiveIntegerField("可提供数量", default=1, help_text="如座位数、床位数、每月服务人次")
    capacity_unit = models.CharField("数量单位", max_length=16, default="人次")
    availability = models.CharField("开放时间", max_length=100, blank=True, help_text="如 工作日 9:00-17:00")
    is_available = models.BooleanField("可认领", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = VIA_ALLIANCE

    class Meta:
        verbose_name = "资源"
        verbose_name_plural = "资源清单"
        ordering = ["alliance", "category", "id"]
        indexes = [models.Index(fields=["category", "is_available"], name="resource_category_open")]

    def __str__(self) -> str:
        return self.name


class Need(Located):
    """需求清单 — a need raised in the alliance's area (by a member, a station, a group of riders)."""

    class Status(models.TextChoices):
        OPEN = "open", "待认领"
        CLAIMED = "claimed", "对接中"
        MET = "met", "已满足"
        CLOSED = "closed", "已关闭"

    alliance = models.ForeignKey(Alliance, verbose_name="联盟", on_delete=models.PROTECT, related_name="needs")
    holder = models.ForeignKey(
        AllianceMember,
        verbose_name="提出单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="needs",
        help_text="由联盟成员提出时填写",
    )
    raised_by = models.CharField("提出方", max_length=100, help_text="如 某配送站点骑手、某社区")
    category = models.CharField("需求类别", max_length=16, choices=Category.choices)
    title = models.CharField("需求名称", max_length=100)
    description = models.TextField("需求说明", blank=True)
    quantity = models.PositiveIntegerField("需求数量", default=1)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    raised_on = models.DateField("提出日期", default=timezone.localdate)
    met_on = models.DateField("满足日期", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = VIA_ALLIANCE

    class Meta:
        verbose_name = "需求"
        verbose_name_plural = "需求清单"
        ordering = ["-raised_on", "-id"]
        indexes = [models.Index(fields=["status", "category"], name="need_status_category")]

    def __str__(self) -> str:
        return self.title


class Claim(models.Model):
    """双向认领 — a member unit claims a need with one of its resources, or a need's holder
    requests a resource; the other side accepts or declines; an accepted claim is fulfilled."""

    class Direction(models.TextChoices):
        UNIT_CLAIMS_NEED = "claim_need", "单位认领需求"
        NEED_REQUESTS_RESOURCE = "request_resource", "需求方申请资源"

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        ACCEPTED = "accepted", "已对接"
        DECLINED = "declined", "已婉拒"
        FULFILLED = "fulfilled", "已完成"

    need = models.ForeignKey(Need, verbose_name="需求", on_delete=models.PROTECT, related_name="claims")
    resource = models.ForeignKey(Resource, verbose_name="资源", on_delete=models.PROTECT, related_name="claims")
    direction = models.CharField("认领方向", max_length=20, choices=Direction.choices)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    note = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("发起时间", default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(
        territory="need__alliance__territory", organization="need__alliance__organization", body="need__alliance__body"
    )

    class Meta:
        verbose_name = "认领对接"
        verbose_name_plural = "认领对接"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["need", "resource"], name="claim_once_per_pair")]

    def __str__(self) -> str:
        return f"{self.need} ← {self.resource}"


class Project(models.Model):
    """项目清单 — a co-building project: proposed, reviewed (论证), carried out, finished."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "已申报"
        APPROVED = "approved", "论证通过"
        REJECTED = "rejected", "论证未通过"
        IN_PROGRESS = "in_progress", "实施中"
        DONE = "done", "已完成"

    alliance = models.ForeignKey(Alliance, verbose_name="联盟", on_delete=models.PROTECT, related_name="projects")
    lead = models.ForeignKey(AllianceMember, verbose_name="牵头单位", on_delete=models.PROTECT, related_name="projects")
    title = models.CharField("项目名称", max_length=100)
    description = models.TextField("项目内容", blank=True)
    needs = models.ManyToManyField(Need, verbose_name="回应需求", blank=True, related_name="projects")
    budget_yuan = models.DecimalField("预算（元）", max_digits=12, decimal_places=2, default=0)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PROPOSED)
    review_opinion = models.TextField("论证意见", blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="论证人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField("论证时间", null=True, blank=True)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    proposed_on = models.DateField("申报日期", default=timezone.localdate)
    done_on = models.DateField("完成日期", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = VIA_ALLIANCE

    class Meta:
        verbose_name = "共建项目"
        verbose_name_plural = "项目清单"
        ordering = ["-proposed_on", "-id"]
        constraints = [models.CheckConstraint(name="project_progress_pct", condition=models.Q(progress__lte=100))]

    def __str__(self) -> str:
        return self.title


class ProjectUpdate(models.Model):
    """项目进展 — one progress report, append-only."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="updates")
    progress = models.PositiveSmallIntegerField("进度（%）")
    note = models.TextField("进展说明")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="填报人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("填报时间", default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(
        territory="project__alliance__territory",
        organization="project__alliance__organization",
        body="project__alliance__body",
    )

    class Meta:
        verbose_name = "项目进展"
        verbose_name_plural = "项目进展"
        ordering = ["project", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.project} {self.progress}%"


class Agreement(models.Model):
    """共建协议 — signed by several parties for a term; a renewal is a new agreement pointing
    back at the one it renews, so the history of terms stays readable."""

    alliance = models.ForeignKey(Alliance, verbose_name="联盟", on_delete=models.PROTECT, related_name="agreements")
    title = models.CharField("协议名称", max_length=100)
    content = models.TextField("协议内容", blank=True)
    signed_on = models.DateField("签订日期")
    starts_on = models.DateField("生效日期")
    ends_on = models.DateField("到期日期")
    renews = models.OneToOneField(
        "self", verbose_name="续签自", null=True, blank=True, on_delete=models.PROTECT, related_name="renewal"
    )

    objects = ScopedQuerySet.as_manager()
    scope = VIA_ALLIANCE

    class Meta:
        verbose_name = "共建协议"
        verbose_name_plural = "共建协议"
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(name="agreement_term_order", condition=models.Q(ends_on__gt=models.F("starts_on")))
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            raise ValidationError({"ends_on": "到期日期必须晚于生效日期"})

    def is_active_on(self, day) -> bool:
        return self.starts_on <= day <= self.ends_on


class AgreementParty(models.Model):
    """协议签约方 — one party and what it undertakes (提供充电、住宿、培训…)."""

    agreement = models.ForeignKey(Agreement, verbose_name="协议", on_delete=models.CASCADE, related_name="parties")
    member = models.ForeignKey(AllianceMember, verbose_name="签约单位", on_delete=models.PROTECT, related_name="+")
    obligations = models.TextField("承诺事项")

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(
        territory="agreement__alliance__territory",
        organization="agreement__alliance__organization",
        body="agreement__alliance__body",
    )

    class Meta:
        verbose_name = "协议签约方"
        verbose_name_plural = "协议签约方"
        ordering = ["agreement", "id"]
        constraints = [models.UniqueConstraint(fields=["agreement", "member"], name="agreementparty_once")]

    def __str__(self) -> str:
        return f"{self.agreement} · {self.member}"


__all__ = [
    "Agreement",
    "AgreementParty",
    "Alliance",
    "AllianceMember",
    "Category",
    "Claim",
    "Need",
    "Project",
    "ProjectUpdate",
    "Resource",
]
