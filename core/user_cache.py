"""Per-user values kept across requests (a user's scope, their permissions), never stale.

A value is stored under the user's id, stamped with two version tokens: the user's (changed when
something the value was read from changes for that user: a post, a group) and a global one
(changed when something every user's value reads changes: the tree, a group's permissions). A
stored value is used only while both stamps equal the current tokens, so a change is seen by the
very next request. A token is replaced at once and again when the transaction commits, so a
request that read the old rows in between cannot leave its value behind under the new token;
a lost token (first use, evicted) is replaced by a new one, so nothing stored under it matches
again. During a Redis outage (``FailOpenRedisCache.is_down``) each process would keep its own
tokens and miss the others' changes, so nothing is read or stored then.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

DEFAULT_SECONDS = 300


def _seconds() -> int:
    return getattr(settings, "USER_CACHE_SECONDS", DEFAULT_SECONDS)


def _keys(name: str, user_id: int) -> tuple[str, str, str]:
    # The database's name keeps two databases behind one cache (parallel test workers) apart.
    base = f"uc:{name}:{connection.settings_dict['NAME']}:{user_id}"
    return base, base + ":v", f"uc:{name}:v"


def _current(found: dict, key: str) -> str | None:
    token = found.get(key)
    if token is None:
        cache.add(key, uuid.uuid4().hex, timeout=None)
        token = cache.get(key)
    return token


def cached_for_user(name: str, user_id: int, stamp: tuple, compute: Callable[[], object]):
    """``compute()``, or what it gave last time for this user if nothing it reads has changed
    since (see ``changed``). ``stamp`` is more that the value depends on (flags of the user row)."""
    if _seconds() <= 0 or getattr(cache, "is_down", False):
        return compute()
    entry_key, user_key, global_key = _keys(name, user_id)
    found = cache.get_many([entry_key, user_key, global_key])  # one round trip
    versions = (_current(found, user_key), _current(found, global_key), *stamp)
    entry = found.get(entry_key)
    if entry is not None and entry[0] == versions:
        return entry[1]
    value = compute()
    if None not in versions[:2]:
        cache.set(entry_key, (versions, value), _seconds())
    return value


def changed(name: str, *, user_id: int | None = None) -> None:
    """What ``name`` values are read from changed, for one user or (no ``user_id``) for all."""
    keys = _keys(name, user_id or 0)
    key = keys[1] if user_id is not None else keys[2]

    def bump():
        cache.set(key, uuid.uuid4().hex, timeout=None)

    bump()
    transaction.on_commit(bump)


def forget_all(name: str) -> None:
    """Every stored ``name`` value stops matching (tests that refill the database without signals)."""
    cache.set(_keys(name, 0)[2], uuid.uuid4().hex, timeout=None)
