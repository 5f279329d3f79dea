"""A Celery task's audit rows name the user who queued it and the task (issue 15, item 4).

Every task of apps/*/tasks.py is listed here: a task that writes business data is run through
Celery (``apply``, with the message headers the publisher puts on it, and no request at all)
and its rows must say who queued it, from which IP, and ``task:<name> for <user>``; a task
that writes none says why. A new task fails ``test_every_task_is_tested_or_says_why_not``."""
import importlib
from datetime import date, datetime
from pathlib import Path

import pytest
from celery import Task
from django.conf import settings
from django.test import RequestFactory
from django.utils import timezone

from apps.audit import services as audit
from apps.audit.models import AuditAction, AuditEvent

IP = "203.0.113.9"

# Tasks that write no business data, and why.
NOT_BUSINESS = {
    "apps.accounts.tasks.ping": "writes nothing: the broker round trip of the health check",
    "apps.accounts.tasks.sessions_clear_expired":
        "deletes expired rows of Django's own session table; no business data",
    "apps.audit.tasks.audit_purge":
        "the log's own retention purge (@not_audited); it writes its own PURGE row",
    "apps.dashboards.tasks.figures_recount":
        "recounts the derived dashboard figures and writes its own FIGURES row when it repairs one",
    "apps.deadlines.tasks.notices_email":
        "marks reminders as e-mailed (@not_audited): the system's own delivery",
    "apps.rosters.tasks.uploads_purge_files":
        "removes expired upload files (@not_audited); the upload rows and their audit stay",
}

# Tasks that write business data → the test below that runs them.
TESTED = {
    "apps.deadlines.tasks.deadlines_scan": "test_the_deadline_scan_names_who_queued_it",
    "apps.deadlines.tasks.budget_items_open": "test_opening_the_budget_items_names_who_queued_it",
    "apps.complaints.tasks.complaints_escalate": "test_the_complaint_escalation_names_who_queued_it",
    "apps.followups.tasks.plans_ensure": "test_the_follow_up_check_names_who_queued_it",
    "apps.deadlines.tasks.return_items_ensure": "test_the_return_items_check_names_who_queued_it",
    "apps.outages.tasks.outages_recount": "test_the_outage_recount_names_who_queued_it",
}


def all_tasks() -> set[str]:
    names = set()
    for path in sorted((Path(settings.BASE_DIR) / "apps").glob("*/tasks.py")):
        module = importlib.import_module(f"apps.{path.parent.name}.tasks")
        names |= {obj.name for obj in vars(module).values()
                  if isinstance(obj, Task) and obj.name.startswith(module.__name__ + ".")}
    return names


def test_every_task_is_tested_or_says_why_not():
    tasks = all_tasks()
    assert not tasks - set(TESTED) - set(NOT_BUSINESS), "tasks with neither a test nor a reason"
    assert not (set(TESTED) | set(NOT_BUSINESS)) - tasks, "listed tasks that do not exist"
    assert all(name in globals() for name in TESTED.values())


def queued_by(user) -> dict:
    """The headers the publisher puts on a task queued while ``user``'s request is served."""
    from apps.audit.signals import HEADER, carry_context
    request = RequestFactory().post("/", REMOTE_ADDR=IP)
    request.user = user
    headers = {}
    token = audit.current_request.set(request)
    try:
        carry_context(headers=headers)
    finally:
        audit.current_request.reset(token)
    return {HEADER: headers[HEADER]}


def run_task(task, user):
    """Run ``task`` through Celery as a worker would, knowing only the message headers."""
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    assert audit.current_request.get() is None
    result = task.apply(headers=queued_by(user))
    assert result.successful(), result.traceback
    assert audit.current_context.get() == audit.AuditContext()  # nothing leaks to the next
    return result.result, list(AuditEvent.objects.filter(pk__gt=before))


def assert_named(rows, action, task, user):
    assert rows and {r.action for r in rows} == {action}, [(r.action, r.detail) for r in rows]
    for row in rows:
        assert (row.actor, row.ip) == (user, IP)
        assert row.via == f"task:{task.name} for {user.username}"


def test_the_deadline_scan_names_who_queued_it(world):
    from apps.deadlines.tasks import deadlines_scan
    from apps.pipeline.models import Stage
    from apps.pipeline.services import session_create
    session_create(actor=world.unit_u1, stage=Stage.FIRST_INTERVIEW, project=world.project_a1,
                   held_on=date(2026, 9, 30), place="视频", hospital="", unit=world.u1,
                   city=world.ty)  # its stage data were due 13 Oct 2026: overdue
    result, rows = run_task(deadlines_scan, world.province)
    assert result["notices"] >= 1
    assert_named(rows, AuditAction.DEADLINE, deadlines_scan, world.province)


def test_opening_the_budget_items_names_who_queued_it(world):
    from apps.deadlines.models import DeadlineItem
    from apps.deadlines.tasks import budget_items_open
    result, rows = run_task(budget_items_open, world.city_ty)
    assert result == 2 + 3  # two cities and three units owe next year's budget
    assert DeadlineItem.objects.filter(rule__code="budget").count() >= 5
    assert_named(rows, AuditAction.DEADLINE, budget_items_open, world.city_ty)
    assert "5条" in rows[0].detail


def test_the_complaint_escalation_names_who_queued_it(world, departed):
    from apps.complaints.tasks import complaints_escalate
    from tests.audit.walk import complaint_in
    world.departed = departed
    complaint_in(world, "accepted")  # its resolution was due 29 Sep 2026: overdue
    result, rows = run_task(complaints_escalate, world.province)
    assert result == 1
    assert_named(rows, AuditAction.COMPLAINT, complaints_escalate, world.province)


def test_the_follow_up_check_names_who_queued_it(world):
    from apps.followups.models import FollowUpPlan, FollowUpSettings
    from apps.followups.tasks import plans_ensure
    from apps.pipeline.models import Candidacy, CandidacyStatus
    FollowUpSettings.objects.update_or_create(pk=1, defaults={"plan_at": 1, "officer_at": 1})
    Candidacy.objects.filter(pk=world.cand_ty.pk).update(status=CandidacyStatus.ABROAD,
                                                         departed_on=date(2026, 6, 1))
    result, rows = run_task(plans_ensure, world.province)
    assert result["created"] == 1 and FollowUpPlan.objects.get().project == world.project_a1
    assert_named(rows, AuditAction.FOLLOW_UP, plans_ensure, world.province)


def test_the_outage_recount_names_who_queued_it(world):
    """A session held today, inside an open lockdown of 太原: the nightly recount pauses its
    item (it was opened before it reached the period); run again, it changes nothing."""
    from apps.deadlines.models import DeadlineItem
    from apps.outages.services import outage_declare
    from apps.outages.tasks import outages_recount
    from apps.pipeline.models import Stage
    outage_declare(actor=world.province, kind="lockdown", reason="太原市疫情封控",
                   starts_on=date(2026, 11, 30), scope="cities", cities=[world.ty])
    DeadlineItem.objects.create(
        rule=world.stage_rule, candidacy=world.cand_ty, stage=Stage.FIRST_INTERVIEW,
        owner_role="unit", unit=world.u1, city=world.ty, agency=world.a1,
        event_on=date(2026, 11, 27), due_on=date(2026, 12, 4),
        due_at=timezone.make_aware(datetime(2026, 12, 4, 23, 59)))
    result, rows = run_task(outages_recount, world.province)
    assert result == 1 and DeadlineItem.objects.get(candidacy=world.cand_ty).outage_paused
    assert_named(rows, AuditAction.OUTAGE, outages_recount, world.province)
    assert run_task(outages_recount, world.province) == (0, [])


def test_a_beat_run_with_no_user_names_the_task_only(world):
    """Beat queues with no request: the row names no one, and says which task wrote it."""
    from apps.deadlines.tasks import budget_items_open
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    assert budget_items_open.apply().successful()
    row = AuditEvent.objects.get(pk__gt=before)
    assert (row.actor, row.ip, row.via) == (None, None, f"task:{budget_items_open.name}")


@pytest.mark.parametrize("name", sorted(NOT_BUSINESS))
def test_a_task_said_to_write_no_business_data_leaves_no_business_row(world, name):
    """Run each: it may leave its own housekeeping row (PURGE), never a business one."""
    module, attr = name.rsplit(".", 1)
    task = getattr(importlib.import_module(module), attr)
    before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    assert task.apply(headers=queued_by(world.province)).successful()
    assert set(AuditEvent.objects.filter(pk__gt=before).values_list("action", flat=True)) <= {
        AuditAction.PURGE}


def test_the_return_items_check_names_who_queued_it(world):
    from apps.deadlines.services import candidacy_items
    from apps.deadlines.tasks import return_items_ensure
    from tests.returnees.conftest import abroad
    c = abroad(world, "补建乙", 131, departed_on=date(2022, 1, 3))  # ended 2025-01-03
    candidacy_items(c).delete()
    result, rows = run_task(return_items_ensure, world.province)
    assert result == 3 and candidacy_items(c).count() == 3
    assert_named(rows, AuditAction.DEADLINE, return_items_ensure, world.province)
