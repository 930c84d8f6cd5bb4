"""Rate limits on the public doors of the friendly city (typed pass codes, merchant claims).

Cache counters per client address over a fixed window; the cache is Redis in production, so
every web process shares them. Typed codes carry no signature, so guessing them must be slow.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from core.http import client_ip

DEFAULT_LIMITS = {
    "typed_code_ip": (60, 600),  # a busy gate types a few codes a minute
    "claim_ip": (5, 3600),  # five merchant claims an hour from one address
}


def allow(name: str, request) -> bool:
    """Count one request against limit ``name``; False once it is exceeded."""
    limit, window = settings.FRIENDLY_RATE_LIMITS.get(name, DEFAULT_LIMITS[name])
    key = f"friendly:rl:{name}:{client_ip(request)}"
    cache.add(key, 0, window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        count = 1
    return count <= limit
