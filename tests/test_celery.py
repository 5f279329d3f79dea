"""Celery against the real broker (REDIS_URL, or the embedded Redis) with a real worker."""
from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from apps.accounts.tasks import ping, sessions_clear_expired


def test_a_task_round_trips_through_the_broker_and_a_real_worker(worker):
    result = ping.apply_async(queue=worker)
    assert result.get(timeout=60) == "pong"


def test_expired_sessions_are_cleared_and_a_second_run_changes_nothing(db):
    now = timezone.now()
    Session.objects.create(session_key="a" * 32, session_data="", expire_date=now - timedelta(1))
    Session.objects.create(session_key="b" * 32, session_data="", expire_date=now + timedelta(1))
    assert sessions_clear_expired() == 1
    assert sessions_clear_expired() == 0
    assert list(Session.objects.values_list("session_key", flat=True)) == ["b" * 32]


def test_beat_runs_the_housekeeping_on_a_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["sessions-clear-expired"]
    assert entry["task"] == "apps.accounts.tasks.sessions_clear_expired"

