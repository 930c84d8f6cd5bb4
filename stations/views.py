"""Pages of the stations app: the public QR phone page, and staff pages (map, list, quick
visit entry, QR downloads, printable poster, inspection photos)."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods, require_safe

from core.exports import list_export
from core.images import photo_response
from core.text import clean_code
from organizations.scope import get_visible_or_404
from stations import geo, qr
from stations.exports import station_rows
from stations.hours import spans_of, station_is_open, week_table
from stations.models import InspectionPhoto, Service, ServicePoint, Station, StationFeedback, Visit
from stations.outlines import station_outlines
from stations.phone_actions import phone_actions_for
from stations.selectors import (
    is_overdue,
    map_point,
    map_service_points,
    map_stations,
    nearby_service_points,
    nearby_stations,
    service_point_marker,
    visit_totals,
)
from stations.services import visits_record

PUBLIC_STATUSES = (Station.Status.OPEN, Station.Status.SUSPENDED, Station.Status.CLOSED)


def amap_marker_url(station) -> str | None:
    """一图导航: Amap's public marker URI; the phone opens it (in the Amap app when installed)."""
    coords = station.coordinates_in(geo.GCJ02)
    if coords is None:
        return None
    lng, lat = coords
    query = urlencode(
        {
            "position": f"{lng:.6f},{lat:.6f}",
            "name": station.name,
            "src": "ningxiaofeng",
            "coordinate": "gaode",
            "callnative": "1",
        }
    )
    return f"https://uri.amap.com/marker?{query}"


# --- public -----------------------------------------------------------------------------------


@require_GET
@cache_control(public=True, max_age=60)
def phone_page(request, code: str):
    """/s/<code>/ — what a worker sees after scanning the station's QR code. No login."""
    station = get_object_or_404(
        Station.objects.select_related("territory").prefetch_related("services", "opening_hours"),
        code=clean_code(code),
        status__in=PUBLIC_STATUSES,
    )
    spans = spans_of(station.opening_hours.all())
    now = timezone.localtime()
    return render(
        request,
        "stations/phone.html",
        {
            "station": station,
            "services": [s for s in station.services.all() if s.is_active],
            "week": week_table(spans, is_24h=station.is_24h),
            "today_index": now.weekday(),
            "open_now": station_is_open(station, now),
            "amap_url": amap_marker_url(station),
            "actions": phone_actions_for(station, request),
            "feedback_kinds": StationFeedback.Kind.choices,
        },
    )


# Where the public map opens when the phone gives no position: 新街口, the city's centre.
CITY_CENTRE_WGS84 = (118.7787, 32.0436)


@require_GET
def friendly_map(request):
    """/map/ — 友好地图: stations and service points near the worker, on a phone, no login."""
    return render(
        request,
        "stations/friendly_map.html",
        {"tiles": tile_settings(), "kinds": ServicePoint.Kind.choices, "centre": CITY_CENTRE_WGS84},
    )


@require_GET
@cache_control(public=True, max_age=30)
def friendly_map_points(request):
    """Public JSON for /map/: the nearest stations and points to ``lat``/``lng`` (WGS-84, from
    the phone), each with its distance and coordinates in the tiles' system."""
    try:
        lng = float(request.GET.get("lng", CITY_CENTRE_WGS84[0]))
        lat = float(request.GET.get("lat", CITY_CENTRE_WGS84[1]))
    except ValueError:
        return JsonResponse({"error": "经纬度须为数字"}, status=400)
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        return JsonResponse({"error": "经纬度超出范围"}, status=400)
    kind = request.GET.get("kind", "")
    if kind and kind != "station" and kind not in ServicePoint.Kind.values:
        return JsonResponse({"error": f"未知的点位类型：{kind}"}, status=400)
    crs = tile_settings()["crs"]
    items = []
    if kind in ("", "station"):
        for near in nearby_stations(lng=lng, lat=lat, limit=20):
            marker = map_point(near.station, crs=crs, open_now=near.open_now)
            items.append(
                {
                    "type": "station",
                    "kind_label": "宁小蜂驿站",
                    **{k: marker[k] for k in ("code", "name", "address", "is_24h", "open_now", "lng", "lat")},
                    "offers": "、".join(marker["services"]),
                    "url": marker["phone_url"],
                    "distance_m": round(near.distance_m),
                }
            )
    if kind != "station":
        kinds = (kind,) if kind else ()
        for near in nearby_service_points(lng=lng, lat=lat, kinds=kinds, limit=30):
            items.append(
                {"type": "point", **service_point_marker(near.point, crs=crs), "distance_m": round(near.distance_m)}
            )
    items.sort(key=lambda item: item["distance_m"])
    return JsonResponse({"crs": crs, "count": len(items), "items": items[:40]})


# --- staff ------------------------------------------------------------------------------------


def tile_settings() -> dict:
    crs = settings.STATION_MAP_TILE_CRS if settings.STATION_MAP_TILE_URL else geo.WGS84
    return {
        "url": settings.STATION_MAP_TILE_URL,
        "crs": crs,
        "attribution": settings.STATION_MAP_TILE_ATTRIBUTION,
    }


def map_context() -> dict:
    """Context the reusable map partial (stations/_map.html) needs; dashboards add it too."""
    return {
        "station_map_tiles": tile_settings(),
        "station_map_tiers": Station.Tier.choices,
        "station_map_services": Service.objects.filter(is_active=True),
        "station_map_point_kinds": ServicePoint.Kind.choices,
    }


@login_required
@permission_required("stations.view_station", raise_exception=True)
def station_map(request):
    return render(request, "stations/map.html", map_context())


@login_required
@permission_required("stations.view_station", raise_exception=True)
@require_GET
def map_points(request):
    """JSON markers for the staff map, in the tiles' coordinate system."""
    params = request.GET
    tier = params.get("tier", "")
    if tier and tier not in Station.Tier.values:
        return JsonResponse({"error": f"未知的驿站类型：{tier}"}, status=400)
    open_now = params.get("open_now") in ("1", "true")
    now = timezone.now()
    stations = map_stations(request.user, tier=tier, service=params.get("service", ""), open_now=open_now, when=now)
    crs = tile_settings()["crs"]
    points = [map_point(s, crs=crs, open_now=station_is_open(s, now)) for s in stations]
    kind = params.get("point_kind", "")
    if kind and kind != "none" and kind != "all" and kind not in ServicePoint.Kind.values:
        return JsonResponse({"error": f"未知的点位类型：{kind}"}, status=400)
    service_points = []
    if kind != "none" and request.user.has_perm("stations.view_servicepoint"):
        kinds = (kind,) if kind in ServicePoint.Kind.values else ()
        service_points = [service_point_marker(p, crs=crs) for p in map_service_points(request.user, kinds=kinds)]
    payload = {"crs": crs, "count": len(points), "points": points, "service_points": service_points}
    if params.get("outlines") == "1" and not settings.STATION_MAP_TILE_URL:
        # The offline basemap: outlines of every district and street the user sees, unfiltered.
        payload["outlines"] = station_outlines(map_stations(request.user), crs=crs)
    return JsonResponse(payload)


@login_required
@permission_required("stations.view_station", raise_exception=True)
def station_list(request):
    if (exported := list_export(request, "stations.list")) is not None:
        return exported
    qs = station_rows(request.user, request.GET)
    tier = request.GET.get("tier", "")
    query = request.GET.get("q", "").strip()
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    since = timezone.localdate() - timedelta(days=29)
    totals = visit_totals([s.pk for s in page.object_list], since=since)
    rows = [(s, is_overdue(s), totals.get(s.pk, 0)) for s in page.object_list]
    return render(
        request,
        "stations/list.html",
        {"page": page, "rows": rows, "tiers": Station.Tier.choices, "tier": tier, "q": query},
    )


def _visible_station(request, code: str) -> Station:
    return get_visible_or_404(Station.objects.select_related("territory"), request.user, code=code)


@login_required
@require_http_methods(["GET", "POST"])
def visits_entry(request, code: str):
    """Quick entry of one day's visit counts — a small page a station manager uses on a phone."""
    station = _visible_station(request, code)
    if not request.user.has_perms(["stations.add_visit", "stations.change_visit"]):
        return HttpResponse("您没有录入服务人次的权限", status=403)
    today = timezone.localdate()
    try:
        day = date.fromisoformat(request.POST.get("day") or request.GET.get("day") or today.isoformat())
    except ValueError:
        day = today
    offered = list(station.services.filter(is_active=True)) or list(Service.objects.filter(is_active=True))
    errors: list[str] = []
    if request.method == "POST":
        counts: dict[int, int] = {}
        for service in offered:
            raw = (request.POST.get(f"s{service.pk}") or "0").strip()
            if not raw.isdigit():
                errors.append(f"“{service.name}”的人次须为不小于 0 的整数（填写的是“{raw}”）")
                continue
            counts[service.pk] = int(raw)
        if not errors:
            try:
                summary = visits_record(station=station, day=day, counts=counts, actor=request.user)
            except ValidationError as exc:
                errors.extend(exc.messages)
            else:
                done = f"新增 {summary['created']}，修改 {summary['updated']}，清零 {summary['deleted']}"
                messages.success(request, f"已保存 {day:%Y-%m-%d} 的服务人次（{done}）")
                return redirect(f"{request.path}?day={day.isoformat()}")
    current = dict(Visit.objects.filter(station=station, day=day).values_list("service_id", "count"))
    rows = [
        (s, request.POST.get(f"s{s.pk}", current.get(s.pk, 0)) if errors else current.get(s.pk, 0)) for s in offered
    ]
    return render(
        request,
        "stations/visits_entry.html",
        {
            "station": station,
            "day": day,
            "today": today,
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1) if day < today else None,
            "rows": rows,
            "errors": errors,
            "day_total": sum(current.values()),
        },
    )


@login_required
@permission_required("stations.view_station", raise_exception=True)
def qr_png(request, code: str):
    station = _visible_station(request, code)
    response = HttpResponse(qr.qr_png(station), content_type="image/png")
    response["Content-Disposition"] = f'inline; filename="station-{station.code}.png"'
    return response


@login_required
@permission_required("stations.view_station", raise_exception=True)
def qr_svg(request, code: str):
    station = _visible_station(request, code)
    response = HttpResponse(qr.qr_svg(station), content_type="image/svg+xml")
    response["Content-Disposition"] = f'inline; filename="station-{station.code}.svg"'
    return response


@login_required
@permission_required("stations.view_station", raise_exception=True)
def poster(request, code: str):
    """A printable A4 poster: name, services, hours and the QR (inline SVG, prints sharp)."""
    station = get_visible_or_404(
        Station.objects.select_related("territory").prefetch_related("services", "opening_hours"),
        request.user,
        code=code,
    )
    return render(
        request,
        "stations/poster.html",
        {
            "station": station,
            "services": [s for s in station.services.all() if s.is_active],
            "week": week_table(spans_of(station.opening_hours.all()), is_24h=station.is_24h),
            "qr_svg": qr.qr_svg(station, scale=8, inline=True),
            "public_url": qr.public_url(station),
        },
    )


@login_required
@require_safe
def inspection_photo(request, pk: int):
    """A 六个一 inspection photo, read through the door of its station (never a /media/ link).

    No permission answers 404 like a record outside the scope: the URL must not tell an
    outsider that the photo exists.
    """
    if not request.user.has_perm("stations.view_inspectionphoto"):
        raise Http404
    photo = get_visible_or_404(InspectionPhoto.objects.all(), request.user, pk=pk)
    return photo_response(photo.image)
