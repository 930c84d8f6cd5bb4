from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from core.validation import DateChecks, clean_phone_field
from organizations.scope import SELF, ScopedQuerySet, ScopeSpec


class PartyOrganizationQuerySet(ScopedQuerySet, MP_NodeQuerySet):
    pass


class PartyOrganizationManager(MP_NodeManager):
    def get_queryset(self):
        return PartyOrganizationQuerySet(self.model, using=self._db).order_by("path")

    def visible_to(self, user):
        return self.get_queryset().visible_to(user)


class PartyOrganization(MP_Node):
    """党组织 — a Party organization, placed in two trees at once.

    By subordination (隶属) it is a node of this tree; by territory it sits in a Territory; and
    it may be co-managed by an industry committee (双纳管), which puts it into that committee's
    organizational scope (条) as well.
    """

    class Kind(models.TextChoices):
        COMMITTEE = "committee", "党委"
        GENERAL_BRANCH = "general_branch", "党总支"
        BRANCH = "branch", "党支部"
        JOINT_BRANCH = "joint_branch", "联合党支部"
        PROVISIONAL_BRANCH = "provisional_branch", "临时党支部"
        MOBILE_BRANCH = "mobile_branch", "流动党员党支部"
        WORKING_COMMITTEE = "working_committee", "两新工委"
        COMPREHENSIVE_COMMITTEE = "comprehensive_committee", "两新综合党委"
        INDUSTRY_COMMITTEE = "industry_committee", "行业党委"
        AREA_COMMITTEE = "area_committee", "区域党委"
        CHAIN_COMMITTEE = "chain_committee", "产业链党委"
        PARTY_GROUP = "party_group", "党小组（攻坚党小组）"

    class Status(models.TextChoices):
        ACTIVE = "active", "正常"
        PREPARING = "preparing", "筹建中"
        TRANSFERRED_OUT = "transferred_out", "已转出"
        DISSOLVED = "dissolved", "已撤销"

    class EstablishmentMode(models.TextChoices):
        SINGLE = "single", "单独组建"
        JOINT = "joint", "联合组建"
        AFFILIATED = "affiliated", "挂靠组建"
        PARENT_COMPANY = "parent_company", "母公司统建"
        ASSOCIATED = "associated", "关联体共建"
        COMMUNITY_FALLBACK = "community_fallback", "村社兜底建"

    class AreaType(models.TextChoices):
        BUILDING = "building", "楼宇"
        PARK = "park", "园区"
        BUSINESS_DISTRICT = "business_district", "商圈"
        BLOCK = "block", "街区"

    # Grassroots kinds: the organizations the branch rules and 三会一课 apply to.
    BRANCH_KINDS = (Kind.BRANCH, Kind.JOINT_BRANCH, Kind.MOBILE_BRANCH)
    GRASSROOTS_KINDS = (
        Kind.COMMITTEE,
        Kind.GENERAL_BRANCH,
        Kind.BRANCH,
        Kind.JOINT_BRANCH,
        Kind.PROVISIONAL_BRANCH,
        Kind.MOBILE_BRANCH,
    )
    # An upgrade (升格) goes one step along this ladder.
    UPGRADE_LADDER = {
        Kind.BRANCH: Kind.GENERAL_BRANCH,
        Kind.JOINT_BRANCH: Kind.GENERAL_BRANCH,
        Kind.PROVISIONAL_BRANCH: Kind.BRANCH,
        Kind.GENERAL_BRANCH: Kind.COMMITTEE,
    }

    path = models.CharField(max_length=255, unique=True)
    code = models.CharField("组织编码", max_length=32, unique=True, null=True, blank=True, help_text="党内统计系统编码")
    name = models.CharField("名称", max_length=150)
    kind = models.CharField("类别", max_length=32, choices=Kind.choices)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default="active")
    territory = models.ForeignKey(
        "organizations.Territory",
        verbose_name="属地",
        on_delete=models.PROTECT,
        related_name="party_organizations",
    )
    industry_committee = models.ForeignKey(
        "self",
        verbose_name="行业党委（双纳管）",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="co_managed",
        limit_choices_to={"kind": "industry_committee"},
    )
    establishment_mode = models.CharField(
        "组建方式", max_length=24, choices=EstablishmentMode.choices, default=EstablishmentMode.SINGLE
    )
    area_type = models.CharField(
        "区域类型", max_length=24, choices=AreaType.choices, blank=True, help_text="区域党委（楼宇/园区/商圈/街区）填写"
    )
    founded_on = models.DateField("成立日期", null=True, blank=True)
    founding_document_no = models.CharField("成立批复文号", max_length=64, blank=True)
    instructor = models.ForeignKey(
        "organizations.Instructor",
        verbose_name="党建工作指导员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="organizations",
    )
    formed_for_shortage = models.BooleanField(
        "因党员不足联合组建",
        default=False,
        help_text="联合党支部因所属单位正式党员不足而联合组建时勾选（仅记录组建原因：联合党支部本身仍须有正式党员3人以上）",
    )
    over_limit_reason = models.TextField(
        "覆盖单位超限理由", blank=True, help_text="联合党支部覆盖单位超过规定家数时必须说明理由"
    )
    # Maintained by the members app (members.services) whenever a member joins, leaves or is
    # confirmed: the ground floor cannot import Party members, so it keeps the figures here.
    full_member_count = models.PositiveIntegerField("正式党员数", default=0, editable=False)
    member_count = models.PositiveIntegerField("党员总数", default=0, editable=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    # State and placement change only through a lifecycle service (organizations.services), which
    # checks the rule, asks for the reason and writes the dated event: never through a form,
    # serializer, import or bulk action (tests/architecture/test_protected_fields.py holds this).
    EVENT_FIELDS = ("status", "kind", "territory", "industry_committee")

    node_order_by = ["name"]
    objects = PartyOrganizationManager()
    scope = ScopeSpec(territory="territory", organization=SELF)

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        indexes = [
            models.Index(fields=["path"], name="partyorg_path_like", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["territory", "kind"], name="partyorg_territory_kind"),
            models.Index(fields=["name"], name="partyorg_name"),
            models.Index(fields=["kind", "status"], name="partyorg_kind_status"),
            models.Index(fields=["industry_committee"], name="partyorg_industry"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        DateChecks().fact("founded_on", self.founded_on, "成立日期").raise_if_any()
        if self.industry_committee_id and self.industry_committee.kind != self.Kind.INDUSTRY_COMMITTEE:
            raise ValidationError({"industry_committee": "双纳管的上级必须是行业党委"})
        if self.area_type and self.kind != self.Kind.AREA_COMMITTEE:
            raise ValidationError({"area_type": "只有区域党委需要填写区域类型"})
        from organizations.rules import check_on_save

        check_on_save(self)

    @property
    def is_grassroots(self) -> bool:
        return self.kind in self.GRASSROOTS_KINDS


class CommitteeMember(models.Model):
    """书记与班子成员 — the secretary and committee (支委会/党委) of one organization."""

    class Position(models.TextChoices):
        SECRETARY = "secretary", "书记"
        DEPUTY_SECRETARY = "deputy_secretary", "副书记"
        ORGANIZATION = "organization", "组织委员"
        PUBLICITY = "publicity", "宣传委员"
        DISCIPLINE = "discipline", "纪检委员"
        MEMBER = "member", "委员"

    organization = models.ForeignKey(
        PartyOrganization, verbose_name="党组织", on_delete=models.CASCADE, related_name="committee_members"
    )
    name = models.CharField("姓名", max_length=32)
    position = models.CharField("职务", max_length=24, choices=Position.choices)
    phone = models.CharField("联系电话", max_length=20, blank=True)
    since = models.DateField("任职日期", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="organization__territory", organization="organization")

    class Meta:
        verbose_name = "班子成员"
        verbose_name_plural = "书记与班子成员"
        ordering = ["organization", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization"],
                condition=models.Q(position="secretary"),
                name="committeemember_one_secretary",
                violation_error_message="一个党组织只能有一名书记",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_position_display()} {self.name}"

    def clean(self) -> None:
        if error := clean_phone_field(self):
            raise ValidationError({"phone": error})


class OrganizationEvent(models.Model):
    """组织生命周期事件 — 成立 / 转入 / 转出 / 升格 / 撤销, written only by the lifecycle services
    (``organizations.services.organization_*``), never edited: the dated history of an organization."""

    class Kind(models.TextChoices):
        ESTABLISHED = "established", "成立"
        TRANSFERRED_IN = "transferred_in", "转入"
        TRANSFERRED_OUT = "transferred_out", "转出"
        UPGRADED = "upgraded", "升格"
        DISSOLVED = "dissolved", "撤销"
        RELOCATED = "relocated", "调整属地/双纳管"

    organization = models.ForeignKey(
        PartyOrganization, verbose_name="党组织", on_delete=models.PROTECT, related_name="events"
    )
    kind = models.CharField("事件", max_length=24, choices=Kind.choices)
    occurred_on = models.DateField("日期")
    reason = models.TextField("原因/说明", blank=True)
    document_no = models.CharField("批复文号", max_length=64, blank=True)
    from_kind = models.CharField("原类别", max_length=32, choices=PartyOrganization.Kind.choices, blank=True)
    to_kind = models.CharField("新类别", max_length=32, choices=PartyOrganization.Kind.choices, blank=True)
    counterpart = models.CharField("转入来源/转出去向", max_length=150, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="记录人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="organization__territory", organization="organization")

    class Meta:
        verbose_name = "组织生命周期事件"
        verbose_name_plural = "组织生命周期事件"
        ordering = ["-occurred_on", "-id"]
        indexes = [models.Index(fields=["organization", "occurred_on"], name="orgevent_org_date")]

    def __str__(self) -> str:
        return f"{self.occurred_on} {self.get_kind_display()}"


class VanguardPost(models.Model):
    """党员先锋岗 — the fourth level of an industry chain (产业链党委 → 企业党组织 → 攻坚党小组 → 先锋岗)."""

    organization = models.ForeignKey(
        PartyOrganization,
        verbose_name="所属攻坚党小组/党组织",
        on_delete=models.CASCADE,
        related_name="vanguard_posts",
    )
    name = models.CharField("岗位名称", max_length=100)
    holder_name = models.CharField("岗位党员", max_length=32)
    task = models.CharField("攻坚任务", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="organization__territory", organization="organization")

    class Meta:
        verbose_name = "党员先锋岗"
        verbose_name_plural = "党员先锋岗"
        ordering = ["organization", "id"]

    def __str__(self) -> str:
        return self.name
