"""Abuse limits on the public intake: a blocklist kept in the admin and cache-based counters.

Limits (``settings.GRIEVANCES["RATE_LIMITS"]``) are per client address and per phone over a
sliding-ish fixed window; the cache is Redis in production, so every web process shares them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from core.cache import count_hits, public_rate, public_rate_key
from core.http import client_ip
from core.text import clean_code
from grievances.models import BlockedSubmitter

DEFAULT_LIMITS = {
    "submit_ip": (10, 3600),  # ten cases an hour from one address
    "submit_phone": (5, 86400),  # five a day from one phone
    "lookup_ip": (30, 600),  # status look-ups: guessing tickets is slow
    # Per ticket too: from many addresses, the 10,000 phone tails of one ticket would
    # otherwise be guessed in 334 rounds of 30.
    "lookup_ticket": (10, 3600),
    # The submitter's additions to an open case: a few a day is a conversation, more is noise.
    "supplement_ticket": (5, 86400),
}


class Refused(Exception):
    """A Chinese message for the submitter: why the request is refused."""


def _limit(name: str) -> tuple[int, int]:
    return settings.GRIEVANCES.get("RATE_LIMITS", {}).get(name, DEFAULT_LIMITS[name])


def hit(name: str, who: str) -> bool:
    """Count one request of ``who`` against limit ``name``; False once the limit is exceeded."""
    return hit_all((name, who))


def hit_all(*counters: tuple[str, str]) -> bool:
    """Count one request against each ``(limit name, who)``; False if any limit is exceeded.
    On Redis all counters cost one round trip (``incr_many``); every counter counts the attempt."""
    counts = count_hits(cache, [(f"grv:rl:{name}:{who}", _limit(name)[1]) for name, who in counters])
    return all(count <= _limit(name)[0] for count, (name, _who) in zip(counts, counters, strict=True))


def _within(name: str, who: str) -> bool:
    """Whether ``who`` is still within limit ``name``, without counting (only after a refusal)."""
    return (cache.get(f"grv:rl:{name}:{who}") or 0) <= _limit(name)[0]


def blocked_exists(connection, *, ip: str = "", phone: str = "") -> tuple[str, list]:
    """THE blocklist rule, as an SQL ``EXISTS`` expression and its parameters: an entry for this
    address or this phone whose ``until`` is empty or still ahead. The door asks it inside the
    query it makes anyway (``selectors.intake_station``), ``is_blocked`` on its own."""
    table = BlockedSubmitter._meta
    qn = connection.ops.quote_name
    kind, value, until = (qn(table.get_field(name).column) for name in ("kind", "value", "until"))
    who, params = [], []
    if ip:
        who.append(f"(b.{kind} = %s AND b.{value} = %s)")
        params += [BlockedSubmitter.Kind.IP.value, ip]
    if phone:
        who.append(f"(b.{kind} = %s AND b.{value} = %s)")
        params += [BlockedSubmitter.Kind.PHONE.value, phone]
    if not who:
        return "(1 = 0)", []
    params.append(connection.ops.adapt_datetimefield_value(timezone.now()))
    sql = (
        f"EXISTS (SELECT 1 FROM {qn(table.db_table)} b WHERE ({' OR '.join(who)}) "
        f"AND (b.{until} IS NULL OR b.{until} > %s))"
    )
    return sql, params


def is_blocked(*, ip: str = "", phone: str = "") -> bool:
    sql, params = blocked_exists(connection, ip=ip, phone=phone)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", params)
        return bool(cursor.fetchone()[0])


class Throttled(Refused):
    """The public API's request rate (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["public"]``) is
    exceeded; ``wait`` is the window in seconds (an upper bound of the time left)."""

    def __init__(self, wait: int):
        super().__init__("请求过于频繁，请稍后再试")
        self.wait = wait


def check_submit(
    request, phone: str | None, *, throttle: bool = False, blocked: tuple[str, bool] | None = None
) -> None:
    """The limits of one public submission, every counter in one cache round trip.

    ``phone`` is the valid submission's normalised phone (or "" without one): the blocklist is
    asked, then the address and phone counters count the attempt. ``throttle`` also counts the
    request against the public API's per-address rate (its DRF throttle, kept here so that it
    shares the round trip); ``phone=None`` (a request that did not validate) counts that alone.
    ``blocked`` is the blocklist's answer asked already (``selectors.intake_station``) for a phone: used
    when it is this phone, else the blocklist is asked here.
    Raises ``Throttled`` first, then ``Refused`` with the limit that was reached.
    """
    ip = client_ip(request)
    rate = public_rate() if throttle else None
    counters: list[tuple[str, int, int]] = []  # key, window, limit
    if rate:
        counters.append((public_rate_key(ip), rate[1], rate[0]))
    if phone is None:
        blocked = False
    elif blocked is not None and blocked[0] == phone:
        blocked = blocked[1]
    else:
        blocked = is_blocked(ip=ip, phone=phone)
    if phone is not None and not blocked:
        counters.append((f"grv:rl:submit_ip:{ip}", _limit("submit_ip")[1], _limit("submit_ip")[0]))
        if phone:
            counters.append((f"grv:rl:submit_phone:{phone}", _limit("submit_phone")[1], _limit("submit_phone")[0]))
    counts = count_hits(cache, [(key, window) for key, window, _ in counters])
    over = [key for (key, _window, limit), count in zip(counters, counts, strict=True) if count > limit]
    if rate and public_rate_key(ip) in over:
        raise Throttled(rate[1])
    if blocked:
        raise Refused("该号码或网络已被限制提交诉求，如有疑问请拨打暖新热线")
    if f"grv:rl:submit_ip:{ip}" in over:
        raise Refused("提交过于频繁，请稍后再试")
    if over:
        raise Refused("该手机号今日提交次数已达上限，请明天再试或拨打暖新热线")


def check_supplement(ticket: str) -> None:
    if not hit("supplement_ticket", ticket):
        raise Refused(f"该诉求今日补充次数已达上限（{_limit('supplement_ticket')[0]} 次），如情况紧急请拨打暖新热线")


def check_lookup(request, ticket: str = "") -> None:
    if not hit("lookup_ip", client_ip(request)):
        raise Refused("查询过于频繁，请十分钟后再试")
    ticket = clean_code(ticket)
    if ticket and not hit("lookup_ticket", ticket):
        raise Refused("该受理编号查询次数过多，请一小时后再试或拨打暖新热线")
