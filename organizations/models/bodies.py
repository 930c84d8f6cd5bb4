from django.db import models

from organizations.scope import SELF, ScopedQuerySet, ScopeSpec


class Body(models.Model):
    """领导机构 — a leadership body: the municipal 两新工委, its committee-member and member units
    (委员单位/成员单位, e.g. 市场监管局), district 工委s and hubs. Staff of a member unit hold a
    ``member_unit`` post at their body and see what is routed to it."""

    class Kind(models.TextChoices):
        MUNICIPAL_COMMITTEE = "municipal_committee", "市委两新工委"
        COMMITTEE_MEMBER_UNIT = "committee_member_unit", "委员单位"
        MEMBER_UNIT = "member_unit", "成员单位"
        DISTRICT_COMMITTEE = "district_committee", "区委两新工委"
        HUB = "hub", "枢纽型党组织"
        STREET_COMMITTEE = "street_committee", "街道两新综合党委"
        INDUSTRY_COMPREHENSIVE = "industry_comprehensive", "行业综合党委"

    code = models.CharField("机构代码", max_length=32, unique=True, help_text="平台内唯一，如 SJ-SCJGJ")
    name = models.CharField("名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=32, blank=True)
    kind = models.CharField("类别", max_length=32, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name="上级机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    territory = models.ForeignKey(
        "organizations.Territory",
        verbose_name="所在辖区",
        on_delete=models.PROTECT,
        related_name="bodies",
    )
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    organization = models.ForeignKey(
        "organizations.PartyOrganization",
        verbose_name="对应党组织",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bodies",
        help_text="该机构本身作为党组织时（如枢纽型党委、行业综合党委），其在党组织树中的节点",
    )
    description = models.TextField("机构说明", blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory", body=SELF)

    class Meta:
        verbose_name = "领导机构"
        verbose_name_plural = "领导机构"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.short_name or self.name


class Responsibility(models.Model):
    """职责清单 — one numbered duty of a leadership body (e.g. 市场监管局 ③ 推动个体工商户建立党组织)."""

    body = models.ForeignKey(Body, verbose_name="领导机构", on_delete=models.CASCADE, related_name="responsibilities")
    number = models.PositiveSmallIntegerField("序号")
    content = models.TextField("职责内容")
    lead_office = models.CharField("牵头处室", max_length=64, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="body__territory", body="body")

    class Meta:
        verbose_name = "职责清单条目"
        verbose_name_plural = "职责清单"
        ordering = ["body", "number"]
        constraints = [models.UniqueConstraint(fields=["body", "number"], name="responsibility_body_number")]

    def __str__(self) -> str:
        return f"{self.number}. {self.content[:30]}"
