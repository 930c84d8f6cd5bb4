"""Request limits and response headers every page gets, whatever app serves it."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse


class RequestBodyLimitMiddleware:
    """Refuses a request whose declared body exceeds ``REQUEST_BODY_MAX_BYTES`` with a Chinese 413
    before anything reads it. Django's own ``DATA_UPLOAD_MAX_MEMORY_SIZE`` does not count file
    parts, so without this a public form would receive (and spool to disk) a 60 MB upload only
    to throw it away. The reverse proxy caps the same size (``client_max_body_size``, see the
    README); this is the app's own line for when it runs without one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = getattr(settings, "REQUEST_BODY_MAX_BYTES", None)
        if limit:
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                declared = 0
            if declared > limit:
                megabytes = limit // (1024 * 1024)
                return HttpResponse(
                    f"提交的内容过大（上限 {megabytes} MB），请压缩照片或分批提交。",
                    status=413,
                    content_type="text/plain; charset=utf-8",
                )
        return self.get_response(request)


def content_security_policy() -> str:
    """Scripts, styles, fonts and images from this site only (every asset is vendored into
    static/); the configured map-tile server is the one outside origin images may come from."""
    img = ["'self'", "data:", "blob:"]
    tile_url = getattr(settings, "STATION_MAP_TILE_URL", "")
    if tile_url:
        parts = urlsplit(tile_url.replace("{s}", "*"))
        if parts.scheme and parts.netloc:
            img.append(f"{parts.scheme}://{parts.netloc}")
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # The admin and Leaflet set style attributes; no inline script is allowed anywhere.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": img,
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class ContentSecurityPolicyMiddleware:
    """Django 5.2 has no CSP of its own; one header, computed once from settings."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response
