"""Writes of the stations app: inspections, compliance, visit counts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.images import sanitize_photo
from core.validation import DateChecks
from stations.models import (
    CareActivity,
    Inspection,
    InspectionItem,
    InspectionPhoto,
    InspectionResult,
    Service,
    ServicePoint,
    Station,
    StationFeedback,
    Visit,
)

MAX_PHOTOS_PER_INSPECTION = 12


def _not_in_future(day: date, field: str, label: str) -> None:
    DateChecks().fact(field, day, label).raise_if_any()


def inspection_is_compliant(inspection: Inspection) -> bool:
    """Every checklist item active today has a result on this inspection, and all passed."""
    active = set(InspectionItem.objects.filter(is_active=True).values_list("pk", flat=True))
    results = dict(inspection.results.values_list("item_id", "passed"))
    return bool(active) and active <= set(results) and all(results[pk] for pk in active)


def station_refresh_compliance(*, station: Station) -> Station:
    """Copy the latest inspection's date and verdict onto the station (used by lists and the map)."""
    latest = station.inspections.order_by("-inspected_on", "-id").only("inspected_on", "is_compliant").first()
    station.last_inspected_on = latest.inspected_on if latest else None
    station.compliant = latest.is_compliant if latest else None
    Station.objects.filter(pk=station.pk).update(
        last_inspected_on=station.last_inspected_on, compliant=station.compliant
    )
    return station


@transaction.atomic
def inspection_refresh(*, inspection: Inspection) -> Inspection:
    """Recompute an inspection's verdict after its results changed (admin inline edits)."""
    inspection.is_compliant = inspection_is_compliant(inspection)
    Inspection.objects.filter(pk=inspection.pk).update(is_compliant=inspection.is_compliant)
    station_refresh_compliance(station=inspection.station)
    return inspection


@transaction.atomic
def inspection_record(
    *,
    station: Station,
    inspected_on: date,
    inspector,
    inspector_name: str = "",
    results: Mapping[int, bool],
    result_notes: Mapping[int, str] | None = None,
    notes: str = "",
    photos: Iterable = (),
) -> Inspection:
    """Record a 六个一 inspection: one result per active checklist item, optional photos.

    Validates everything first (missing or unknown items, a future date, each photo) and
    writes in one transaction; the station's current compliance follows the latest inspection.
    """
    _not_in_future(inspected_on, "inspected_on", "检查日期")
    items = {item.pk: item for item in InspectionItem.objects.filter(is_active=True)}
    if not items:
        raise ValidationError("尚未配置“六个一”检查项，请先在管理后台维护检查清单")
    unknown = set(results) - set(items)
    if unknown:
        raise ValidationError({"results": f"检查项不存在或已停用：{', '.join(map(str, sorted(unknown)))}"})
    missing = [items[pk].name for pk in items if pk not in results]
    if missing:
        raise ValidationError({"results": f"以下检查项未填写结果：{'、'.join(missing)}"})
    photos = list(photos)
    if len(photos) > MAX_PHOTOS_PER_INSPECTION:
        raise ValidationError({"photos": f"照片最多 {MAX_PHOTOS_PER_INSPECTION} 张，本次 {len(photos)} 张"})
    clean_photos = [sanitize_photo(p, label=f"第{i}张照片") for i, p in enumerate(photos, start=1)]
    name = (
        inspector_name or (inspector.get_full_name() if inspector else "") or getattr(inspector, "username", "")
    ).strip()
    if not name:
        raise ValidationError({"inspector_name": "请填写检查人"})

    inspection = Inspection.objects.create(
        station=station, inspected_on=inspected_on, inspector=inspector, inspector_name=name, notes=notes
    )
    result_notes = result_notes or {}
    InspectionResult.objects.bulk_create(
        InspectionResult(
            inspection=inspection, item_id=pk, passed=bool(results[pk]), note=result_notes.get(pk, "")[:200]
        )
        for pk in items
    )
    for photo in clean_photos:
        InspectionPhoto.objects.create(inspection=inspection, image=photo)
    return inspection_refresh(inspection=inspection)


@transaction.atomic
def visits_record(*, station: Station, day: date, counts: Mapping[int, int], actor) -> dict[str, int]:
    """Set a station's visit counts for one day, per service (quick entry by the manager).

    ``counts`` maps service id → people served; 0 removes that day's row. Returns a summary
    ``{"created": n, "updated": n, "deleted": n}``. Locks the day's rows in primary-key order.
    """
    _not_in_future(day, "day", "日期")
    services = {s.pk: s for s in Service.objects.filter(pk__in=list(counts))}
    for service_id, value in counts.items():
        service = services.get(service_id)
        if service is None:
            raise ValidationError({"counts": f"服务项目 {service_id} 不存在"})
        if value is None or int(value) < 0:
            raise ValidationError({"counts": f"“{service.name}”的人次须为不小于 0 的整数"})
        if int(value) > 100000:
            raise ValidationError({"counts": f"“{service.name}”的人次 {value} 过大，请核对"})
    existing = {
        v.service_id: v for v in Visit.objects.select_for_update().filter(station=station, day=day).order_by("pk")
    }
    summary = {"created": 0, "updated": 0, "deleted": 0}
    for service_id, value in counts.items():
        value = int(value)
        row = existing.get(service_id)
        if value == 0:
            if row is not None:
                row.delete()
                summary["deleted"] += 1
        elif row is None:
            Visit.objects.create(station=station, day=day, service_id=service_id, count=value, recorded_by=actor)
            summary["created"] += 1
        elif row.count != value:
            row.count = value
            row.recorded_by = actor
            row.save(update_fields=["count", "recorded_by", "updated_at"])
            summary["updated"] += 1
    return summary


@transaction.atomic
def care_activity_record(
    *,
    station: Station,
    held_on: date,
    kind: str,
    title: str,
    participants: int = 0,
    items_given: str = "",
    items_count: int = 0,
    notes: str = "",
    actor,
) -> CareActivity:
    """Record a 聚心行动 held at a station (the manager's phone page, the admin's add form)."""
    activity = CareActivity(
        station=station,
        held_on=held_on,
        kind=kind,
        title=title.strip(),
        participants=participants or 0,
        items_given=items_given.strip(),
        items_count=items_count or 0,
        notes=notes,
        created_by=actor,
    )
    activity.full_clean()
    activity.save()
    return activity


FEEDBACK_STATUSES = (Station.Status.OPEN, Station.Status.SUSPENDED)


def station_feedback_submit(*, station: Station, kind: str, text: str = "") -> StationFeedback:
    """一键反馈 from the public QR page: one preset word, an optional line kept as typed."""
    if station.status not in FEEDBACK_STATUSES:
        raise ValidationError("该驿站已关闭，暂不接收反馈")
    if kind not in StationFeedback.Kind.values:
        raise ValidationError({"kind": "请选择一项反馈"})
    if kind == StationFeedback.Kind.OTHER and not text.strip():
        raise ValidationError({"text": "选择“其他”时请写一句遇到的问题"})
    if len(text) > 200:
        raise ValidationError({"text": f"补充说明不能超过 200 字（现 {len(text)} 字）"})
    return StationFeedback.objects.create(station=station, kind=kind, text=text.strip())


# --- service points (友好地图点位) ---------------------------------------------------------------

SERVICE_POINT_FIELDS = (
    "code",
    "name",
    "kind",
    "territory",
    "address",
    "longitude",
    "latitude",
    "coord_system",
    "is_24h",
    "hours_text",
    "offers",
    "contact_phone",
    "is_active",
)


@transaction.atomic
def service_point_save(*, point: ServicePoint, actor=None) -> ServicePoint:
    """Create or update a point on the friendly map: every door (admin, API, a merchant claim's
    approval, a community entrance) comes here, so the checks and the WGS-84 copy are one."""
    if not point.code:
        point.code = service_point_next_code(kind=point.kind, territory=point.territory)
    point.full_clean()
    point.save()
    return point


def service_point_next_code(*, kind: str, territory) -> str:
    """``<KIND>-<district code>-<n>``: stable, readable on a sticker, unique."""
    district = territory.code[:6]
    prefix = f"{kind[:3].upper()}-{district}-"
    taken = ServicePoint.objects.filter(code__startswith=prefix).count()
    n = taken + 1
    while ServicePoint.objects.filter(code=f"{prefix}{n:04d}").exists():
        n += 1
    return f"{prefix}{n:04d}"


def service_point_create(*, actor=None, **fields) -> ServicePoint:
    unknown = set(fields) - set(SERVICE_POINT_FIELDS)
    if unknown:
        raise TypeError(f"unknown service point fields: {sorted(unknown)}")
    return service_point_save(point=ServicePoint(**fields), actor=actor)


@transaction.atomic
def service_point_set_active(*, point: ServicePoint, active: bool, actor=None) -> ServicePoint:
    ServicePoint.objects.filter(pk=point.pk).update(is_active=active, updated_at=timezone.now())
    point.is_active = active
    return point
