"""Coordinates: GCJ-02 ⇄ WGS-84, distances and bounding boxes.

Chinese web maps (Amap/高德, Tencent) publish positions in GCJ-02, an obfuscated datum that
is shifted from WGS-84 (GPS) by a few hundred metres in a smoothly varying way. A station keeps
its coordinates in the system they were taken in (``Station.coord_system``) and converts only
where a consumer needs the other one: OSM-style tiles and phone GPS speak WGS-84, Amap tiles
and the Amap navigation link speak GCJ-02.

The forward transform is the published public formula (Krasovsky 1940 ellipsoid); there is no
closed-form inverse, so ``gcj02_to_wgs84`` iterates the forward one until the round trip is
within a few millimetres. Points outside mainland China are not shifted by GCJ-02, so they are
returned unchanged in both directions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Krasovsky 1940, the ellipsoid the GCJ-02 formula is defined on.
_A = 6378245.0
_EE = 0.00669342162296594323
_EARTH_RADIUS_M = 6371008.8  # mean radius, for haversine

GCJ02 = "gcj02"
WGS84 = "wgs84"
SYSTEMS = (GCJ02, WGS84)

# The inverse stops when the forward image of the estimate is this close to the target (degrees,
# ~1 mm); it converges in 3-5 rounds everywhere in China.
_INVERSE_TOLERANCE = 1e-8
_INVERSE_MAX_ROUNDS = 30


def out_of_china(lng: float, lat: float) -> bool:
    """The rectangle the public implementations treat as "China" (where GCJ-02 shifts)."""
    return not (72.004 <= lng <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _delta(lng: float, lat: float) -> tuple[float, float]:
    dlat = _transform_lat(lng - 105.0, lat - 35.0)
    dlng = _transform_lng(lng - 105.0, lat - 35.0)
    radlat = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(radlat) ** 2
    sqrtmagic = math.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * math.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * math.cos(radlat) * math.pi)
    return dlng, dlat


def wgs84_to_gcj02(lng: float, lat: float) -> tuple[float, float]:
    """(lng, lat) in WGS-84 → (lng, lat) in GCJ-02."""
    lng, lat = float(lng), float(lat)
    if out_of_china(lng, lat):
        return lng, lat
    dlng, dlat = _delta(lng, lat)
    return lng + dlng, lat + dlat


def gcj02_to_wgs84(lng: float, lat: float) -> tuple[float, float]:
    """(lng, lat) in GCJ-02 → (lng, lat) in WGS-84, by fixed-point iteration of the forward map."""
    lng, lat = float(lng), float(lat)
    if out_of_china(lng, lat):
        return lng, lat
    est_lng, est_lat = lng, lat
    for _ in range(_INVERSE_MAX_ROUNDS):
        fwd_lng, fwd_lat = wgs84_to_gcj02(est_lng, est_lat)
        err_lng, err_lat = fwd_lng - lng, fwd_lat - lat
        if abs(err_lng) < _INVERSE_TOLERANCE and abs(err_lat) < _INVERSE_TOLERANCE:
            break
        est_lng -= err_lng
        est_lat -= err_lat
    return est_lng, est_lat


def convert(lng: float, lat: float, *, source: str, target: str) -> tuple[float, float]:
    """Convert between the two systems the portal knows; same system → unchanged."""
    if source not in SYSTEMS or target not in SYSTEMS:
        raise ValueError(f"unknown coordinate system: {source!r} → {target!r}")
    if source == target:
        return float(lng), float(lat)
    if source == WGS84:
        return wgs84_to_gcj02(lng, lat)
    return gcj02_to_wgs84(lng, lat)


def haversine_m(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance in metres between two points of the same system."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dphi = p2 - p1
    dlmb = math.radians(lng2 - lng1)
    h = math.sin(dphi / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlmb / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class BBox:
    min_lng: float
    min_lat: float
    max_lng: float
    max_lat: float


def bounding_box(lng: float, lat: float, radius_m: float) -> BBox:
    """A lat/lng box that contains every point within ``radius_m`` of (lng, lat).

    Used as the indexed prefilter before the exact haversine; slightly generous on purpose.
    """
    dlat = math.degrees(radius_m / _EARTH_RADIUS_M)
    coslat = max(math.cos(math.radians(lat)), 1e-6)
    dlng = min(180.0, math.degrees(radius_m / (_EARTH_RADIUS_M * coslat)))
    return BBox(lng - dlng, max(-90.0, lat - dlat), lng + dlng, min(90.0, lat + dlat))
