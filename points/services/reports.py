"""随手拍: a worker's photo report → staff verify → a grievance is opened and points paid once."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.cases import open_case
from core.images import sanitize_photo
from members.validators import normalize_phone, phone_error
from points.models import PhotoReport, PointRule
from points.selectors import person_for_phone
from points.services.ledger import PointsError, points_award
from stations.models import Station

PHOTO_RULE_SETTING = "POINTS_PHOTO_REPORT_RULE"
DEFAULT_PHOTO_RULE = "AQ-SSP"


def photo_report_rule() -> PointRule | None:
    code = getattr(settings, PHOTO_RULE_SETTING, DEFAULT_PHOTO_RULE)
    return PointRule.objects.filter(code=code, is_active=True).first()


def _coordinate(value, name: str, low: int, high: int) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except InvalidOperation as exc:
        raise PointsError(f"{name}：不是有效的数字") from exc
    if not low <= number <= high:
        raise PointsError(f"{name}：应在 {low} 到 {high} 之间")
    return number


@transaction.atomic
def photo_report_submit(
    *,
    station: Station,
    phone: str,
    kind: str,
    text: str,
    photo,
    location_text: str = "",
    longitude=None,
    latitude=None,
) -> PhotoReport:
    """Store a report from the QR page; the photo is re-encoded without EXIF/GPS."""
    phone = normalize_phone(phone)
    if phone_error(phone):
        raise PointsError(f"手机号：{phone_error(phone)}")
    text = (text or "").strip()
    if len(text) < 5:
        raise PointsError("情况描述：请至少写 5 个字，说明看到了什么、在哪里")
    if kind not in PhotoReport.Kind.values:
        raise PointsError("类型：请选择隐患、不文明现象、设施损坏或其他")
    if photo is None:
        raise PointsError("照片：请拍摄或选择一张照片")
    try:
        clean = sanitize_photo(photo, label="照片")
    except ValidationError as exc:
        raise PointsError("；".join(exc.messages)) from exc
    lng = _coordinate(longitude, "经度", -180, 180)
    lat = _coordinate(latitude, "纬度", -90, 90)
    if (lng is None) != (lat is None):
        lng = lat = None
    report = PhotoReport(
        kind=kind,
        text=text[:2000],
        location_text=(location_text or "").strip()[:200],
        longitude=lng,
        latitude=lat,
        station=station,
        territory_id=station.territory_id,
        person=person_for_phone(phone),
        phone=phone,
    )
    report.photo.save(clean.name, clean, save=False)
    report.save()
    return report


def _open_grievance(report: PhotoReport, actor, category_code: str | None) -> int:
    """The grievances app owns the case from here on, reached through ``core.cases`` because it is
    on the same floor (idempotent by source_ref); returns the case's primary key."""
    with report.photo.open("rb") as photo:
        try:
            return open_case(
                channel="photo_report",
                text=f"【随手拍·{report.get_kind_display()}】{report.text}"
                + (f"\n位置：{report.location_text}" if report.location_text else ""),
                territory=report.territory,
                category_code=category_code,
                station=report.station,
                person=report.person,
                contact_phone=report.phone,
                photos=[photo],
                actor=actor,
                source_ref=f"photo-report:{report.pk}",
            )
        except ValidationError as exc:
            raise PointsError("转为诉求失败：" + "；".join(exc.messages)) from exc


@transaction.atomic
def photo_report_verify(
    *, report: PhotoReport, actor, category_code: str | None = None, at: datetime | None = None
) -> PhotoReport:
    """Verify: open a grievance and pay the photo-report rule once (idempotent by report id)."""
    at = at or timezone.now()
    report = (
        PhotoReport.objects.select_for_update(of=("self",))
        .select_related("person__territory", "station")
        .get(pk=report.pk)
    )
    if report.status == PhotoReport.Status.VERIFIED:
        return report
    if report.status != PhotoReport.Status.SUBMITTED:
        raise PointsError(f"该随手拍已{report.get_status_display()}，不能再核实")
    report.grievance_id = _open_grievance(report, actor, category_code)
    rule = photo_report_rule()
    if report.person is not None and rule is not None:
        result = points_award(
            person=report.person,
            rule=rule,
            actor=actor,
            source=report,
            idempotency_key=f"photo-report:{report.pk}:award",
            note=f"随手拍核实：{report.text[:40]}",
            station=report.station,
            truncate_to_cap=True,
            check_award_roles=False,  # the verifier's right is to verify; the rule pays
            at=at,
        )
        report.entry = result.entry
    report.status = PhotoReport.Status.VERIFIED
    report.decided_at, report.decided_by = at, actor
    report.save(update_fields=["grievance_id", "entry", "status", "decided_at", "decided_by"])
    return report


@transaction.atomic
def photo_report_reject(*, report: PhotoReport, actor, reason: str, at: datetime | None = None) -> PhotoReport:
    reason = (reason or "").strip()
    if not reason:
        raise PointsError("请填写不予采纳的原因（会告知上报人）")
    report = PhotoReport.objects.select_for_update().get(pk=report.pk)
    if report.status != PhotoReport.Status.SUBMITTED:
        raise PointsError(f"该随手拍已{report.get_status_display()}")
    report.status = PhotoReport.Status.REJECTED
    report.reject_reason = reason[:200]
    report.decided_at, report.decided_by = at or timezone.now(), actor
    report.save(update_fields=["status", "reject_reason", "decided_at", "decided_by"])
    return report
