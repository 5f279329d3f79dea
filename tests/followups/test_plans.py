"""Plans: created at the threshold of people abroad, flagged without an officer, ended below."""
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.deadlines.models import DeadlineItem, ItemStatus
from apps.followups import services, tasks
from apps.followups.models import FollowUpPlan, FollowUpSettings, PlanStatus
from apps.followups.selectors import followup_figures, plan_items
from apps.pipeline.models import Candidacy, CandidacyStatus
from tests.followups.helpers import send_abroad

pytestmark = pytest.mark.django_db


def test_a_project_reaching_100_abroad_gets_a_plan_and_at_99_it_does_not(world):
    send_abroad(world, 99)
    assert services.plans_ensure() == {"created": 0, "ended": 0, "revived": 0}
    assert not FollowUpPlan.objects.exists()
    # One more abroad, and one who has come home (not counted).
    send_abroad(world, 1)
    send_abroad(world, 1, status=CandidacyStatus.RETURNED)
    assert services.plans_ensure()["created"] == 1
    plan = FollowUpPlan.objects.get()
    today = timezone.localdate()
    assert (plan.project, plan.status, plan.started_on, plan.interval_days) == (
        world.project_a1, PlanStatus.ACTIVE, today, 30)
    [item] = plan_items(plan)
    # Owed by the project's agency, due 30 calendar days on, at the end of that day (Beijing).
    assert (item.stage, item.owner_role, item.agency, item.rule.code) == (
        "visit-1", "agency", world.a1, "follow_up_visit")
    assert item.event_on == item.due_on == today + timedelta(days=30)
    assert item.due_at == timezone.make_aware(datetime.combine(item.due_on, time.max))
    assert item.subject == plan


def test_the_task_is_idempotent_and_a_second_run_writes_nothing(world):
    send_abroad(world, 100)
    assert tasks.plans_ensure()["created"] == 1
    rows = AuditEvent.objects.count()
    assert tasks.plans_ensure() == {"created": 0, "ended": 0, "revived": 0}
    assert FollowUpPlan.objects.count() == 1 and DeadlineItem.objects.filter(
        stage__startswith="visit-").count() == 1
    assert AuditEvent.objects.count() == rows  # nothing changed, no row


def test_the_beat_runs_the_task_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["followup-plans-ensure"]
    assert entry["task"] == tasks.plans_ensure.name


def test_at_150_without_an_officer_the_plan_is_flagged_until_one_is_named(world, as_user):
    send_abroad(world, 150)
    services.plans_ensure()
    plan = FollowUpPlan.objects.get()
    assert followup_figures(world.province)["flagged"] == 1
    client = as_user(world.agency_a1)
    page = client.get(reverse("followups:plan_list")).content.decode()
    assert "须指定专人（≥150）" in page and "status-refused\">未指定" in page
    response = client.post(reverse("followups:plan_officer", args=[plan.pk]),
                           {"officer": world.agency_a1.pk})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.officer, plan.officer_set_by) == (world.agency_a1, world.agency_a1)
    assert followup_figures(world.province)["flagged"] == 0
    assert "status-refused\">未指定" not in client.get(reverse("followups:plan_list")).content.decode()
    assert AuditEvent.objects.filter(action="follow_up", detail="指定随访专人",
                                     actor=world.agency_a1).exists()


def test_at_149_no_officer_is_required(world):
    send_abroad(world, 149)
    services.plans_ensure()
    assert followup_figures(world.province) == {"active": 1, "flagged": 0, "overdue": 0}


def test_the_officer_is_the_projects_agencys_or_the_provinces(world, as_user, plan):
    url = reverse("followups:plan_officer", args=[plan.pk])
    # The agency may not name another agency's staff nor a unit's; a forged pk is refused.
    client = as_user(world.agency_a1)
    for forged in (world.agency_a2.pk, world.unit_u1.pk, world.province.pk):
        response = client.post(url, {"officer": forged}, follow=True)
        assert "所选随访专人不在可选范围内" in response.content.decode()
    plan.refresh_from_db()
    assert plan.officer is None
    # The province names one of its own.
    as_user(world.province).post(url, {"officer": world.province.pk})
    plan.refresh_from_db()
    assert plan.officer == world.province
    # Nor may the service be called around the form.
    from django.core.exceptions import PermissionDenied, ValidationError
    with pytest.raises(ValidationError):
        services.plan_officer_set(plan, officer=world.city_ty, actor=world.province)
    with pytest.raises(PermissionDenied):
        services.plan_officer_set(plan, officer=world.agency_a1, actor=world.city_ty)


def test_cities_and_units_read_but_do_not_name(world, as_user, plan):
    for user in (world.city_ty, world.unit_u1):
        client = as_user(user)
        assert client.get(reverse("followups:plan_detail", args=[plan.pk])).status_code == 200
        assert client.post(reverse("followups:plan_officer", args=[plan.pk]),
                           {"officer": world.agency_a1.pk}).status_code == 403


def test_a_plan_ends_below_the_threshold_is_kept_and_revives(world, plan):
    today = timezone.localdate()
    home = Candidacy.objects.filter(pk=world.abroad[0].pk)
    home.update(status=CandidacyStatus.RETURNED)
    assert services.plans_ensure(today=today)["ended"] == 1
    plan.refresh_from_db()
    assert (plan.status, plan.ended_on) == (PlanStatus.ENDED, today)
    # The first visit was not due yet: no longer owed.
    assert not plan_items(plan).exists()
    assert followup_figures(world.province)["active"] == 0
    assert services.plans_ensure(today=today)["ended"] == 0  # once
    home.update(status=CandidacyStatus.ABROAD)
    assert services.plans_ensure(today=today)["revived"] == 1
    plan.refresh_from_db()
    assert (plan.status, plan.ended_on) == (PlanStatus.ACTIVE, None)
    [item] = plan_items(plan)
    assert (item.stage, item.due_on) == ("visit-1", today + timedelta(days=30))


def test_a_missed_visit_stays_owed_when_the_plan_ends(world):
    send_abroad(world, 100)
    services.plans_ensure(today=timezone.localdate() - timedelta(days=40))
    plan = FollowUpPlan.objects.get()
    Candidacy.objects.filter(pk__in=Candidacy.objects.filter(project=world.project_a1)
                             .values("pk")[:5]).update(status=CandidacyStatus.RETURNED)
    services.plans_ensure()
    [item] = plan_items(plan).with_state()
    assert item.current_state == ItemStatus.OVERDUE


def test_the_province_sets_the_thresholds_and_the_interval(world, as_user, plan):
    url = reverse("followups:settings")
    client = as_user(world.province)
    response = client.post(url, {"plan_at": "120", "officer_at": "100", "interval_days": "30"})
    assert response.status_code == 400
    assert "须指定专人的在外人数不能少于建立随访计划的在外人数" in response.content.decode()
    for bad in ("0", "366", "abc"):
        assert client.post(url, {"plan_at": "100", "officer_at": "150",
                                 "interval_days": bad}).status_code == 400
    assert client.post(url, {"plan_at": "100", "officer_at": "150",
                             "interval_days": "14"}).status_code == 302
    row = FollowUpSettings.objects.get()
    assert (row.interval_days, row.updated_by) == (14, world.province)
    # The active plan follows at once: its first visit is now 14 days after it began.
    plan.refresh_from_db()
    [item] = plan_items(plan)
    assert plan.interval_days == 14 and item.due_on == plan.started_on + timedelta(days=14)
    assert item.due_at == timezone.make_aware(datetime.combine(item.due_on, time.max))
    assert AuditEvent.objects.filter(action="follow_up", detail="修改跟踪随访设置").exists()


def test_others_read_the_settings_but_cannot_change_them(world, as_user):
    for user in (world.city_ty, world.unit_u1, world.agency_a1):
        client = as_user(user)
        assert "30 个自然日" in client.get(reverse("followups:settings")).content.decode()
        assert client.post(reverse("followups:settings"), {
            "plan_at": "1", "officer_at": "1", "interval_days": "1"}).status_code == 403
    assert FollowUpSettings.objects.get().plan_at == 100
    from django.core.exceptions import PermissionDenied
    with pytest.raises(PermissionDenied):
        services.settings_set(actor=world.agency_a1, plan_at=1, officer_at=1, interval_days=1)


def test_a_lower_threshold_from_the_settings_is_used_by_the_next_check(world, as_user):
    send_abroad(world, 3)
    services.settings_set(actor=world.province, plan_at=3, officer_at=3, interval_days=30)
    response = as_user(world.province).post(reverse("followups:plans_ensure"), follow=True)
    assert "新建随访计划1个" in response.content.decode()
    assert followup_figures(world.province) == {"active": 1, "flagged": 1, "overdue": 0}
    # Only the province runs the check from the page.
    assert as_user(world.agency_a1).post(reverse("followups:plans_ensure")).status_code == 403


def test_the_rule_and_the_settings_are_seeded_and_a_grace_on_the_rule_counts_working_days(
        world, plan):
    from apps.deadlines.models import DeadlineRule
    from apps.deadlines.services import rule_set_offset
    from apps.workdays.calendar import add_working_days
    rule = DeadlineRule.objects.get(code="follow_up_visit")
    assert (rule.event, rule.offset, rule.owner) == ("follow_up", 0, "输出机构")
    assert (FollowUpSettings.objects.get(pk=1).plan_at, FollowUpSettings.objects.get().officer_at,
            FollowUpSettings.objects.get().interval_days) == (100, 150, 30)
    # The province gives two working days' grace on the rule: open visits move with it.
    rule_set_offset(rule, offset=2, actor=world.province)
    [item] = plan_items(plan)
    assert item.event_on == plan.started_on + timedelta(days=30)
    assert item.due_on == add_working_days(item.event_on, 2).day > item.event_on
