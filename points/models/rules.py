from django.core.exceptions import ValidationError
from django.db import models

from organizations.roles import Role
from organizations.scope import ScopedQuerySet, ScopeSpec


class PointCategory(models.Model):
    """积分类别 — the city catalogue has seven (学习教育、环境维护、矛盾调解、公益服务、安全隐患报告、
    文明新风、急难险重); a district may add local categories under its own territory (鼓楼区 4 类)."""

    code = models.CharField("类别代码", max_length=32, unique=True)
    name = models.CharField("类别名称", max_length=64)
    territory = models.ForeignKey(
        "organizations.Territory",
        verbose_name="适用辖区",
        on_delete=models.PROTECT,
        related_name="point_categories",
        help_text="市级目录设在市；区级本地类别设在本区",
    )
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory")

    class Meta:
        verbose_name = "积分类别"
        verbose_name_plural = "积分类别"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


def validate_award_roles(value) -> None:
    if not isinstance(value, list) or not value:
        raise ValidationError("请至少选择一个可授予该积分的角色")
    unknown = [v for v in value if v not in Role.values]
    if unknown:
        raise ValidationError(f"未知角色：{'、'.join(map(str, unknown))}（可选：{'、'.join(Role.values)}）")


class PointRule(models.Model):
    """积分项目 — one item of the catalogue: how many points, who may award it, caps per person.

    City items sit at the city; district-local items (鼓楼区 18 项、玄武区“三类积分”) sit at the
    district and apply to people placed in that district only.
    """

    category = models.ForeignKey(PointCategory, verbose_name="类别", on_delete=models.PROTECT, related_name="rules")
    code = models.CharField("项目代码", max_length=32, unique=True)
    name = models.CharField("项目名称", max_length=100)
    description = models.TextField("说明", blank=True)
    points = models.PositiveIntegerField("分值", help_text="每次授予的积分")
    award_roles = models.JSONField(
        "可授予角色",
        default=list,
        validators=[validate_award_roles],
        help_text='哪些岗位角色可以按此项目授予积分，如 ["station", "street"]',
    )
    daily_cap = models.PositiveIntegerField("每人每日上限", null=True, blank=True, help_text="留空为不限")
    monthly_cap = models.PositiveIntegerField("每人每月上限", null=True, blank=True, help_text="留空为不限")
    valid_days = models.PositiveIntegerField(
        "有效期（天）", null=True, blank=True, help_text="按此项目获得的积分在多少天后过期；留空为长期有效"
    )
    territory = models.ForeignKey(
        "organizations.Territory",
        verbose_name="适用辖区",
        on_delete=models.PROTECT,
        related_name="point_rules",
    )
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory")

    class Meta:
        verbose_name = "积分项目"
        verbose_name_plural = "积分项目"
        ordering = ["category__sort_order", "sort_order", "id"]
        constraints = [models.CheckConstraint(name="pointrule_points_positive", condition=models.Q(points__gt=0))]

    def __str__(self) -> str:
        return f"{self.name}（{self.points}分）"

    def clean(self) -> None:
        if self.daily_cap and self.monthly_cap and self.daily_cap > self.monthly_cap:
            raise ValidationError({"daily_cap": "每日上限不能大于每月上限"})
        if self.category_id and self.territory_id:
            cat_path = self.category.territory.path
            if not self.territory.path.startswith(cat_path):
                raise ValidationError({"territory": "项目的适用辖区必须在所属类别的辖区之内"})

    @property
    def award_role_labels(self) -> str:
        return "、".join(Role(r).label for r in self.award_roles if r in Role.values)
