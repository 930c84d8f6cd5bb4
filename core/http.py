"""What a request says about its sender, read the same way by every public door."""

from __future__ import annotations

from django.conf import settings


def client_ip(request) -> str:
    """The client's address. Behind the intranet reverse proxy (``PROXY_COUNT`` hops, the same
    setting axes reads) it is that hop from the right of X-Forwarded-For: the proxy's own address
    would turn every per-address limit into a city-wide one."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    proxies = settings.AXES_IPWARE_PROXY_COUNT
    if forwarded and proxies:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"
