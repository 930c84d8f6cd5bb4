from django.db import models

from organizations.scope import ScopedQuerySet, ScopeSpec
from organizations.validators import normalize_credit_code, validate_credit_code, validate_industry_code


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

    class Industry(models.TextChoices):
        EXPRESS = "express", "快递物流"
        DELIVERY = "delivery", "网约配送"
        RIDE_HAILING = "ride_hailing", "网约车"
        FREIGHT = "freight", "互联网货运"
        LIVE_STREAMING = "live_streaming", "网络直播与电商"
        INTERNET = "internet", "互联网"
        LAW = "law", "律师"
        ACCOUNTING = "accounting", "会计审计"
        EDUCATION = "education", "民办教育"
        PROPERTY = "property", "物业服务"
        MANUFACTURING = "manufacturing", "制造业"
        SOFTWARE = "software", "软件和信息服务"
        RETAIL = "retail", "商贸零售"
        CATERING = "catering", "餐饮住宿"
        FINANCE = "finance", "金融"
        SOCIAL_SERVICE = "social_service", "社会服务"
        OTHER = "other", "其他"

    class Size(models.TextChoices):
        LARGE = "large", "大型"
        MEDIUM = "medium", "中型"
        SMALL = "small", "小型"
        MICRO = "micro", "微型"

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
    industry = models.CharField("所属行业", max_length=24, choices=Industry.choices, default=Industry.OTHER)
    # The national classification the department coded the unit in, kept as sent: the portal's
    # category above is coarser (several 大类 are 其他) and must not be all that survives.
    industry_code = models.CharField(
        "国民经济行业分类",
        max_length=2,
        blank=True,
        validators=[validate_industry_code],
        help_text="GB/T 4754-2017 门类字母或大类代码，如 G、60（邮政业）",
    )
    size = models.CharField("规模", max_length=8, choices=Size.choices, blank=True)
    employee_count = models.PositiveIntegerField("从业人员数", default=0)
    new_employment_worker_count = models.PositiveIntegerField("新就业群体人数", default=0)
    is_private_top500 = models.BooleanField("民营企业500强", default=False)
    is_internet_top100 = models.BooleanField("互联网企业100强", default=False)
    is_little_giant = models.BooleanField("专精特新“小巨人”", default=False)
    address = models.CharField("地址", max_length=200, blank=True)
    legal_representative = models.CharField("法定代表人/负责人", max_length=32, blank=True)
    instructor = models.ForeignKey(
        "organizations.Instructor",
        verbose_name="党建工作指导员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="units",
        help_text="选派了指导员即为“工作覆盖”",
    )
    # Maintained by the members app whenever a Party member's employer or status changes; the
    # ground floor cannot import members. It drives 应建未建 (≥3 full members, no organization).
    full_member_count = models.PositiveIntegerField("正式党员数", default=0, editable=False)
    member_count = models.PositiveIntegerField("党员总数", default=0, editable=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory", organization="organization")

    class Meta:
        verbose_name = "覆盖单位"
        verbose_name_plural = "覆盖单位"
        indexes = [
            models.Index(fields=["name"], name="unit_name"),
            models.Index(fields=["territory", "industry"], name="unit_territory_industry"),
            models.Index(fields=["industry"], name="unit_industry"),
            models.Index(
                fields=["full_member_count"],
                name="unit_should_build",
                condition=models.Q(organization__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.credit_code:
            self.credit_code = normalize_credit_code(self.credit_code)
        else:
            self.credit_code = None
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None):
        # Normalise before the length and uniqueness checks: "91320104mа…" typed in lower case or
        # full width is the same code as the stored one, and must meet the duplicate check as such
        # (a Chinese form error) rather than slip past it into the database's unique index (a 500).
        self.credit_code = normalize_credit_code(self.credit_code) or None
        super().clean_fields(exclude=exclude)

    @property
    def is_key_target(self) -> bool:
        return self.is_private_top500 or self.is_internet_top100 or self.is_little_giant

    @property
    def key_target_labels(self) -> list[str]:
        fields = ("is_private_top500", "is_internet_top100", "is_little_giant")
        return [str(self._meta.get_field(f).verbose_name) for f in fields if getattr(self, f)]

    def clean(self) -> None:
        from organizations.rules import check_unit_assignment

        check_unit_assignment(self)
