"""A Redis cache that fails open: while Redis is away, this process's memory stands in.

The cache holds nothing that must survive (rate-limit counters, throttles, cached figures), so
losing it for a minute is acceptable, while answering 500 on the public intake because a counter
could not be incremented is not. During an outage each process counts on its own (limits become
per-process rather than shared) and retries Redis after ``RETRY_SECONDS``; every outage is logged
once per process.
"""

from __future__ import annotations

import logging
import time

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("portal.cache")

OUTAGE_ERRORS = (RedisConnectionError, RedisTimeoutError, OSError)
RETRY_SECONDS = 10
_METHODS = (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "set_many",
    "delete_many",
    "has_key",
    "incr",
    "decr",
    "clear",
    "get_or_set",
)


class ReusedClients(RedisCacheClient):
    """Django's Redis cache client, but one ``redis.Redis`` per connection pool, made once:
    Django builds a new one for every cache call (≈0.1 ms each, its command table copied), and a
    page makes several. A ``redis.Redis`` over a pool is safe to share between threads, and Django
    keeps a cache object (so this client) per thread anyway; its pool reconnects after a fork."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(self._servers[index], **self._pool_options)
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        # Fail fast: a dead Redis must cost a request milliseconds, not the kernel's TCP timeout.
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 1.0)
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusedClients
        self._local = LocMemCache(f"failopen-{id(self)}", {"TIMEOUT": params.get("TIMEOUT", 300)})
        self._down_until = 0.0

    @property
    def is_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _outage(self, exc: Exception) -> None:
        if not self.is_down:
            logger.warning("cache: Redis unavailable (%s); using process memory for %ss", exc, RETRY_SECONDS)
        self._down_until = time.monotonic() + RETRY_SECONDS


def _fail_open(name: str):
    redis_method = getattr(RedisCache, name)

    def method(self, *args, **kwargs):
        if not self.is_down:
            try:
                return redis_method(self, *args, **kwargs)
            except OUTAGE_ERRORS as exc:
                self._outage(exc)
        return getattr(self._local, name)(*args, **kwargs)

    method.__name__ = name
    method.__doc__ = redis_method.__doc__
    return method


for _name in _METHODS:
    setattr(FailOpenRedisCache, _name, _fail_open(_name))


def _incr_many(self, counters: list[tuple[str, int]]) -> list[int]:
    """Count one hit on each ``(key, window seconds)`` and return the new counts, in one round
    trip: INCR, and EXPIRE NX so the window starts at the first hit (as add-then-incr does)."""
    if not self.is_down:
        try:
            pipe = self._cache.get_client(write=True).pipeline(transaction=False)
            for key, window in counters:
                full_key = self.make_and_validate_key(key)
                pipe.incr(full_key)
                pipe.expire(full_key, window, nx=True)
            return [int(count) for count in pipe.execute()[::2]]
        except OUTAGE_ERRORS as exc:
            self._outage(exc)
    return [_local_incr(self._local, key, window) for key, window in counters]


def _local_incr(cache, key: str, window: int) -> int:
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


FailOpenRedisCache.incr_many = _incr_many


def count_hits(cache, counters: list[tuple[str, int]]) -> list[int]:
    """Count one hit on each ``(key, window seconds)`` of ``cache`` and return the new counts: one
    round trip on Redis (``incr_many``); add-then-incr on any other cache (the embedded default)."""
    if not counters:
        return []
    incr_many = getattr(cache, "incr_many", None)
    if incr_many is not None:
        return incr_many(counters)
    return [_local_incr(cache, key, window) for key, window in counters]


def public_rate() -> tuple[int, int]:
    """(requests, seconds) of the public endpoints' rate per client address
    (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["public"]``, e.g. "30/min" → (30, 60))."""
    from django.conf import settings

    num, period = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["public"].split("/")
    return int(num), {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]


def public_rate_key(ip: str) -> str:
    """The one counter of the public rate per address: the station finder and the public intake
    (which counts it in the same round trip as its own limits) share it."""
    return f"throttle:public:{ip}"
