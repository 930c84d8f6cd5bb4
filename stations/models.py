from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from core.text import clean_code
from core.validation import (
    DateChecks,
    clean_phone_field,
    coordinates_error,
    url_code_error,
)
from organizations.scope import ScopedQuerySet, ScopeSpec
from stations import geo

WEEKDAYS = [(0, "周一"), (1, "周二"), (2, "周三"), (3, "周四"), (4, "周五"), (5, "周六"), (6, "周日")]


class Service(models.Model):
    """驿站服务项目 — the managed catalogue of what a station may offer (休息, 充电, 热饭…).

    Shared reference data: not placed in the hierarchy; the municipal committee maintains it.
    """

    code = models.SlugField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=32, unique=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "服务项目"
        verbose_name_plural = "服务项目"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class StationQuerySet(ScopedQuerySet):
    def open(self) -> StationQuerySet:
        return self.filter(status=Station.Status.OPEN)

    def with_coordinates(self) -> StationQuerySet:
        return self.filter(lat_wgs84__isnull=False, lng_wgs84__isnull=False)


class Station(models.Model):
    """宁小蜂驿站 — a service station for gig workers, hosted in an existing place.

    ``code`` is stable: it is printed on the station's QR code (宁新码) and is the natural key
    for survey imports. Coordinates are kept in the system they were taken in
    (``coord_system``); ``lng_wgs84``/``lat_wgs84`` are derived on save and indexed so that
    "nearby" can prefilter by a bounding box in one datum.
    """

    class Tier(models.TextChoices):
        FLAGSHIP = "flagship", "旗舰型"
        KEY = "key", "重点型"
        STANDARD = "standard", "标准型"

    class HostType(models.TextChoices):
        UNION_REST_STOP = "union", "工会驿站"
        YOUTH_HOME = "youth", "青年之家"
        OFFICE_TOWER = "tower", "商务楼宇"
        CHARGING = "charging", "充电站"
        SHOP = "shop", "商户"
        COMMUNITY_CENTER = "community", "社区党群服务中心"
        OTHER = "other", "其他"

    class CoordSystem(models.TextChoices):
        GCJ02 = "gcj02", "GCJ-02（高德/腾讯）"
        WGS84 = "wgs84", "WGS-84（GPS）"

    class Status(models.TextChoices):
        PLANNED = "planned", "筹建"
        OPEN = "open", "运行"
        SUSPENDED = "suspended", "暂停"
        CLOSED = "closed", "关闭"

    code = models.CharField("驿站编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    tier = models.CharField("类型", max_length=16, choices=Tier.choices, default=Tier.STANDARD)
    host_type = models.CharField("依托阵地", max_length=16, choices=HostType.choices)
    hosting_unit = models.ForeignKey(
        "organizations.Unit",
        verbose_name="依托单位",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stations",
    )
    territory = models.ForeignKey(
        "organizations.Territory",
        verbose_name="属地",
        on_delete=models.PROTECT,
        related_name="stations",
    )
    address = models.CharField("地址", max_length=200, blank=True)
    longitude = models.DecimalField("经度", max_digits=10, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField("纬度", max_digits=10, decimal_places=6, null=True, blank=True)
    coord_system = models.CharField("坐标系", max_length=8, choices=CoordSystem.choices, default=CoordSystem.GCJ02)
    manager_post = models.ForeignKey(
        "organizations.StaffPost",
        verbose_name="站长岗位",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_stations",
        limit_choices_to={"role": "station"},
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    is_24h = models.BooleanField("24小时开放", default=False)
    services = models.ManyToManyField(Service, verbose_name="服务项目", blank=True, related_name="stations")
    contact_phone = models.CharField(
        "驿站电话", max_length=32, blank=True, help_text="公开在扫码页上的驿站座机或值班电话"
    )
    description = models.TextField("简介", blank=True)
    # Derived from longitude/latitude on save; indexed for the nearby prefilter.
    lng_wgs84 = models.FloatField("经度（WGS-84）", null=True, blank=True, editable=False)
    lat_wgs84 = models.FloatField("纬度（WGS-84）", null=True, blank=True, editable=False)
    # Denormalised from the latest inspection (inspection_record keeps them current).
    last_inspected_on = models.DateField("最近检查日期", null=True, blank=True, editable=False)
    compliant = models.BooleanField("六个一达标", null=True, blank=True, editable=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    # Changed only by the service that records the event (tests/architecture/test_protected_fields.py).
    EVENT_FIELDS = ("compliant", "last_inspected_on")
    objects = StationQuerySet.as_manager()
    scope = ScopeSpec(territory="territory", station_post="manager_post")

    class Meta:
        verbose_name = "驿站"
        verbose_name_plural = "驿站"
        indexes = [
            models.Index(fields=["territory", "status"], name="station_territory_status"),
            models.Index(fields=["lat_wgs84", "lng_wgs84"], name="station_wgs84_latlng"),
            models.Index(fields=["last_inspected_on"], name="station_last_inspected"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.derive_wgs84()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"longitude", "latitude", "coord_system"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "lng_wgs84", "lat_wgs84"}
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        errors = {}
        if (self.longitude is None) != (self.latitude is None):
            errors["latitude"] = "经度和纬度须同时填写或同时留空"
        if self.longitude is not None and not (-180 <= self.longitude <= 180):
            errors["longitude"] = f"经度 {self.longitude} 超出范围（-180 至 180）"
        if self.latitude is not None and not (-90 <= self.latitude <= 90):
            swapped = self.longitude is not None and -90 <= self.longitude <= 90
            errors["latitude"] = f"纬度 {self.latitude} 超出范围（-90 至 90）" + (
                "，经纬度是否填反？" if swapped else ""
            )
        if not errors and self.longitude is not None and self.latitude is not None:
            error = coordinates_error(
                float(self.longitude), float(self.latitude), settings.PORTAL_CITY_BOUNDS, settings.PORTAL_CITY_NAME
            )
            if error:
                errors["longitude"] = error
        if self.code:
            self.code = clean_code(self.code)
            error = url_code_error(self.code, "驿站编码")
            if error:
                errors["code"] = error
        if error := clean_phone_field(self, "contact_phone"):
            errors["contact_phone"] = error
        if errors:
            raise ValidationError(errors)

    def derive_wgs84(self) -> None:
        if self.longitude is None or self.latitude is None:
            self.lng_wgs84 = self.lat_wgs84 = None
            return
        self.lng_wgs84, self.lat_wgs84 = geo.convert(
            float(self.longitude), float(self.latitude), source=self.coord_system, target=geo.WGS84
        )

    def coordinates_in(self, system: str) -> tuple[float, float] | None:
        """(lng, lat) in ``system`` ("gcj02"/"wgs84"), or None without coordinates."""
        if self.longitude is None or self.latitude is None:
            return None
        return geo.convert(float(self.longitude), float(self.latitude), source=self.coord_system, target=system)


class OpeningHours(models.Model):
    """One opening span of a station on a weekday. ``closes`` at or before ``opens`` means the
    span runs past midnight into the next day (22:00–02:00; 18:00–00:00 is "until midnight")."""

    station = models.ForeignKey(Station, verbose_name="驿站", on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField("星期", choices=WEEKDAYS)
    opens = models.TimeField("开门")
    closes = models.TimeField("关门", help_text="早于或等于开门时间表示跨夜，到次日该时间关门")

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="station__territory", station_post="station__manager_post")

    class Meta:
        verbose_name = "开放时间"
        verbose_name_plural = "开放时间"
        ordering = ["weekday", "opens"]
        constraints = [
            models.UniqueConstraint(fields=["station", "weekday", "opens"], name="openinghours_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    @property
    def overnight(self) -> bool:
        return self.closes <= self.opens

    def clean(self):
        super().clean()
        if self.opens is not None and self.opens == self.closes:
            raise ValidationError({"closes": "开门与关门时间相同；全天开放请勾选驿站的“24小时开放”"})


class InspectionItem(models.Model):
    """“六个一”标准的一项 — an editable checklist item every station is inspected against."""

    code = models.SlugField("编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=64)
    description = models.TextField("检查要点", blank=True)
    sort_order = models.PositiveSmallIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "六个一检查项"
        verbose_name_plural = "六个一检查项"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class Inspection(models.Model):
    """六个一标准检查 — one inspection of a station: date, inspector, per-item results, photos."""

    station = models.ForeignKey(Station, verbose_name="驿站", on_delete=models.CASCADE, related_name="inspections")
    inspected_on = models.DateField("检查日期")
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="检查人账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="station_inspections",
    )
    inspector_name = models.CharField("检查人", max_length=64)
    notes = models.TextField("检查意见", blank=True)
    # Snapshot at write time: every checklist item active that day was recorded and passed.
    is_compliant = models.BooleanField("达标", default=False, editable=False)
    created_at = models.DateTimeField("录入时间", auto_now_add=True)

    # Changed only by the service that records the event (tests/architecture/test_protected_fields.py).
    EVENT_FIELDS = ("is_compliant", "inspected_on", "station")
    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="station__territory", station_post="station__manager_post")

    class Meta:
        verbose_name = "六个一检查"
        verbose_name_plural = "六个一检查"
        ordering = ["-inspected_on", "-id"]
        indexes = [models.Index(fields=["station", "-inspected_on"], name="inspection_station_date")]

    def __str__(self) -> str:
        return f"{self.station} {self.inspected_on}"

    def clean(self):
        super().clean()
        # A future inspection would make a station compliant before anyone looked at it.
        DateChecks().fact("inspected_on", self.inspected_on, "检查日期").raise_if_any()


class InspectionResult(models.Model):
    inspection = models.ForeignKey(Inspection, verbose_name="检查", on_delete=models.CASCADE, related_name="results")
    item = models.ForeignKey(InspectionItem, verbose_name="检查项", on_delete=models.PROTECT, related_name="results")
    passed = models.BooleanField("合格", default=False)
    note = models.CharField("说明", max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="inspection__station__territory", station_post="inspection__station__manager_post")

    class Meta:
        verbose_name = "检查结果"
        verbose_name_plural = "检查结果"
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="inspectionresult_unique_item")]

    def __str__(self) -> str:
        return f"{self.item}：{'合格' if self.passed else '不合格'}"


def inspection_photo_path(instance, filename: str) -> str:
    # Names are ours (photos are re-encoded), so the uploader's file name never reaches disk.
    return f"stations/inspections/{instance.inspection.inspected_on:%Y/%m}/{filename}"


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(Inspection, verbose_name="检查", on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField("照片", upload_to=inspection_photo_path)
    caption = models.CharField("说明", max_length=100, blank=True)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="inspection__station__territory", station_post="inspection__station__manager_post")

    class Meta:
        verbose_name = "检查照片"
        verbose_name_plural = "检查照片"

    def __str__(self) -> str:
        return self.caption or self.image.name


class Visit(models.Model):
    """服务人次 — how many people a station served with one service on one day."""

    station = models.ForeignKey(Station, verbose_name="驿站", on_delete=models.CASCADE, related_name="visits")
    day = models.DateField("日期")
    service = models.ForeignKey(Service, verbose_name="服务项目", on_delete=models.PROTECT, related_name="visits")
    count = models.PositiveIntegerField("人次", validators=[MaxValueValidator(100000)])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True, on_delete=models.SET_NULL
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="station__territory", station_post="station__manager_post")

    class Meta:
        verbose_name = "服务人次"
        verbose_name_plural = "服务人次"
        ordering = ["-day", "station_id", "service_id"]
        constraints = [models.UniqueConstraint(fields=["station", "day", "service"], name="visit_unique_day_service")]
        indexes = [models.Index(fields=["day"], name="visit_day")]

    def __str__(self) -> str:
        return f"{self.station} {self.day} {self.service}：{self.count}"

    def clean(self):
        super().clean()
        DateChecks().fact("day", self.day, "服务日期").raise_if_any()


class CareActivity(models.Model):
    """聚心行动 — a care activity held at a station (summer packs, free check-ups…)."""

    class Kind(models.TextChoices):
        SUMMER = "summer", "夏送清凉"
        WINTER = "winter", "冬送温暖"
        CHECKUP = "checkup", "免费体检"
        FESTIVAL = "festival", "节日慰问"
        LEGAL = "legal", "法律服务"
        TRAINING = "training", "技能培训"
        OTHER = "other", "其他"

    station = models.ForeignKey(Station, verbose_name="驿站", on_delete=models.CASCADE, related_name="care_activities")
    held_on = models.DateField("日期")
    kind = models.CharField("类型", max_length=16, choices=Kind.choices)
    title = models.CharField("活动名称", max_length=100)
    participants = models.PositiveIntegerField("参与人数", default=0, validators=[MinValueValidator(0)])
    items_given = models.CharField("发放物品", max_length=200, blank=True, help_text="如：清凉礼包、体检券")
    items_count = models.PositiveIntegerField("发放数量", default=0)
    notes = models.TextField("备注", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True, on_delete=models.SET_NULL
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="station__territory", station_post="station__manager_post")

    class Meta:
        verbose_name = "聚心行动"
        verbose_name_plural = "聚心行动"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"

    def clean(self):
        super().clean()
        errors = DateChecks().fact("held_on", self.held_on, "活动日期").errors
        if self.items_count and not self.items_given:
            errors["items_given"] = "填写了发放数量，请注明发放的物品"
        title = (self.title or "").strip()
        if self.station_id and self.held_on and title and "held_on" not in errors:
            # The same form sent again (back, and 保存 with what the browser restored) would
            # count the activity and its people twice; a second one that day has its own name.
            same = CareActivity.objects.filter(station_id=self.station_id, held_on=self.held_on, title=title)
            if same.exclude(pk=self.pk).exists():
                errors["title"] = (
                    f"该驿站 {self.held_on:%Y-%m-%d} 已记录过“{title}”，未重复保存；"
                    "如是当天的另一场活动，请在名称中注明（如“第二场”）"
                )
        if errors:
            raise ValidationError(errors)


class StationFeedback(models.Model):
    """一键反馈 — a rider's one-tap word about the station itself (no water, no power, door shut…).

    Not a grievance: nobody owes the rider an answer, so no phone is asked; the station
    manager and the street see the recent ones on the manager's page.
    """

    class Kind(models.TextChoices):
        NO_WATER = "water", "没水"
        NO_POWER = "power", "没电"
        DOOR_SHUT = "shut", "门关了"
        DIRTY = "dirty", "环境差"
        OTHER = "other", "其他"

    station = models.ForeignKey(Station, verbose_name="驿站", on_delete=models.CASCADE, related_name="feedback")
    kind = models.CharField("反馈", max_length=8, choices=Kind.choices)
    text = models.CharField("补充说明", max_length=200, blank=True)
    created_at = models.DateTimeField("反馈时间", auto_now_add=True, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="station__territory", station_post="station__manager_post")

    class Meta:
        verbose_name = "驿站一键反馈"
        verbose_name_plural = "驿站一键反馈"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.station} {self.get_kind_display()}"


class ServicePointQuerySet(ScopedQuerySet):
    def active(self) -> ServicePointQuerySet:
        return self.filter(is_active=True)


class ServicePoint(models.Model):
    """友好地图服务点位 — a point on the friendly map beside the stations: a charging point, a
    爱心商家, an entrance of a 骑手友好社区, a 暖新驿站 partner, a toilet, a water point.

    Points live here, beside the stations, so the map and the public ``nearby`` API (both owned
    by this app) read one floor; the apps above that give a point its meaning (a friendly
    community's entrance, an approved merchant claim) point *down* at it.
    """

    class Kind(models.TextChoices):
        CHARGING = "charging", "充电点"
        MERCHANT = "merchant", "爱心商家"
        ENTRANCE = "entrance", "友好社区入口"
        PARTNER = "partner", "暖新驿站合作点"
        TOILET = "toilet", "公共厕所"
        WATER = "water", "饮水点"

    code = models.CharField("点位编码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=16, choices=Kind.choices, db_index=True)
    territory = models.ForeignKey(
        "organizations.Territory", verbose_name="属地", on_delete=models.PROTECT, related_name="service_points"
    )
    address = models.CharField("地址", max_length=200, blank=True)
    longitude = models.DecimalField("经度", max_digits=10, decimal_places=6)
    latitude = models.DecimalField("纬度", max_digits=10, decimal_places=6)
    coord_system = models.CharField(
        "坐标系", max_length=8, choices=Station.CoordSystem.choices, default=Station.CoordSystem.GCJ02
    )
    is_24h = models.BooleanField("24小时开放", default=False)
    hours_text = models.CharField("开放时间", max_length=100, blank=True, help_text="如：每天 10:00–22:00")
    offers = models.CharField("提供服务", max_length=200, blank=True, help_text="如：取餐绿色通道、小哥爱心套餐")
    contact_phone = models.CharField("联系电话", max_length=32, blank=True, help_text="公开在友好地图上")
    is_active = models.BooleanField("在地图上显示", default=True)
    lng_wgs84 = models.FloatField("经度（WGS-84）", null=True, blank=True, editable=False)
    lat_wgs84 = models.FloatField("纬度（WGS-84）", null=True, blank=True, editable=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ServicePointQuerySet.as_manager()
    scope = ScopeSpec(territory="territory")

    class Meta:
        verbose_name = "服务点位"
        verbose_name_plural = "服务点位（友好地图）"
        indexes = [
            models.Index(fields=["lat_wgs84", "lng_wgs84"], name="servicepoint_wgs84_latlng"),
            models.Index(fields=["territory", "kind"], name="servicepoint_territory_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"

    def save(self, *args, **kwargs):
        self.lng_wgs84, self.lat_wgs84 = geo.convert(
            float(self.longitude), float(self.latitude), source=self.coord_system, target=geo.WGS84
        )
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"longitude", "latitude", "coord_system"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "lng_wgs84", "lat_wgs84"}
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        errors = {}
        if self.longitude is not None and not (-180 <= self.longitude <= 180):
            errors["longitude"] = f"经度 {self.longitude} 超出范围（-180 至 180）"
        if self.latitude is not None and not (-90 <= self.latitude <= 90):
            errors["latitude"] = f"纬度 {self.latitude} 超出范围（-90 至 90）"
        if self.code:
            from core.text import clean_code

            self.code = clean_code(self.code)
        if errors:
            raise ValidationError(errors)

    def coordinates_in(self, system: str) -> tuple[float, float]:
        return geo.convert(float(self.longitude), float(self.latitude), source=self.coord_system, target=system)
