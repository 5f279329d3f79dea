"""Per-client request limits kept in Redis, atomically.

DRF's own throttles read a list from the cache, decide, then write it back: concurrent
requests all read the same list and all pass. Here one Lua script increments the client's
counter for the current minute and sets its expiry in one step on the server, so N requests
at once count N, whatever their timing."""
import time
from functools import cache

import redis
from django.conf import settings
from rest_framework.throttling import BaseThrottle

WINDOW = 60  # seconds

_SCRIPT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {n, ttl}
"""


@cache
def _redis():
    return redis.Redis.from_url(settings.REDIS_URL.replace("redis+socket://", "unix://"))


@cache
def _script():
    return _redis().register_script(_SCRIPT)


def hit(client) -> tuple[int, int]:
    """Count one request of ``client`` in the current window: (count so far, seconds left)."""
    window = int(time.time() // WINDOW)
    count, ttl = _script()(keys=[f"api:rate:{client.prefix}:{window}"], args=[WINDOW + 1])
    return int(count), max(int(ttl), 1)


class ClientRateThrottle(BaseThrottle):
    def allow_request(self, request, view):
        client = request.auth
        if client is None:
            return True  # unauthenticated requests are refused before any work
        count, self.retry_after = hit(client)
        return count <= client.rate_limit

    def wait(self):
        return getattr(self, "retry_after", WINDOW)
