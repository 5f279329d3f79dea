"""Reads of the follow-up plans: every row through accounts.scoping."""
from urllib.parse import urlencode

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    BooleanField, Case, Count, IntegerField, OuterRef, Q, Subquery, Value, When,
)
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.scoping import visible
from apps.common.params import ascii_int, ascii_ints
from apps.deadlines.models import OPEN_ITEM, DeadlineItem
from apps.followups.models import (
    FollowUpPlan, FollowUpSettings, IssueKind, PlanStatus, VisitIssue,
)
from apps.pipeline.models import Candidacy, CandidacyStatus


def settings_current() -> FollowUpSettings:
    """The province's thresholds and interval (the seeded defaults if the row is missing)."""
    return FollowUpSettings.objects.filter(pk=1).select_related("updated_by").first() \
        or FollowUpSettings(pk=1)


def abroad_now(project_ref="project"):
    """People abroad on the project now, as a subquery (0 when none)."""
    counted = (Candidacy.objects.filter(project=OuterRef(project_ref),
                                        status=CandidacyStatus.ABROAD)
               .order_by().values("project").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def plan_items(plan=None):
    """The visit items of one plan (or, with OuterRef, of the plan being annotated)."""
    return DeadlineItem.objects.filter(
        subject_type=ContentType.objects.get_for_model(FollowUpPlan),
        subject_id=plan.pk if isinstance(plan, FollowUpPlan) else OuterRef("pk"))


def plans_annotated(qs, now=None):
    """Each plan with ``abroad`` (people abroad now), ``last_visit_on``, the open visit's
    ``next_due_on`` / ``next_due_at``, ``overdue`` and ``flagged`` (a named officer is
    required and missing). A constant number of queries, whatever the page size."""
    from apps.followups.models import FollowUpVisit
    now = now or timezone.now()
    cfg = settings_current()
    open_item = plan_items(OuterRef("pk")).filter(status__in=OPEN_ITEM).order_by("due_at")
    last = (FollowUpVisit.objects.filter(plan=OuterRef("pk")).order_by("-visited_on")
            .values("visited_on")[:1])
    return qs.annotate(
        abroad=abroad_now(),
        last_visit_on=Subquery(last),
        next_due_on=Subquery(open_item.values("due_on")[:1]),
        next_due_at=Subquery(open_item.values("due_at")[:1]),
    ).annotate(
        overdue=Case(When(next_due_at__lt=now, then=Value(True)), default=Value(False),
                     output_field=BooleanField()),
        flagged=Case(When(flag_condition(cfg), then=Value(True)), default=Value(False),
                     output_field=BooleanField()),
    )


def flag_condition(cfg) -> Q:
    """An active plan at or above the officer threshold with no named officer."""
    return Q(status=PlanStatus.ACTIVE, abroad__gte=cfg.officer_at, officer__isnull=True)


def plans_list(user, filters=None, now=None):
    """Plans ``user`` may see, annotated (plans_annotated), filtered: status, agency,
    flagged (only flagged), overdue (only overdue), q (project name)."""
    filters = filters or {}
    qs = plans_annotated(visible(FollowUpPlan.objects.all(), user), now)
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("agency"):
        qs = qs.filter(project__agency=filters["agency"])
    if filters.get("q"):
        qs = qs.filter(project__name__icontains=filters["q"])
    if filters.get("flagged"):
        qs = qs.filter(flagged=True)
    if filters.get("overdue"):
        qs = qs.filter(overdue=True)
    return qs.select_related("project__agency", "officer").order_by(
        "-flagged", "-overdue", "next_due_on", "id")


def followup_figures(user, now=None) -> dict:
    """For the dashboards: plans active, flagged (a named officer required and missing) and
    visits overdue, of the plans ``user`` may see. Three counts."""
    now = now or timezone.now()
    plans = visible(FollowUpPlan.objects.all(), user)
    counts = {"active": plans.filter(status=PlanStatus.ACTIVE).count(),
              "flagged": plans_annotated(plans, now).filter(flagged=True).count()}
    overdue = DeadlineItem.objects.filter(
        subject_type=ContentType.objects.get_for_model(FollowUpPlan),
        subject_id__in=visible(FollowUpPlan.objects.all(), user).values("pk"),
        status__in=OPEN_ITEM, due_at__lt=now).count()
    return {**counts, "overdue": overdue}


def plan_workers(plan, user):
    """The project's people abroad now that ``user`` may see: whom a visit may name."""
    return visible(Candidacy.objects.filter(project=plan.project_id,
                                            status=CandidacyStatus.ABROAD), user) \
        .select_related("person", "unit", "city").order_by("person__name", "pk")


def officer_choices(plan, user):
    """Who may be named (plan_officer_set): the project's agency's staff, or the province's.
    An agency names its own staff only."""
    from apps.accounts.models import User
    own_agency = Q(role=Role.AGENCY, agency=plan.project.agency_id)
    allowed = own_agency if user.role == Role.AGENCY else own_agency | Q(role=Role.PROVINCE)
    return User.objects.filter(allowed, is_active=True).order_by("role", "username")


def may_manage(plan, user) -> bool:
    """Names the officer and records visits: the province, and the project's agency."""
    return user.role == Role.PROVINCE or (
        user.role == Role.AGENCY and user.agency_id == plan.project.agency_id)


# The one-step seam to the complaint and incident apps (issue 18 items 2 and 3): their create
# page, prefilled from the visit. Hidden while the page does not exist (NoReverseMatch).
OPEN_PAGES = {IssueKind.COMPLAINT: "complaints:complaint_create",
              IssueKind.INCIDENT: "incidents:incident_create"}


def issue_open_link(issue, worker_ids) -> str:
    """The link that opens a complaint or an incident from ``issue``, or "" (nothing to open,
    already opened, or that app's page not installed)."""
    name = OPEN_PAGES.get(issue.kind)
    if not name or issue.opened_id:
        return ""
    try:
        url = reverse(name)
    except NoReverseMatch:
        return ""
    query = [("followup_visit", issue.visit_id), ("followup_issue", issue.pk)]
    query += [("candidacy", pk) for pk in worker_ids]
    return f"{url}?{urlencode(query)}"


def issue_to_open(user, params, kind, *, opened_too=False):
    """The visit issue a create page was opened from (``?followup_issue=…&candidacy=…``), with
    the workers to prefill: looked up through the user's scope, only for those who may record
    visits of its plan, only if still unopened (``opened_too``: also an opened one, for the
    POST, so that a replayed form is refused by the service instead of opening an unlinked
    second record) and of ``kind``; else (None, []). The ids in the link are never trusted
    beyond that."""
    raw = ascii_int(params.get("followup_issue"))
    if raw is None:
        return None, []
    issue = (visible(VisitIssue.objects.select_related("visit__plan__project"), user)
             .filter(pk=raw, kind=kind,
                     **({} if opened_too else {"opened_id__isnull": True})).first())
    if issue is None or not may_manage(issue.visit.plan, user):
        return None, []
    contacted = set(issue.visit.workers.values_list("pk", flat=True))
    workers = [v for v in ascii_ints(params.getlist("candidacy")) if v in contacted]
    return issue, workers
