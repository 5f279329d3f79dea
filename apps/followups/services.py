"""Follow-up plans and visits (issue 18 item 4). Every write through an audited service.

The rules, each in one place here: when a project gets a plan or its plan ends
(``plans_ensure``), who may be named officer (``plan_officer_set``), what a visit may record
and which visit item it closes and opens (``visit_record``), and the thresholds and interval
(``settings_set``). Visits are owed as deadline items (apps.deadlines) of the project's
agency, so an overdue one is on its 我的待办."""
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.utils import timezone

from apps.accounts.models import Role
from apps.audit.models import AuditAction
from apps.audit.services import audited, audited_within
from apps.deadlines.models import OPEN_ITEM, DeadlineItem, DeadlineRule
from apps.deadlines.services import _close as items_close
from apps.followups import rules
from apps.followups.models import (
    FollowUpPlan, FollowUpSettings, FollowUpVisit, IssueKind, PlanStatus, VisitIssue,
)
from apps.followups.selectors import may_manage, officer_choices, plan_items, settings_current
from apps.pipeline.models import Candidacy, CandidacyStatus
from apps.projects.models import JobProject
from apps.workdays.calendar import add_working_days

MAX_INTERVAL_DAYS = 365


def _stage(number: int) -> str:
    return f"visit-{number}"


def _visit_item_open(plan, number: int, base_on) -> DeadlineItem:
    """Visit ``number`` is owed ``interval`` calendar days after ``base_on`` (the last visit,
    or the day the plan began), plus the rule's grace in working days (seeded 0): by the end
    of that day, Beijing time. Opened once per plan and number."""
    rule = rules.rule_ensure(DeadlineRule)
    scheduled = base_on + timedelta(days=plan.interval_days)
    due = add_working_days(scheduled, rule.offset)
    item, _ = DeadlineItem.objects.get_or_create(
        rule=rule, subject_type=ContentType.objects.get_for_model(FollowUpPlan),
        subject_id=plan.pk, stage=_stage(number),
        defaults={"event_on": scheduled, "due_on": due.day, "due_at": due.ends_at,
                  "provisional": due.provisional, "owner_role": Role.AGENCY,
                  "agency_id": plan.project.agency_id})
    return item


def _abroad_by_project() -> dict[int, int]:
    return dict(Candidacy.objects.filter(status=CandidacyStatus.ABROAD).order_by()
                .values_list("project").annotate(n=Count("pk")))


def _changed(result) -> bool:
    return bool(result["created"] or result["ended"] or result["revived"])


@audited(AuditAction.FOLLOW_UP, "核对跟踪随访计划", unless=lambda r: not _changed(r))
def plans_ensure(today=None, now=None) -> dict:
    """Give every project at the threshold of people abroad its plan (its first visit owed one
    interval later), end the plans of projects that fell below it (the plan is kept; visits not
    yet due are no longer owed, a missed one stays owed) and revive an ended plan whose
    project reached it again. Run by beat daily and from the plans page; safe to run twice or
    on two workers at once (one plan per project, one item per plan and visit number; each
    status change is a conditional UPDATE that acts only if it changed the row)."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    threshold = settings_current().plan_at
    counts = _abroad_by_project()
    reached = {project for project, n in counts.items() if n >= threshold}
    interval = settings_current().interval_days
    result = {"created": 0, "ended": 0, "revived": 0}
    have = set(FollowUpPlan.objects.values_list("project_id", flat=True))
    for project in JobProject.objects.filter(pk__in=reached - have).select_related("agency"):
        plan, created = FollowUpPlan.objects.get_or_create(project=project, defaults={
            "title": project.name[:100], "interval_days": interval, "started_on": today})
        if created:
            _visit_item_open(plan, 1, today)
            result["created"] += 1
    for plan in FollowUpPlan.objects.filter(status=PlanStatus.ACTIVE).exclude(
            project__in=reached).select_related("project"):
        if FollowUpPlan.objects.filter(pk=plan.pk, status=PlanStatus.ACTIVE).update(
                status=PlanStatus.ENDED, ended_on=today):
            plan_items(plan).filter(status__in=OPEN_ITEM, due_at__gte=now).delete()
            result["ended"] += 1
    for plan in FollowUpPlan.objects.filter(status=PlanStatus.ENDED, project__in=reached) \
            .select_related("project"):
        if FollowUpPlan.objects.filter(pk=plan.pk, status=PlanStatus.ENDED).update(
                status=PlanStatus.ACTIVE, ended_on=None):
            _visit_item_open(plan, plan.visits.count() + 1, today)
            result["revived"] += 1
    return result


def _refuse_unless_manager(plan, actor, what: str):
    if not may_manage(plan, actor):
        raise PermissionDenied(f"只有省专项办和本项目的输出机构可以{what}。")


@audited(AuditAction.FOLLOW_UP, "指定随访专人")
def plan_officer_set(plan, *, officer, actor) -> FollowUpPlan:
    """Name the plan's officer: a member of the project's agency or of the province (an
    agency names its own staff). Required once the project reaches the officer threshold."""
    plan = FollowUpPlan.objects.select_for_update().select_related("project").get(pk=plan.pk)
    _refuse_unless_manager(plan, actor, "指定随访专人")
    if officer is None or not officer_choices(plan, actor).filter(pk=officer.pk).exists():
        raise ValidationError({"officer": "随访专人须为本项目输出机构或省专项办的在用账号。"})
    plan.officer, plan.officer_set_by, plan.officer_set_at = officer, actor, timezone.now()
    plan.save(update_fields=["officer", "officer_set_by", "officer_set_at"])
    return plan


def visit_date_problem(plan, visited_on, today=None) -> str:
    """Why ``visited_on`` cannot be a visit of ``plan`` ("" when it can): not in the future,
    not before the plan began, not before the visit last recorded (the next one is counted
    from it)."""
    today = today or timezone.localdate()
    if visited_on > today:
        return f"随访日期（{visited_on:%Y-%m-%d}）不能晚于今天。"
    if visited_on < plan.started_on:
        return f"随访日期（{visited_on:%Y-%m-%d}）不能早于随访计划开始日期（{plan.started_on:%Y-%m-%d}）。"
    last = plan.visits.order_by("-visited_on").values_list("visited_on", flat=True).first()
    if last and visited_on < last:
        return f"随访日期（{visited_on:%Y-%m-%d}）不能早于上次随访日期（{last:%Y-%m-%d}）。"
    return ""


def _worker_problem(plan, workers) -> str:
    if not workers:
        return "请至少选择一名联系的在外人员。"
    wrong = [c for c in workers
             if c.project_id != plan.project_id or c.status != CandidacyStatus.ABROAD]
    if wrong:
        names = "、".join(sorted(c.person.name for c in wrong))
        return f"以下人员不是本项目的在外人员，不能登记为本次随访联系人员：{names}。"
    return ""


@audited(AuditAction.FOLLOW_UP, "登记随访记录")
def visit_record(plan, *, actor, number, visited_on, mode, officer_name, workers,
                 officer=None, note="", issues=(), today=None) -> FollowUpVisit:
    """Record visit ``number`` (the form posts the number it was shown: a replay is refused).
    It closes that visit's item — on time or late by when it is recorded, so a backdated visit
    cannot make a late one on time — and, while the plan is active, opens the next one,
    owed one interval after this visit. ``issues``: dicts of description, kind, action_taken."""
    plan = FollowUpPlan.objects.select_for_update().select_related("project").get(pk=plan.pk)
    _refuse_unless_manager(plan, actor, "登记随访记录")
    errors = {}
    expected = plan.visits.count() + 1
    if number != expected:
        raise ValidationError(f"第{number}次随访已登记（或页面已过期），请勿重复提交；"
                              f"如需登记新的随访，请重新打开页面（将登记第{expected}次）。")
    if problem := visit_date_problem(plan, visited_on, today):
        errors["visited_on"] = problem
    workers = list(Candidacy.objects.filter(pk__in=[c.pk for c in workers])
                   .select_related("person"))
    if problem := _worker_problem(plan, workers):
        errors["workers"] = problem
    if officer is not None and not officer_choices(plan, actor).filter(pk=officer.pk).exists():
        errors["officer"] = "随访人账号须为本项目输出机构或省专项办的在用账号。"
    officer_name = (officer_name or (officer.get_full_name() if officer else "")).strip()
    if not officer_name:
        errors["officer_name"] = "请填写随访人姓名。"
    for issue in issues:
        if issue.get("kind", IssueKind.NONE) not in IssueKind.values:
            errors["__all__"] = "问题类型无效。"
        elif not (issue.get("description") or "").strip():
            errors["__all__"] = "每个发现的问题须填写问题描述。"
    if errors:
        raise ValidationError(errors)
    visit = FollowUpVisit.objects.create(
        plan=plan, number=number, visited_on=visited_on, mode=mode, officer=officer,
        officer_name=officer_name[:50], note=note, recorded_by=actor)
    visit.workers.set(workers)
    VisitIssue.objects.bulk_create([
        VisitIssue(visit=visit, description=i["description"].strip(),
                   kind=i.get("kind") or IssueKind.NONE,
                   action_taken=(i.get("action_taken") or "").strip()) for i in issues])
    items_close(plan_items(plan).filter(stage=_stage(number)))
    if plan.status == PlanStatus.ACTIVE:
        _visit_item_open(plan, number + 1, visited_on)
    return visit


@audited(AuditAction.FOLLOW_UP, "修改跟踪随访设置")
def settings_set(*, actor, plan_at, officer_at, interval_days) -> FollowUpSettings:
    """The province sets the thresholds and the interval. A new interval applies to the
    active plans at once: their open visit is re-dated from the same last visit."""
    if actor.role != Role.PROVINCE:
        raise PermissionDenied("只有省专项办可以修改跟踪随访设置。")
    errors = {}
    if plan_at is None or plan_at < 1:
        errors["plan_at"] = "建立随访计划的在外人数须为正整数。"
    if officer_at is None or (plan_at and officer_at < plan_at):
        errors["officer_at"] = "须指定专人的在外人数不能少于建立随访计划的在外人数。"
    if interval_days is None or not 1 <= interval_days <= MAX_INTERVAL_DAYS:
        errors["interval_days"] = f"随访间隔须为1至{MAX_INTERVAL_DAYS}之间的自然日数。"
    if errors:
        raise ValidationError(errors)
    row = rules.settings_ensure(FollowUpSettings)
    row = FollowUpSettings.objects.select_for_update().get(pk=row.pk)
    row.plan_at, row.officer_at, row.interval_days = plan_at, officer_at, interval_days
    row.updated_by = actor
    row.save()
    rule = rules.rule_ensure(DeadlineRule)
    for plan in FollowUpPlan.objects.select_for_update().filter(
            status=PlanStatus.ACTIVE).exclude(interval_days=interval_days):
        for item in plan_items(plan).filter(status__in=OPEN_ITEM):
            scheduled = item.event_on - timedelta(days=plan.interval_days - interval_days)
            due = add_working_days(scheduled, rule.offset)
            DeadlineItem.objects.filter(pk=item.pk).update(
                event_on=scheduled, due_on=due.day, due_at=due.ends_at,
                provisional=due.provisional)
        FollowUpPlan.objects.filter(pk=plan.pk).update(interval_days=interval_days)
    return row


# The app whose record each kind of issue opens.
OPENED_APPS = {IssueKind.COMPLAINT: "complaints", IssueKind.INCIDENT: "incidents"}
OPENED_LABELS = {IssueKind.COMPLAINT: "投诉纠纷", IssueKind.INCIDENT: "突发事件"}


@audited_within
def issue_link_opened(issue, record) -> VisitIssue:
    """The complaint or incident opened from ``issue`` (by apps.complaints / apps.incidents,
    inside their own audited create service): link it back, once."""
    expected = OPENED_APPS.get(issue.kind)
    if expected is None or record._meta.app_label != expected:
        raise ValueError(f"issue {issue.pk} of kind {issue.kind} cannot open a "
                         f"{record._meta.label}")
    # Conditional: of two tabs posting at once, the second waits on this row and updates none.
    updated = VisitIssue.objects.filter(pk=issue.pk, opened_id__isnull=True).update(
        opened_type=ContentType.objects.get_for_model(record), opened_id=record.pk)
    if not updated:
        opened = VisitIssue.objects.get(pk=issue.pk).opened
        raise ValidationError(f"该随访问题已据此登记{OPENED_LABELS[issue.kind]}（{opened}），"
                              "请勿重复提交。")
    issue.refresh_from_db()
    return issue
