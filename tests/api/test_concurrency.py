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


def _not_at_a_minutes_end():
    """The limit counts per clock minute: start well inside one, so that all the requests
    fall into the same window."""
    if time.time() % 60 > 50:
        time.sleep(61 - time.time() % 60)


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
    _not_at_a_minutes_end()
    outcomes = at_once(30, lambda: _request(live_server, api_client.key, "/api/v1/cities/"))
    statuses = sorted(status for kind, (status, _, _) in outcomes if kind == "ok")
    assert len(outcomes) == 30 and statuses == [200] * 10 + [429] * 20
    refused = [(headers, body) for _, (status, headers, body) in outcomes if status == 429]
    for headers, body in refused:
        assert 1 <= int(headers["Retry-After"]) <= 61
        assert "请求过于频繁" in body["detail"]


def test_the_counter_is_atomic_in_redis(world):
    api_client = make_client(world, Role.UNIT, world.u1)
    _not_at_a_minutes_end()
    counts = at_once(40, lambda: hit(api_client)[0])
    assert sorted(n for _, n in counts) == list(range(1, 41))


def test_a_departure_sent_five_times_at_once_is_recorded_once(world, live_server):
    api_client = make_client(world, Role.UNIT, world.u1)
    url = f"/api/v1/candidacies/{world.cand_ty.pk}/stages/"
    body = {"stage": "first_interview", "result": "pass", "happened_on": "2026-03-10"}
    outcomes = at_once(5, lambda: _request(live_server, api_client.key, url, body)[0])
    statuses = sorted(status for _, status in outcomes)
    assert statuses.count(201) == 1 and all(s == 400 for s in statuses if s != 201), statuses
    assert StageEvent.objects.filter(candidacy=world.cand_ty, stage="first_interview").count() == 1
