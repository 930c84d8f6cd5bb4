"""District and street outlines for the staff map when no tile server is configured.

The intranet has no official boundary GeoJSON vendored yet (the 统计用区划代码 table gives codes
and names, not shapes), so the outline of a district or street is derived from what we hold: the
convex hull of its stations' coordinates, widened a little so the points sit inside. It shows
where each area's stations are, not its legal boundary; the map says so in its legend. Returned as
GeoJSON in the tiles' coordinate system, like the points.
"""

from __future__ import annotations

from organizations.models import Territory

PAD = 0.004  # degrees (~400 m) around a hull, and the half-size of a one- or two-station box
LEVELS = (Territory.Level.DISTRICT, Territory.Level.STREET)


def _hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Convex hull (Andrew's monotone chain), counter-clockwise, of (lng, lat) points."""
    pts = sorted(set(points))
    if len(pts) < 3:
        return pts

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list = []
    upper: list = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _ring(points: list[tuple[float, float]]) -> list[list[float]]:
    hull = _hull(points)
    if len(hull) < 3:  # one or two stations (or all on a line): a padded box around them
        lngs, lats = [p[0] for p in points], [p[1] for p in points]
        w, e, s, n = min(lngs) - PAD, max(lngs) + PAD, min(lats) - PAD, max(lats) + PAD
        hull = [(w, s), (e, s), (e, n), (w, n)]
    else:  # push every corner away from the centre so the outermost stations sit inside
        cx = sum(p[0] for p in hull) / len(hull)
        cy = sum(p[1] for p in hull) / len(hull)
        hull = [
            (
                x + PAD * (x - cx) / (((x - cx) ** 2 + (y - cy) ** 2) ** 0.5 or 1),
                y + PAD * (y - cy) / (((x - cx) ** 2 + (y - cy) ** 2) ** 0.5 or 1),
            )
            for x, y in hull
        ]
    ring = [[round(x, 6), round(y, 6)] for x, y in hull]
    return [*ring, ring[0]]


def station_outlines(stations, *, crs: str) -> dict:
    """GeoJSON FeatureCollection: one polygon per district and street holding any of ``stations``."""
    areas = {
        path: (code, name, level)
        for path, code, name, level in Territory.objects.filter(level__in=LEVELS).values_list(
            "path", "code", "name", "level"
        )
    }
    steplen = Territory.steplen
    grouped: dict[str, list[tuple[float, float]]] = {}
    for station in stations:
        point = station.coordinates_in(crs)
        path = station.territory.path
        for end in range(steplen, len(path) + 1, steplen):
            if path[:end] in areas:
                grouped.setdefault(path[:end], []).append((float(point[0]), float(point[1])))
    features = []
    for path, points in sorted(grouped.items()):
        code, name, level = areas[path]
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": name, "level": level, "stations": len(points)},
                "geometry": {"type": "Polygon", "coordinates": [_ring(points)]},
            }
        )
    return {"type": "FeatureCollection", "features": features}
