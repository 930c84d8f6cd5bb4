from datetime import date

from django.core.exceptions import ValidationError
from django.db import models

from members.validators import (
    id_number_consistency_errors,
    id_number_error,
    id_number_facts,
    name_error,
    name_initials,
    normalize_id_number,
    normalize_name,
    normalize_phone,
    phone_error,
)
from organizations.scope import ScopedQuerySet, ScopeSpec


class Occupation(models.TextChoices):
    """新就业群体的职业类别 (and "other" for people who are not gig workers)."""

    RIDER = "rider", "外卖配送员"
    COURIER = "courier", "快递员"
    RIDE_HAILING = "ride_hailing", "网约车司机"
    TRUCK = "truck", "货车司机"
    STREAMER = "streamer", "网络主播"
    DESIGNATED_DRIVER = "designated_driver", "代驾司机"
    HOUSEKEEPING = "housekeeping", "家政服务员"
    OFFICE = "office", "两新组织从业人员"
    OTHER = "other", "其他"


NEW_EMPLOYMENT_OCCUPATIONS = frozenset(
    {
        Occupation.RIDER,
        Occupation.COURIER,
        Occupation.RIDE_HAILING,
        Occupation.TRUCK,
        Occupation.STREAMER,
        Occupation.DESIGNATED_DRIVER,
        Occupation.HOUSEKEEPING,
    }
)


class Platform(models.TextChoices):
    MEITUAN = "meituan", "美团"
    ELEME = "eleme", "饿了么"
    SF = "sf", "顺丰"
    JD = "jd", "京东"
    ZTO = "zto", "中通"
    YTO = "yto", "圆通"
    STO = "sto", "申通"
    YUNDA = "yunda", "韵达"
    EMS = "ems", "中国邮政"
    DIDI = "didi", "滴滴出行"
    T3 = "t3", "T3出行"
    HUOLALA = "huolala", "货拉拉"
    DOUYIN = "douyin", "抖音"
    KUAISHOU = "kuaishou", "快手"
    OTHER = "other", "其他"
    NONE = "", "无"


class Person(models.Model):
    """人员 — anyone the portal knows: a gig worker (新就业群体), a Party member, or both.

    One person per ID number. ID numbers and phones are sensitive: masked in lists, exports and
    API responses unless the viewer needs them, and every change is audited.
    """

    class Gender(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    name = models.CharField("姓名", max_length=64)
    # Pinyin initials of the name (张三 → zs), kept so "zs" finds 张三 with an indexed LIKE.
    name_initials = models.CharField("姓名拼音首字母", max_length=32, blank=True, editable=False)
    id_number = models.CharField("身份证号", max_length=18, unique=True, null=True, blank=True)
    phone = models.CharField("手机号", max_length=11, blank=True, db_index=True)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    occupation = models.CharField("职业类别", max_length=24, choices=Occupation.choices, default=Occupation.OTHER)
    platform = models.CharField("所属平台", max_length=16, choices=Platform.choices, blank=True)
    territory = models.ForeignKey(
        "organizations.Territory",
        verbose_name="属地",
        on_delete=models.PROTECT,
        related_name="persons",
    )
    employer = models.ForeignKey(
        "organizations.Unit",
        verbose_name="所在单位",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="persons",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True, null=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True, null=True)

    objects = ScopedQuerySet.as_manager()
    # A person is seen by the street they live/work in (块), by the place of the organization
    # their membership is registered in (so the receiving street of an accepted transfer sees
    # them), by the industry committee over that organization or over the one co-managing a
    # mobile member (条, 双纳管). The manager of their home station sees them too: that
    # link lives on the floor above (points.HomeStation), which adds the path in its AppConfig.ready.
    scope = ScopeSpec(
        territory=(
            "territory",
            "membership__organization__territory",
            "membership__co_managing_organization__territory",
        ),
        organization=("membership__organization", "membership__co_managing_organization"),
    )

    class Meta:
        verbose_name = "人员"
        verbose_name_plural = "人员"
        indexes = [
            models.Index(fields=["name"], name="person_name"),
            models.Index(fields=["name_initials"], name="person_initials", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["territory", "occupation"], name="person_territory_occ"),
        ]
        permissions = [("view_full_identity", "查看完整身份证号和手机号")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_initials = name_initials(self.name) if self.name else ""
        if self.id_number == "":
            self.id_number = None
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_initials"}
        super().save(*args, **kwargs)

    @property
    def is_new_employment(self) -> bool:
        return self.occupation in NEW_EMPLOYMENT_OCCUPATIONS

    def age_on(self, day: date) -> int | None:
        if not self.birth_date:
            return None
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))

    def normalize(self) -> None:
        """Bring typed-in values to their stored form; fill birth date and gender from the ID."""
        self.name = normalize_name(self.name)
        self.name_initials = name_initials(self.name) if self.name else ""
        self.id_number = normalize_id_number(self.id_number) or None
        self.phone = normalize_phone(self.phone)

    def clean_fields(self, exclude=None) -> None:
        # Typed-in values (a phone with dashes) exceed the column until normalised.
        self.normalize()
        super().clean_fields(exclude)

    def clean(self) -> None:
        self.normalize()
        errors: dict[str, str] = {}
        if error := name_error(self.name):
            errors["name"] = error
        if self.phone and (error := phone_error(self.phone)):
            errors["phone"] = error
        if self.id_number:
            if error := id_number_error(self.id_number):
                errors["id_number"] = error
            else:
                errors.update(
                    id_number_consistency_errors(self.id_number, birth_date=self.birth_date, gender=self.gender)
                )
                if not errors:
                    self.birth_date, self.gender = id_number_facts(self.id_number)
        if errors:
            raise ValidationError(errors)


class PartyMembership(models.Model):
    """党员 — the Party side of a person: status, organization and dates.

    A 流动党员 (mobile member) keeps the origin organization and is co-managed where they work
    (双纳管); an 隐形党员 (invisible member) was found by a survey and has not registered with a
    local organization yet. Contact older than six months marks a member as 失联.
    """

    # Changed only by their procedures (members.services.LIFECYCLE_FIELDS): 组织关系转接 moves
    # a member, the development pipeline's 转正 makes them full; read-only at every other door.
    EVENT_FIELDS = ("organization", "status", "full_member_on")

    class Status(models.TextChoices):
        FULL = "full", "正式党员"
        PROBATIONARY = "probationary", "预备党员"

    class DuesCategory(models.TextChoices):
        REGULAR = "regular", "按月固定收入"
        IRREGULAR = "irregular", "收入不固定（按上季度月均）"
        RETIRED = "retired", "离退休"
        STUDENT = "student", "学生"
        UNEMPLOYED = "unemployed", "无固定收入/失业"
        RELIEF = "relief", "依靠救济或低保"

    person = models.OneToOneField(Person, verbose_name="人员", on_delete=models.PROTECT, related_name="membership")
    status = models.CharField("党员类别", max_length=16, choices=Status.choices)
    organization = models.ForeignKey(
        "organizations.PartyOrganization",
        verbose_name="所在党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
        help_text="隐形党员尚未在本地登记时可为空",
    )
    joined_on = models.DateField("入党日期", null=True, blank=True)
    full_member_on = models.DateField("转正日期", null=True, blank=True)
    probation_ends_on = models.DateField("预备期满日期", null=True, blank=True)
    is_mobile = models.BooleanField("流动党员", default=False)
    origin_organization_name = models.CharField("流出地党组织", max_length=150, blank=True)
    co_managing_organization = models.ForeignKey(
        "organizations.PartyOrganization",
        verbose_name="流入地共管党组织（双纳管）",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="co_managed_members",
    )
    is_invisible = models.BooleanField("隐形党员（摸排发现、未在本地登记）", default=False)
    found_by_survey_on = models.DateField("摸排发现日期", null=True, blank=True)
    last_contact_on = models.DateField("最近联系日期", null=True, blank=True)
    lost_contact = models.BooleanField("失联", default=False, help_text="超过6个月未联系，由每日任务标记")
    is_new_employment = models.BooleanField("新就业群体党员", default=False)
    dues_category = models.CharField(
        "党费计算方式", max_length=16, choices=DuesCategory.choices, default=DuesCategory.REGULAR
    )
    dues_monthly = models.DecimalField(
        "月交党费（元）", max_digits=9, decimal_places=2, null=True, blank=True, help_text="由党费核定生成"
    )
    dues_income_basis = models.DecimalField(
        "核定依据：税后月收入（元）", max_digits=11, decimal_places=2, null=True, blank=True
    )
    dues_assessed_on = models.DateField("党费核定日期", null=True, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()
    # Seen from where the person lives, where the organization is, and — for a mobile member —
    # from the co-managing organization where they work (双纳管); the home station's manager too
    # (that path is added by points, which owns the home-station link: see points.apps).
    scope = ScopeSpec(
        territory=("person__territory", "organization__territory", "co_managing_organization__territory"),
        organization=("organization", "co_managing_organization"),
    )

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        indexes = [
            models.Index(fields=["organization", "status"], name="membership_org_status"),
            models.Index(fields=["lost_contact", "last_contact_on"], name="membership_contact"),
        ]
        constraints = [
            models.CheckConstraint(
                name="membership_registered_has_org",
                condition=models.Q(is_invisible=True) | models.Q(organization__isnull=False),
                violation_error_message="已在本地登记的党员必须有所在党组织",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name}（{self.get_status_display()}）"

    def clean(self) -> None:
        errors = {}
        if not self.is_invisible and not self.organization_id:
            errors["organization"] = "已在本地登记的党员必须选择所在党组织（隐形党员除外）"
        if self.status == self.Status.PROBATIONARY and self.full_member_on:
            errors["full_member_on"] = "预备党员不应有转正日期"
        if self.joined_on and self.full_member_on and self.full_member_on < self.joined_on:
            errors["full_member_on"] = "转正日期不能早于入党日期"
        elif self.probation_ends_on and self.full_member_on and self.full_member_on < self.probation_ends_on:
            # 转正 after the probation year (or its extension), as development_advance requires.
            errors["full_member_on"] = f"转正日期不能早于预备期满日期（{self.probation_ends_on:%Y-%m-%d}）"
        if self.is_mobile and not self.origin_organization_name:
            errors["origin_organization_name"] = "流动党员须填写流出地党组织"
        if errors:
            raise ValidationError(errors)
