from django.core.exceptions import ValidationError
from django.db import models
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

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

    class Status(models.TextChoices):
        ACTIVE = "active", "正常"
        PREPARING = "preparing", "筹建中"
        DISSOLVED = "dissolved", "已撤销"

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
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.industry_committee_id and self.industry_committee.kind != self.Kind.INDUSTRY_COMMITTEE:
            raise ValidationError({"industry_committee": "双纳管的上级必须是行业党委"})
