from django.db import models

from organizations.scope import ScopedQuerySet, ScopeSpec


class Station(models.Model):
    """宁小蜂驿站 — a service station for gig workers, hosted in an existing place.

    ``code`` is stable: it is printed on the station's QR code (宁新码) and is the natural key
    for survey imports.
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

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory", station_post="manager_post")

    class Meta:
        verbose_name = "驿站"
        verbose_name_plural = "驿站"
        indexes = [models.Index(fields=["territory", "status"], name="station_territory_status")]

    def __str__(self) -> str:
        return self.name
