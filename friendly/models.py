"""The friendly city around the stations (友好城市): 骑手友好社区 with their 公约 and entrances, the
rider's 宁新码 pass and the guards' scans, and merchants' 爱'新'商家 claims.

Third floor: it places things in the territory (organizations), issues passes to registered
workers (members) and puts entrances and approved merchants on the friendly map as service
points (stations). Nothing below imports it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from organizations.scope import ScopedQuerySet, ScopeSpec


class FriendlyCommunity(models.Model):
    """骑手友好社区 — a residential community that lets riders in with the 宁新码 and publishes a
    公约 (what riders and the property promise each other)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "筹建"
        PUBLISHED = "published", "已挂牌"
        SUSPENDED = "suspended", "暂停"

    territory = models.ForeignKey(
        "organizations.Territory", verbose_name="所在社区", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("名称", max_length=100, help_text="如：钞库街社区骑手友好社区")
    convention = models.TextField("社区公约", help_text="骑手与社区、物业的相互承诺，发布后在扫码页公开")
    convention_version = models.PositiveSmallIntegerField("公约版本", default=0, editable=False)
    published_on = models.DateField("挂牌（公约发布）日期", null=True, blank=True, editable=False)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.DRAFT, editable=False)
    property_company = models.CharField("物业服务企业", max_length=100, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory")

    class Meta:
        verbose_name = "骑手友好社区"
        verbose_name_plural = "骑手友好社区"
        ordering = ["territory__path", "id"]

    def __str__(self) -> str:
        return self.name


class CommunityEntrance(models.Model):
    """An entrance (门岗) of a friendly community that accepts the 宁新码. Its guard opens the
    entrance's guard link once on the gate's phone; scans from that phone count here. The
    entrance is also a point on the friendly map (kept in step by ``entrance_save``)."""

    community = models.ForeignKey(
        FriendlyCommunity, verbose_name="友好社区", on_delete=models.CASCADE, related_name="entrances"
    )
    name = models.CharField("入口名称", max_length=64, help_text="如：东门、3号门岗")
    address = models.CharField("地址", max_length=200, blank=True)
    longitude = models.DecimalField("经度（GCJ-02）", max_digits=10, decimal_places=6)
    latitude = models.DecimalField("纬度（GCJ-02）", max_digits=10, decimal_places=6)
    accepts_pass = models.BooleanField("凭宁新码通行", default=True)
    # A random key, not the id: whoever holds the guard link counts scans for this entrance.
    guard_key = models.CharField("门岗链接密钥", max_length=24, unique=True, editable=False)
    point = models.OneToOneField(
        "stations.ServicePoint",
        verbose_name="地图点位",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="entrance",
        editable=False,
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="community__territory")

    class Meta:
        verbose_name = "友好社区入口"
        verbose_name_plural = "友好社区入口"
        ordering = ["community_id", "id"]

    def __str__(self) -> str:
        return f"{self.community.name} {self.name}"


class RiderPass(models.Model):
    """宁新码通行证 — issued to a registered new-employment worker who proved their phone; shown
    as a signed, expiring QR on their phone and as a short code a guard can type."""

    person = models.ForeignKey("members.Person", verbose_name="劳动者", on_delete=models.CASCADE, related_name="+")
    code = models.CharField("通行码", max_length=8, unique=True, editable=False)
    issued_at = models.DateTimeField("签发时间", editable=False)
    expires_at = models.DateTimeField("有效期至", editable=False)
    revoked_at = models.DateTimeField("作废时间", null=True, blank=True, editable=False)
    revoked_reason = models.CharField("作废原因", max_length=200, blank=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="person__territory", station_post="person__home_station_link__station__manager_post")

    class Meta:
        verbose_name = "宁新码通行证"
        verbose_name_plural = "宁新码通行证"
        ordering = ["-issued_at"]
        indexes = [models.Index(fields=["person", "-expires_at"], name="riderpass_person_expiry")]

    def __str__(self) -> str:
        return self.code


class PassScan(models.Model):
    """One check of a pass at a gate: what the guard's phone was told, counted per community."""

    class Result(models.TextChoices):
        VALID = "valid", "有效"
        EXPIRED = "expired", "已过期"
        REVOKED = "revoked", "已作废"
        UNKNOWN = "unknown", "无此通行码"
        FORGED = "forged", "二维码无效"

    class Method(models.TextChoices):
        QR = "qr", "扫码"
        TYPED = "typed", "输入通行码"

    entrance = models.ForeignKey(
        CommunityEntrance, verbose_name="入口", null=True, blank=True, on_delete=models.SET_NULL, related_name="scans"
    )
    # Copied from the entrance so counting a community's scans is one indexed filter.
    community = models.ForeignKey(
        FriendlyCommunity,
        verbose_name="友好社区",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="scans",
    )
    rider_pass = models.ForeignKey(
        RiderPass, verbose_name="通行证", null=True, blank=True, on_delete=models.SET_NULL, related_name="scans"
    )
    result = models.CharField("结果", max_length=16, choices=Result.choices)
    method = models.CharField("方式", max_length=8, choices=Method.choices)
    scanned_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="community__territory")

    class Meta:
        verbose_name = "宁新码核验记录"
        verbose_name_plural = "宁新码核验记录"
        ordering = ["-scanned_at", "-id"]
        indexes = [models.Index(fields=["community", "scanned_at"], name="passscan_community_time")]

    def __str__(self) -> str:
        return f"{self.get_result_display()} {self.scanned_at:%Y-%m-%d %H:%M}"


def merchant_photo_path(instance, filename: str) -> str:
    # The name is ours (the photo is re-encoded); the uploader's file name never reaches disk.
    return f"friendly/merchants/{filename}"


class MerchantClaim(models.Model):
    """爱'新'商家认领 — a merchant's own claim, sent from a public form, reviewed by its street.
    On approval the merchant becomes a 爱心商家 point on the friendly map."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已认定"
        REJECTED = "rejected", "未通过"

    merchant_name = models.CharField("商家名称", max_length=100)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    contact_name = models.CharField("联系人", max_length=64)
    contact_phone = models.CharField("联系电话", max_length=11)
    territory = models.ForeignKey(
        "organizations.Territory", verbose_name="所在街道", on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField("地址", max_length=200)
    longitude = models.DecimalField("经度（GCJ-02）", max_digits=10, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField("纬度（GCJ-02）", max_digits=10, decimal_places=6, null=True, blank=True)
    green_channel = models.BooleanField("取餐绿色通道", default=False)
    care_meal = models.BooleanField("小哥爱心套餐", default=False)
    other_offers = models.CharField(
        "其他服务", max_length=200, blank=True, help_text="如：免费热水、手机充电、借用卫生间"
    )
    hours_text = models.CharField("营业时间", max_length=100, blank=True)
    photo = models.ImageField("门头照片", upload_to=merchant_photo_path, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=Status.choices, default=Status.PENDING, editable=False, db_index=True
    )
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True, editable=False)
    review_note = models.CharField("审核意见", max_length=200, blank=True, help_text="不通过时必填，会告知商家")
    point = models.OneToOneField(
        "stations.ServicePoint",
        verbose_name="地图点位",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merchant_claim",
        editable=False,
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory")

    class Meta:
        verbose_name = "爱'新'商家认领"
        verbose_name_plural = "爱'新'商家认领"
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return self.merchant_name

    @property
    def offers_text(self) -> str:
        offers = [
            label for flag, label in ((self.green_channel, "取餐绿色通道"), (self.care_meal, "小哥爱心套餐")) if flag
        ]
        if self.other_offers:
            offers.append(self.other_offers)
        return "、".join(offers)
