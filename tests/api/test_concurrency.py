"""Limits and double submits under real concurrency (transactional tests, the live server):
DRF's cache throttles let concurrent requests through; the Redis counter does not."""
import json
import time
import urllib.error
import urllib.request

import pytest

from apps.accounts.models import Role
from apps.api.throttling import hit
from apps.pipeline.models import StageEvent
from tests.api.clients import make_client
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db(transaction=True)


def _request(live_server, key, path, body=None):
    request = urllib.request.Request(
        live_server.url + path, data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def test_thirty_requests_at_once_pass_a_limit_of_ten_exactly_ten_times(world, live_server):
    api_client = make_client(world, Role.UNIT, world.u1, rate_limit=10)
    outcomes = at_once(30, lambda: _request(live_server, api_client.key, "/api/v1/cities/"))
    statuses = sorted(status for kind, (status, _, _) in outcomes if kind == "ok")
    assert len(outcomes) == 30 and statuses == [200] * 10 + [429] * 20
    refused = [(headers, body) for _, (status, headers, body) in outcomes if status == 429]
    for headers, body in refused:
        assert 1 <= int(headers["Retry-After"]) <= 61
        assert "请求过于频繁" in body["detail"]


def test_the_counter_is_atomic_in_redis(world):
    api_client = make_client(world, Role.UNIT, world.u1, rate_limit=25)
    outcomes = [result for _, result in at_once(40, lambda: hit(api_client))]
    assert sorted(n for admitted, n, _ in outcomes if admitted) == list(range(1, 26))
    assert [n for admitted, n, _ in outcomes if not admitted] == [25] * 15


def test_no_sixty_seconds_hold_more_than_the_limit_across_a_minutes_end(world, monkeypatch):
    """The burst a per-minute counter lets through: the limit in a minute's last second, the
    limit again in the next minute's first. A sliding minute refuses the second burst and
    says how long to wait, then admits as the first burst's requests age out."""
    api_client = make_client(world, Role.UNIT, world.u1, rate_limit=10)
    minute_end = (int(time.time()) // 60 + 1) * 60
    clock = {"now": minute_end - 0.5}
    monkeypatch.setattr("apps.api.throttling._now", lambda: clock["now"])
    assert all(hit(api_client)[0] for _ in range(10))
    clock["now"] = minute_end + 0.5                     # the next clock minute has begun
    assert hit(api_client) == (False, 10, 59)
    clock["now"] = minute_end + 59.4                    # still within 60 s of the burst
    assert hit(api_client) == (False, 10, 1)
    clock["now"] = minute_end + 59.6                    # the burst has aged out
    assert [hit(api_client)[0] for _ in range(11)] == [True] * 10 + [False]
    # Refused requests do not count: a client that keeps knocking is let back in on time.
    clock["now"] = minute_end + 120
    assert hit(api_client)[:2] == (True, 1)


def test_a_departure_sent_five_times_at_once_is_recorded_once(world, live_server):
    api_client = make_client(world, Role.UNIT, world.u1)
    url = f"/api/v1/candidacies/{world.cand_ty.pk}/stages/"
    body = {"stage": "first_interview", "result": "pass", "happened_on": "2026-03-10"}
    outcomes = at_once(5, lambda: _request(live_server, api_client.key, url, body)[0])
    statuses = sorted(status for _, status in outcomes)
    assert statuses.count(201) == 1 and all(s == 400 for s in statuses if s != 201), statuses
    assert StageEvent.objects.filter(candidacy=world.cand_ty, stage="first_interview").count() == 1
