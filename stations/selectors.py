"""Reads of the stations app that carry rules: scope, opening hours, distance, overdue checks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils import timezone

from organizations.scope import scope_for
from stations import geo
from stations.hours import station_is_open
from stations.models import ServicePoint, Station, Visit

NEARBY_RADII_M = (3_000, 10_000, 30_000, 100_000)


def inspection_interval_days() -> int:
    return settings.STATION_INSPECTION_INTERVAL_DAYS


def overdue_cutoff(today=None):
    return (today or timezone.localdate()) - timedelta(days=inspection_interval_days())


def overdue_q(today=None) -> Q:
    """Stations in service never inspected, or whose last inspection is older than the interval."""
    cutoff = overdue_cutoff(today)
    active = ~Q(status__in=[Station.Status.CLOSED, Station.Status.PLANNED])
    return active & (Q(last_inspected_on__isnull=True) | Q(last_inspected_on__lt=cutoff))


def is_overdue(station: Station, today=None) -> bool:
    if station.status in (Station.Status.CLOSED, Station.Status.PLANNED):
        return False
    return station.last_inspected_on is None or station.last_inspected_on < overdue_cutoff(today)


# What a station manager may not change on their own station: where it sits, who manages it,
# its tier and its status are decided by the street or district that placed it.
OFFICER_ONLY_FIELDS = ("code", "territory", "manager_post", "tier", "status", "hosting_unit")


def is_station_manager_only(user) -> bool:
    """The user's scope comes only from station posts (no territorial or line posts)."""
    scope = scope_for(user)
    return bool(scope.station_post_ids) and not (
        scope.everything or scope.territory_paths or scope.organization_paths or scope.body_ids
    )


def map_stations(user, *, tier: str = "", service: str = "", open_now: bool = False, when: datetime | None = None):
    """Stations with coordinates the user may see, filtered for the staff map."""
    qs = (
        Station.objects.visible_to(user)
        .with_coordinates()
        .exclude(status=Station.Status.CLOSED)
        .select_related("territory")
        .prefetch_related("opening_hours", "services")
        .order_by("id")
    )
    if tier:
        qs = qs.filter(tier=tier)
    if service:
        qs = qs.filter(services__code=service)
    stations = list(qs)
    if open_now:
        when = when or timezone.now()
        stations = [s for s in stations if station_is_open(s, when)]
    return stations


def map_point(station: Station, *, crs: str, open_now: bool) -> dict:
    """One map marker, with the station's coordinates converted to the tiles' system."""
    lng, lat = station.coordinates_in(crs)
    return {
        "code": station.code,
        "name": station.name,
        "tier": station.tier,
        "tier_label": station.get_tier_display(),
        "status": station.status,
        "is_24h": station.is_24h,
        "open_now": open_now,
        "address": station.address,
        "territory": station.territory.name,
        "services": [s.name for s in station.services.all()],
        "lng": round(lng, 7),
        "lat": round(lat, 7),
        "overdue": is_overdue(station),
        "compliant": station.compliant,
        "phone_url": reverse("station-phone", kwargs={"code": station.code}),
    }


@dataclass(frozen=True)
class Nearby:
    station: Station
    distance_m: float
    open_now: bool


def nearby_stations(
    *,
    lng: float,
    lat: float,
    coord_system: str = geo.WGS84,
    open_now: bool = False,
    limit: int = 10,
    when: datetime | None = None,
) -> list[Nearby]:
    """The closest stations in service to a point, nearest first (public data only).

    Candidates come from the indexed WGS-84 bounding box, widened step by step until enough are
    found; distances are exact haversine in WGS-84; "open now" uses the opening-hours rules
    (overnight spans, 24-hour flag) at ``when``.
    """
    when = when or timezone.now()
    lng, lat = geo.convert(lng, lat, source=coord_system, target=geo.WGS84)
    found: list[Nearby] = []
    for radius in NEARBY_RADII_M:
        box = geo.bounding_box(lng, lat, radius)
        candidates = (
            Station.objects.open()
            .filter(
                lat_wgs84__gte=box.min_lat,
                lat_wgs84__lte=box.max_lat,
                lng_wgs84__gte=box.min_lng,
                lng_wgs84__lte=box.max_lng,
            )
            .prefetch_related("opening_hours", "services")
        )
        found = []
        for station in candidates:
            distance = geo.haversine_m(lng, lat, station.lng_wgs84, station.lat_wgs84)
            if distance > radius:
                continue
            is_open = station_is_open(station, when)
            if open_now and not is_open:
                continue
            found.append(Nearby(station, distance, is_open))
        if len(found) >= limit:
            break
    found.sort(key=lambda n: (n.distance_m, n.station.code))
    return found[:limit]


def visit_totals(stations, *, since, until=None) -> dict[int, int]:
    """People served per station id over [since, until]."""
    qs = Visit.objects.filter(station__in=stations, day__gte=since)
    if until:
        qs = qs.filter(day__lte=until)
    return dict(qs.values("station_id").annotate(total=Sum("count")).values_list("station_id", "total"))


@dataclass(frozen=True)
class NearbyPoint:
    point: ServicePoint
    distance_m: float


def nearby_service_points(
    *, lng: float, lat: float, coord_system: str = geo.WGS84, kinds: tuple[str, ...] = (), limit: int = 10
) -> list[NearbyPoint]:
    """The closest active service points (友好地图) to a point, nearest first; public data only.

    Same method as ``nearby_stations``: an indexed WGS-84 bounding box widened step by step,
    then exact haversine distances.
    """
    lng, lat = geo.convert(lng, lat, source=coord_system, target=geo.WGS84)
    found: list[NearbyPoint] = []
    for radius in NEARBY_RADII_M:
        box = geo.bounding_box(lng, lat, radius)
        candidates = ServicePoint.objects.active().filter(
            lat_wgs84__gte=box.min_lat,
            lat_wgs84__lte=box.max_lat,
            lng_wgs84__gte=box.min_lng,
            lng_wgs84__lte=box.max_lng,
        )
        if kinds:
            candidates = candidates.filter(kind__in=kinds)
        found = []
        for point in candidates:
            distance = geo.haversine_m(lng, lat, point.lng_wgs84, point.lat_wgs84)
            if distance <= radius:
                found.append(NearbyPoint(point, distance))
        if len(found) >= limit:
            break
    found.sort(key=lambda n: (n.distance_m, n.point.code))
    return found[:limit]


def map_service_points(user, *, kinds: tuple[str, ...] = ()):
    """Active service points the user may see, for the staff map."""
    qs = ServicePoint.objects.visible_to(user).active().order_by("id")
    if kinds:
        qs = qs.filter(kind__in=kinds)
    return list(qs)


def service_point_marker(point: ServicePoint, *, crs: str) -> dict:
    """One map marker of a service point (public fields only: the public map shows it too)."""
    lng, lat = point.coordinates_in(crs)
    return {
        "code": point.code,
        "name": point.name,
        "kind": point.kind,
        "kind_label": point.get_kind_display(),
        "address": point.address,
        "is_24h": point.is_24h,
        "hours": point.hours_text,
        "offers": point.offers,
        "phone": point.contact_phone,
        "lng": round(lng, 7),
        "lat": round(lat, 7),
    }
