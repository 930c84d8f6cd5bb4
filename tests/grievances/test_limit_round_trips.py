"""Issue 22: an intake's abuse counters cost one Redis round trip, counting as before."""

from unittest import mock

import pytest
from django.core.cache import cache
from redis.client import Pipeline

from grievances import abuse

pytestmark = pytest.mark.skipif(not hasattr(cache, "incr_many"), reason="counters in Redis only")


def test_both_submit_counters_in_one_round_trip_with_their_windows(settings):
    settings.GRIEVANCES = {"RATE_LIMITS": {"submit_ip": (2, 3600), "submit_phone": (3, 86400)}}
    ip, phone = "198.51.100.22", "13900000022"
    cache.delete_many([f"grv:rl:submit_ip:{ip}", f"grv:rl:submit_phone:{phone}"])
    with mock.patch.object(Pipeline, "execute", autospec=True, side_effect=Pipeline.execute) as execute:
        assert abuse.hit_all(("submit_ip", ip), ("submit_phone", phone))
    assert execute.call_count == 1
    assert abuse.hit_all(("submit_ip", ip), ("submit_phone", phone))
    assert cache.get(f"grv:rl:submit_ip:{ip}") == 2 and cache.get(f"grv:rl:submit_phone:{phone}") == 2
    ttl = cache._cache.get_client().ttl
    assert 3500 < ttl(cache.make_key(f"grv:rl:submit_ip:{ip}")) <= 3600
    assert 86000 < ttl(cache.make_key(f"grv:rl:submit_phone:{phone}")) <= 86400
    # The third attempt passes the phone's limit but not the address's.
    assert not abuse.hit_all(("submit_ip", ip), ("submit_phone", phone))
    assert not abuse._within("submit_ip", ip) and abuse._within("submit_phone", phone)
