from django.conf import settings
from django.db import models
from django.utils import timezone

from organizations.scope import ScopedQuerySet, ScopeSpec


def photo_path(instance, filename: str) -> str:
    # The stored name is ours, never the uploader's: the image is re-encoded as JPEG.
    return timezone.now().strftime("points/reports/%Y/%m/") + filename


class PhotoReport(models.Model):
    """随手拍 — a worker's photo of a hazard or incivility, sent from a station's QR page.

    Staff verify it: a verified report opens a grievance (or hazard case) and pays points once;
    a rejected report earns nothing. The photo is re-encoded on upload, so no EXIF (and no GPS
    position of the phone) is kept; the location is what the worker chose to share.
    """

    class Kind(models.TextChoices):
        HAZARD = "hazard", "安全隐患"
        INCIVILITY = "incivility", "不文明现象"
        FACILITY = "facility", "设施损坏"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "待核实"
        VERIFIED = "verified", "已核实"
        REJECTED = "rejected", "不予采纳"

    kind = models.CharField("类型", max_length=16, choices=Kind.choices, default=Kind.HAZARD)
    text = models.TextField("情况描述")
    photo = models.ImageField("照片", upload_to=photo_path)
    location_text = models.CharField("位置描述", max_length=200, blank=True)
    longitude = models.DecimalField("经度", max_digits=10, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField("纬度", max_digits=10, decimal_places=6, null=True, blank=True)
    coord_system = models.CharField("坐标系", max_length=8, default="wgs84", help_text="浏览器定位为 WGS-84")
    station = models.ForeignKey(
        "stations.Station", verbose_name="扫码驿站", on_delete=models.PROTECT, related_name="photo_reports"
    )
    territory = models.ForeignKey(
        "organizations.Territory", verbose_name="所在辖区", on_delete=models.PROTECT, related_name="photo_reports"
    )
    person = models.ForeignKey(
        "members.Person",
        verbose_name="上报人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="photo_reports",
        help_text="手机号已登记的人员；未登记的上报照常处理但不计积分",
    )
    phone = models.CharField("上报手机号", max_length=11)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField("上报时间", default=timezone.now)
    decided_at = models.DateTimeField("核实时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核实人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reject_reason = models.CharField("不予采纳原因", max_length=200, blank=True)
    grievance_id = models.PositiveBigIntegerField("诉求编号", null=True, blank=True)
    entry = models.ForeignKey(
        "points.PointEntry",
        verbose_name="积分流水",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,  # the ledger is partitioned by month: no FK can point at its id alone
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory", station_post="station__manager_post")

    class Meta:
        verbose_name = "随手拍"
        verbose_name_plural = "随手拍"
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["status", "submitted_at"], name="photoreport_status_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.text[:20]}"
