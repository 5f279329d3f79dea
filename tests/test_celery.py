"""Celery against the real broker (REDIS_URL, or the embedded Redis) with a real worker."""
import json
import signal
from datetime import date, timedelta

import pytest

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



# --- SECURITY.md §9: redelivery gives exactly one side effect; a rollback queues nothing. ----

@pytest.mark.django_db(transaction=True)
def test_a_task_killed_after_its_write_is_redelivered_and_writes_nothing_twice(world, tmp_path):
    """The deadline scan's worker dies (SIGKILL) after the scan committed its notice but before
    acknowledging; the broker delivers the same message to the next worker, which runs it
    again: still exactly one notice."""
    import time
    import uuid

    from apps.deadlines.models import DeadlineItem, ItemStatus, Notice
    from apps.deadlines.tasks import deadlines_scan
    from apps.pipeline.models import Stage
    from apps.pipeline.services import session_create
    from tests.conftest import start_worker, stop_worker

    session_create(actor=world.unit_u1, stage=Stage.FIRST_INTERVIEW, project=world.project_a1,
                   held_on=date(2026, 9, 30), place="视频", hospital="", unit=world.u1,
                   city=world.ty)  # due 13 Oct 2026: overdue by the time this runs
    log = tmp_path / "runs.log"
    hooks = {"include": "tests.celery_hooks", "TEST_TASK_LOG": str(log),
             "TEST_KILL_TASK": deadlines_scan.name, "CELERY_VISIBILITY_TIMEOUT": "1"}
    queue = f"test-{uuid.uuid4().hex[:8]}"
    first = start_worker(queue, **hooks)
    try:
        result = deadlines_scan.apply_async(queue=queue)
        assert first.wait(timeout=90) == -signal.SIGKILL  # died after the first run
    finally:
        stop_worker(first)
    assert Notice.objects.count() == 1  # the first run's write is there
    time.sleep(1.5)  # past the visibility timeout: the unacknowledged message is due again
    second = start_worker(queue, **hooks)
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            runs = [line.split(" ", 3) for line in log.read_text().splitlines()
                    if line.startswith(deadlines_scan.name)]
            if len(runs) == 2:
                break
            time.sleep(0.5)
    finally:
        stop_worker(second)
    assert [run[1] for run in runs] == [result.id, result.id]  # the same message, twice
    assert runs[1][2] == "True"  # marked redelivered by the broker
    assert Notice.objects.count() == 1
    # Overdue is read from the due time; the scan only noticed it, and said so once, as a task.
    assert DeadlineItem.objects.get(candidacy=world.cand_ty).state == ItemStatus.OVERDUE
    from apps.audit.models import AuditEvent
    assert list(AuditEvent.objects.filter(action="deadline").values_list("via", flat=True)) == [
        f"task:{deadlines_scan.name}"]
    assert [json.loads(run[3]) for run in runs] == [
        {"overdue": 1, "due_soon": 0, "notices": 1},   # the killed run wrote the notice
        {"overdue": 0, "due_soon": 0, "notices": 0}]   # the redelivered run found it done


def test_nothing_is_queued_when_the_transaction_rolls_back(world, monkeypatch,
                                                           django_capture_on_commit_callbacks):
    from django.db import transaction

    from apps.deadlines import tasks
    from apps.pipeline.models import Stage
    from apps.pipeline.services import session_create

    queued = []
    monkeypatch.setattr(tasks.notices_email, "delay", lambda *a, **k: queued.append(a))
    session_create(actor=world.unit_u1, stage=Stage.FIRST_INTERVIEW, project=world.project_a1,
                   held_on=date(2026, 9, 30), place="视频", hospital="", unit=world.u1,
                   city=world.ty)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            assert tasks.deadlines_scan()["notices"] == 1
            transaction.set_rollback(True)
    assert callbacks == [] and queued == []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            assert tasks.deadlines_scan()["notices"] == 1
    assert len(callbacks) == 1 and len(queued) == 1  # committed: queued once
