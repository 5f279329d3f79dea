"""Per-client request limits kept in Redis, atomically, over a sliding minute.

DRF's own throttles read a list from the cache, decide, then write it back: concurrent
requests all read the same list and all pass. A counter per clock minute is atomic but lets
twice the limit through across a minute's end (the limit at 08:00:59, the limit again at
08:01:00). Here one Lua script keeps the times of the client's admitted requests of the last
60 seconds in a sorted set, drops the older ones, and admits a request only while fewer than
the limit remain, in one step on the server: N requests at once count N, and no 60 seconds
hold more than the limit, whatever their timing."""
import math
import time
import uuid
from functools import cache

import redis
from django.conf import settings
from rest_framework.throttling import BaseThrottle

WINDOW = 60  # seconds

# KEYS[1] the client's log; ARGV: now (s), window (s), limit, a unique member.
# Returns {admitted (1/0), requests in the window after this one, seconds until a slot frees}.
_SCRIPT = """
local now, window, limit = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
if n < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('EXPIRE', KEYS[1], window + 1)
  return {1, n + 1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, n, tostring(tonumber(oldest[2]) + window - now)}
"""


@cache
def _redis():
    return redis.Redis.from_url(settings.REDIS_URL.replace("redis+socket://", "unix://"))


@cache
def _script():
    return _redis().register_script(_SCRIPT)


def _now() -> float:
    return time.time()


def hit(client) -> tuple[bool, int, int]:
    """Ask for one request of ``client``: (admitted, requests in the last minute, seconds to
    wait before the next one would be admitted: 0 when admitted)."""
    admitted, count, wait = _script()(
        keys=[f"api:rate:{client.prefix}"],
        args=[repr(_now()), WINDOW, client.rate_limit, uuid.uuid4().hex])
    return bool(admitted), int(count), max(math.ceil(float(wait)), 1) if not admitted else 0


class ClientRateThrottle(BaseThrottle):
    def allow_request(self, request, view):
        client = request.auth
        if client is None:
            return True  # unauthenticated requests are refused before any work
        admitted, _, self.retry_after = hit(client)
        return admitted

    def wait(self):
        return getattr(self, "retry_after", WINDOW)
