"""诉求 — grievances and the collect–summarize–handle–feedback loop (征集—汇总—处理—反馈).

Placement for the scope rule: a case sits in its territory (the street and district see it), it is
routed to a responsible body (a member unit sees what is routed to it) and it may come from a
station (the station manager sees the cases from their station, with the submitter masked).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from core.validation import DateChecks
from organizations.scope import ScopedQuerySet, ScopeSpec


class Priority(models.TextChoices):
    URGENT = "urgent", "紧急"
    NORMAL = "normal", "一般"
    COMPLEX = "complex", "复杂"


class Channel(models.TextChoices):
    STATION_QR = "station_qr", "驿站扫码"
    WEB = "web", "网上提交"
    STAFF = "staff", "工作人员录入"
    HOTLINE = "hotline", "暖新热线"
    DIRECT = "direct", "诉求直通车"
    SUGGESTION = "suggestion", "人民建议直通车"
    CAMPAIGN = "campaign", "季度征集"
    SURVEY = "survey", "问卷调查"
    PHOTO_REPORT = "photo_report", "随手拍"


class Category(models.Model):
    """诉求分类 — the managed taxonomy. ``keywords`` drive the category suggestion at triage."""

    code = models.CharField("分类代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=32, unique=True)
    keywords = models.TextField("关键词", blank=True, help_text="用于自动分类，以逗号或空格分隔，如：停车, 车位, 违停")
    default_priority = models.CharField("默认紧急程度", max_length=16, choices=Priority.choices, default="normal")
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "诉求分类"
        verbose_name_plural = "诉求分类"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name

    def keyword_list(self) -> list[str]:
        import re

        return [k for k in re.split(r"[,，;；\s、]+", self.keywords or "") if k]


class SlaPolicy(models.Model):
    """办理时限 — respond-by (clock hours) and resolve-by per category and priority.

    A row without a category is the default for its priority. The values are copied onto each
    case when it is routed (a snapshot), so changing a policy never moves deadlines already given.
    """

    class Unit(models.TextChoices):
        HOURS = "hours", "自然小时"
        WORKDAYS = "workdays", "工作日"

    category = models.ForeignKey(
        Category, verbose_name="分类", null=True, blank=True, on_delete=models.CASCADE, related_name="slas"
    )
    priority = models.CharField("紧急程度", max_length=16, choices=Priority.choices)
    respond_hours = models.PositiveSmallIntegerField("响应时限（小时）")
    resolve_amount = models.PositiveSmallIntegerField("办结时限")
    resolve_unit = models.CharField("办结时限单位", max_length=16, choices=Unit.choices, default=Unit.WORKDAYS)

    class Meta:
        verbose_name = "办理时限"
        verbose_name_plural = "办理时限"
        constraints = [
            models.UniqueConstraint(fields=["category", "priority"], name="sla_category_priority"),
            models.UniqueConstraint(
                fields=["priority"], condition=models.Q(category__isnull=True), name="sla_default_priority"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category or '默认'} · {self.get_priority_display()}"


class RoutingRule(models.Model):
    """分办规则 — category × territory subtree → responsible body.

    The most specific territory wins; among rules of equal depth, the one marked lead (首接负责)
    owns the case and the others are co-handlers. Without any rule, the street of the case owns it
    (属地兜底).
    """

    category = models.ForeignKey(Category, verbose_name="分类", on_delete=models.CASCADE, related_name="rules")
    territory = models.ForeignKey(
        "organizations.Territory", verbose_name="适用辖区（含下级）", on_delete=models.CASCADE, related_name="+"
    )
    body = models.ForeignKey("organizations.Body", verbose_name="责任单位", on_delete=models.CASCADE, related_name="+")
    is_lead = models.BooleanField("首接负责", default=True)
    is_active = models.BooleanField("启用", default=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory", body="body")

    class Meta:
        verbose_name = "分办规则"
        verbose_name_plural = "分办规则"
        constraints = [
            models.UniqueConstraint(fields=["category", "territory", "body"], name="routing_rule_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.category} · {self.territory} → {self.body}"


class Campaign(models.Model):
    """季度征集 — a solicitation with its own intake link (``/g/c/<code>/``) and a summary."""

    code = models.SlugField("链接代码", max_length=32, unique=True)
    title = models.CharField("标题", max_length=100)
    territory = models.ForeignKey(
        "organizations.Territory", verbose_name="征集范围", on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField("说明", blank=True)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("截止日期")

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory")

    class Meta:
        verbose_name = "征集活动"
        verbose_name_plural = "征集活动"
        ordering = ["-starts_on"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        DateChecks().ordered(
            "starts_on", self.starts_on, "ends_on", self.ends_on, "开始日期", "截止日期"
        ).raise_if_any()


class TicketCounter(models.Model):
    """One row per day; locked to hand out the day's next ticket number."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day} #{self.last}"


OPEN_STATES = ("submitted", "triaged", "assigned", "in_progress", "reopened")


class GrievanceQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(state__in=OPEN_STATES)


class Grievance(models.Model):
    """诉求 — one case, from intake to closing."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", "已提交"
        TRIAGED = "triaged", "已分拣"
        ASSIGNED = "assigned", "已分派"
        IN_PROGRESS = "in_progress", "办理中"
        RESOLVED = "resolved", "已办结"
        CLOSED = "closed", "已关闭"
        DUPLICATE = "duplicate", "重复件"
        REJECTED = "rejected", "不予受理"
        REOPENED = "reopened", "重新办理"

    class Escalation(models.IntegerChoices):
        NONE = 0, "未升级"
        DISTRICT = 1, "已升级至区"
        MUNICIPAL = 2, "已升级至市"

    ticket = models.CharField("受理编号", max_length=20, unique=True, editable=False)
    channel = models.CharField("渠道", max_length=16, choices=Channel.choices)
    source_ref = models.CharField("来源标识", max_length=64, blank=True, help_text="来源系统的唯一标识，用于防重复提交")
    campaign = models.ForeignKey(
        Campaign, verbose_name="征集活动", null=True, blank=True, on_delete=models.SET_NULL, related_name="grievances"
    )
    person = models.ForeignKey(
        "members.Person",
        verbose_name="提交人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grievances",
    )
    contact_name = models.CharField("联系人", max_length=64, blank=True)
    contact_phone = models.CharField("联系电话", max_length=11, blank=True, db_index=True)
    is_anonymous = models.BooleanField("对外匿名", default=False, help_text="公开页面不显示提交人；办理人员仍可见")
    category = models.ForeignKey(
        Category, verbose_name="分类", null=True, blank=True, on_delete=models.PROTECT, related_name="grievances"
    )
    category_suggested = models.BooleanField("分类由系统建议", default=False)
    territory = models.ForeignKey(
        "organizations.Territory", verbose_name="属地", on_delete=models.PROTECT, related_name="grievances"
    )
    station = models.ForeignKey(
        "stations.Station",
        verbose_name="驿站",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grievances",
    )
    text = models.TextField("诉求内容")
    priority = models.CharField("紧急程度", max_length=16, choices=Priority.choices, default=Priority.NORMAL)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.SUBMITTED, db_index=True)

    # Routing: the lead body (首接负责) owns the case; without a rule the street does (兜底).
    body = models.ForeignKey(
        "organizations.Body",
        verbose_name="责任单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grievances",
    )
    co_bodies = models.ManyToManyField("organizations.Body", verbose_name="协办单位", blank=True, related_name="+")
    owner_territory = models.ForeignKey(
        "organizations.Territory",
        verbose_name="兜底街道",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    assignee = models.ForeignKey(
        "organizations.StaffPost",
        verbose_name="承办岗位",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grievances",
    )

    # SLA snapshot, copied when the case is routed.
    sla_respond_hours = models.PositiveSmallIntegerField("响应时限（小时）", null=True, blank=True)
    sla_resolve_amount = models.PositiveSmallIntegerField("办结时限", null=True, blank=True)
    sla_resolve_unit = models.CharField("办结时限单位", max_length=16, blank=True)
    respond_due_at = models.DateTimeField("应响应时间", null=True, blank=True)
    resolve_due_at = models.DateTimeField("应办结时间", null=True, blank=True, db_index=True)
    escalation_level = models.PositiveSmallIntegerField("督办升级", choices=Escalation.choices, default=Escalation.NONE)

    duplicate_of = models.ForeignKey(
        "self", verbose_name="主件", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    suspected_duplicate_of = models.ForeignKey(
        "self", verbose_name="疑似重复", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reject_reason = models.CharField("不予受理原因", max_length=200, blank=True)
    resolution = models.TextField("办理结果", blank=True)
    project = models.ForeignKey(
        "GovernanceProject",
        verbose_name="治理项目",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="grievances",
    )

    submitted_at = models.DateTimeField("提交时间", db_index=True)
    responded_at = models.DateTimeField("首次响应时间", null=True, blank=True)
    resolved_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    feedback_requested_at = models.DateTimeField("回访时间", null=True, blank=True)
    rating = models.PositiveSmallIntegerField("满意度", null=True, blank=True, help_text="1–5 分")
    rating_comment = models.CharField("评价", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    # Changed only by the service that records the event (tests/architecture/test_protected_fields.py).
    EVENT_FIELDS = ("state",)
    objects = GrievanceQuerySet.as_manager()
    scope = ScopeSpec(territory="territory", body="body", station_post="station__manager_post")

    class Meta:
        verbose_name = "诉求"
        verbose_name_plural = "诉求"
        ordering = ["-submitted_at", "-id"]
        permissions = [
            ("handle_grievance", "办理诉求"),
            ("approve_extension", "审批延期"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source_ref"], condition=~models.Q(source_ref=""), name="grievance_source_ref_unique"
            ),
            models.CheckConstraint(
                name="grievance_rating_1_5", condition=models.Q(rating__isnull=True) | models.Q(rating__range=(1, 5))
            ),
        ]
        indexes = [
            models.Index(fields=["state", "resolve_due_at"], name="grievance_state_due"),
            models.Index(fields=["territory", "submitted_at"], name="grievance_territory_time"),
        ]

    def __str__(self) -> str:
        return self.ticket

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def submitter_label(self) -> str:
        return self.contact_name or (self.person.name if self.person_id else "") or "（未留姓名）"

    @property
    def submitter_phone(self) -> str:
        return self.contact_phone or (self.person.phone if self.person_id else "")


class GrievanceEvent(models.Model):
    """One line of a case's timeline: append-only (no update or delete through the code or admin)."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "提交"
        TRANSITION = "transition", "状态变更"
        TRIAGE = "triage", "分拣"
        ROUTED = "routed", "分办"
        REPLY = "reply", "答复"
        SUPPLEMENT = "supplement", "提交人补充"
        NOTE = "note", "备注"
        ESCALATED = "escalated", "督办升级"
        EXTENSION = "extension", "延期"
        FEEDBACK = "feedback", "回访评价"
        PROJECT = "project", "治理项目"

    grievance = models.ForeignKey(Grievance, verbose_name="诉求", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField("操作方", max_length=64, blank=True, help_text="系统、提交人等非账号操作方")
    at = models.DateTimeField("时间", db_index=True)
    old_state = models.CharField("原状态", max_length=16, blank=True, choices=Grievance.State.choices)
    new_state = models.CharField("新状态", max_length=16, blank=True, choices=Grievance.State.choices)
    note = models.TextField("说明", blank=True)
    is_public = models.BooleanField("对提交人可见", default=False)

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.grievance_id} {self.get_kind_display()}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("办理记录只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("办理记录只能追加，不能删除")

    @property
    def who(self) -> str:
        if self.actor_id:
            return self.actor.get_full_name() or self.actor.username
        return self.actor_label or "系统"


def photo_path(instance, filename: str) -> str:
    return f"grievances/{instance.grievance.submitted_at:%Y/%m}/{instance.grievance.ticket}-{filename}"


class GrievancePhoto(models.Model):
    grievance = models.ForeignKey(Grievance, verbose_name="诉求", on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField("照片", upload_to=photo_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "照片"
        verbose_name_plural = "照片"

    def __str__(self) -> str:
        return self.image.name


class ExtensionRequest(models.Model):
    """延期申请 — a handler asks for more working days; someone else with the right approves."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        DECLINED = "declined", "未批准"

    grievance = models.ForeignKey(Grievance, verbose_name="诉求", on_delete=models.CASCADE, related_name="extensions")
    days = models.PositiveSmallIntegerField("延长工作日")
    reason = models.CharField("理由", max_length=200)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        constraints = [
            models.UniqueConstraint(
                fields=["grievance"], condition=models.Q(status="pending"), name="one_pending_extension"
            )
        ]

    def __str__(self) -> str:
        return f"{self.grievance} 延期 {self.days} 个工作日"


class Notice(models.Model):
    """站内通知 — tells a staff user a case was assigned to them or escalated to them."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="grievance_notices"
    )
    grievance = models.ForeignKey(Grievance, verbose_name="诉求", on_delete=models.CASCADE, related_name="notices")
    key = models.CharField("通知键", max_length=48, help_text="同一事件只通知一次")
    text = models.CharField("内容", max_length=200)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["recipient", "grievance", "key"], name="notice_once")]

    def __str__(self) -> str:
        return self.text


class BlockedSubmitter(models.Model):
    """黑名单 — a phone number or an address that may not submit (abuse)."""

    class Kind(models.TextChoices):
        PHONE = "phone", "手机号"
        IP = "ip", "IP 地址"

    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    value = models.CharField("值", max_length=64)
    reason = models.CharField("原因", max_length=200)
    until = models.DateTimeField("截止时间", null=True, blank=True, help_text="留空表示长期")
    created_at = models.DateTimeField("加入时间", auto_now_add=True)

    class Meta:
        verbose_name = "提交黑名单"
        verbose_name_plural = "提交黑名单"
        constraints = [models.UniqueConstraint(fields=["kind", "value"], name="blocked_submitter_unique")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


class GovernanceProject(models.Model):
    """治理项目 — a recurring cluster of similar cases handled once, as a project."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "建议立项"
        ACTIVE = "active", "推进中"
        DONE = "done", "已完成"
        DISMISSED = "dismissed", "不立项"

    title = models.CharField("项目名称", max_length=100)
    category = models.ForeignKey(Category, verbose_name="分类", on_delete=models.PROTECT, related_name="projects")
    territory = models.ForeignKey(
        "organizations.Territory", verbose_name="区域", on_delete=models.PROTECT, related_name="+"
    )
    cluster_key = models.CharField("聚类键", max_length=64, unique=True, null=True, blank=True, editable=False)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PROPOSED)
    owner = models.ForeignKey(
        "organizations.Body", verbose_name="牵头单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner_name = models.CharField("负责人", max_length=64, blank=True)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    summary = models.TextField("说明", blank=True)
    explanation = models.TextField("办结说明", blank=True, help_text="关闭关联诉求时统一答复提交人")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    closed_at = models.DateTimeField("完成时间", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory", body="owner")

    class Meta:
        verbose_name = "治理项目"
        verbose_name_plural = "治理项目"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(name="project_progress_0_100", condition=models.Q(progress__lte=100)),
        ]

    def __str__(self) -> str:
        return self.title


class Milestone(models.Model):
    project = models.ForeignKey(
        GovernanceProject, verbose_name="项目", on_delete=models.CASCADE, related_name="milestones"
    )
    title = models.CharField("节点", max_length=100)
    due_on = models.DateField("计划日期")
    done_on = models.DateField("完成日期", null=True, blank=True)

    class Meta:
        verbose_name = "项目节点"
        verbose_name_plural = "项目节点"
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


# 劳动争议调解 lives in its own module; imported here so Django registers it with this app.
from grievances.models_mediation import Mediation, MediationCommittee, MediationSession  # noqa: E402, F401
