from django.db import models

from organizations.scope import ScopedQuerySet, ScopeSpec
from organizations.validators import normalize_credit_code, validate_credit_code


class Unit(models.Model):
    """覆盖单位 — a unit Party building must cover: an enterprise, social organization, platform
    company, outlet, tower, market or park. Enterprises are identified by the 18-character
    统一社会信用代码 (GB 32100)."""

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", "企业"
        SOCIAL_ORGANIZATION = "social_org", "社会组织"
        PLATFORM = "platform", "平台企业"
        OUTLET = "outlet", "站点/网点"
        FRANCHISEE = "franchisee", "加盟商"
        TOWER = "tower", "商务楼宇"
        MARKET = "market", "市场"
        PARK = "park", "园区"

    name = models.CharField("单位名称", max_length=150)
    credit_code = models.CharField(
        "统一社会信用代码",
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_credit_code],
    )
    kind = models.CharField("单位类型", max_length=16, choices=Kind.choices)
    territory = models.ForeignKey(
        "organizations.Territory",
        verbose_name="属地",
        on_delete=models.PROTECT,
        related_name="units",
    )
    organization = models.ForeignKey(
        "organizations.PartyOrganization",
        verbose_name="覆盖党组织",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="covered_units",
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory", organization="organization")

    class Meta:
        verbose_name = "覆盖单位"
        verbose_name_plural = "覆盖单位"
        indexes = [models.Index(fields=["name"], name="unit_name")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.credit_code:
            self.credit_code = normalize_credit_code(self.credit_code)
        else:
            self.credit_code = None
        super().save(*args, **kwargs)
